// The stats API, fetched with the dashboard's filters. A session that expired reloads the page,
// which then asks for the login.

/** range + campaign (+ account and search for the links table and its export) as a query string. */
export function filterParams(state, { withSearch = false } = {}) {
  const params = new URLSearchParams({ range: state.range });
  if (state.campaign) params.set("campaign", state.campaign);
  if (withSearch && state.account) params.set("account", state.account); // figures are per campaign, not per account
  if (withSearch && state.search) params.set("search", state.search);
  return params;
}

/** The CSV export of exactly what the table lists: its filters and its search. */
export function exportHref(exportUrl, state) {
  return `${exportUrl}?${filterParams(state, { withSearch: true })}`;
}

export async function getJSON(url, params) {
  const response = await fetch(`${url}?${params}`, {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  });
  if (response.status === 401 || response.status === 403) {
    window.location.reload(); // the session expired: the page redirects to the login form
  }
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}

function csrfToken() {
  const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
  return cookie ? decodeURIComponent(cookie.slice("csrftoken=".length)) : "";
}

/** DELETE a link; true when it is gone (404: someone else deleted it first). */
export async function deleteLink(linksUrl, id) {
  const response = await fetch(`${linksUrl}${id}/`, {
    method: "DELETE",
    credentials: "same-origin",
    headers: { "X-CSRFToken": csrfToken() },
  });
  return { gone: response.ok || response.status === 404, status: response.status };
}
