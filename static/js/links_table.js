// The links table: one row per link of GET /api/links/, all untrusted text set with textContent.

import { fillIn, formatNumber, formatTime, plural } from "./format.js";
import { fullName } from "./charts.js";

function cell(text, className) {
  const td = document.createElement("td");
  if (text !== undefined && text !== null) td.textContent = String(text);
  if (className) td.className = className;
  return td;
}

/** A cell for text that may be cut with an ellipsis: the full text shows on hover. */
function clippedCell(text, className) {
  const td = cell(text, className);
  td.title = text;
  return td;
}

/** "27 links sent or clicked in the last 7 days in aura.camp matching “doe”". */
export function linksCountText(count, state, labels) {
  let text = plural(labels, "linksCount", count, { period: labels.periodPhrase[state.range] });
  if (state.campaign) text += ` ${fillIn(labels.inCampaign, { campaign: state.campaign })}`;
  if (state.account) text += ` ${fillIn(labels.inAccount, { account: state.account })}`;
  if (state.search) text += ` ${fillIn(labels.matching, { search: state.search })}`;
  return text;
}

/** "Shared": the link looks forwarded inside the company; its evidence on hover. */
function sharedBadge(link, labels) {
  const badge = document.createElement("span");
  badge.className = "badge badge-shared";
  badge.textContent = labels.shared;
  badge.title = fillIn(labels.sharedEvidence, {
    devices: link.shared_devices,
    networks: link.shared_networks,
    first: formatTime(link.shared_first_click_at, labels.language),
    last: formatTime(link.shared_last_click_at, labels.language),
  });
  return badge;
}

export function renderLinks(page, state, labels, pageSize, onDelete) {
  const rows = page.results.map((link) => {
    const row = document.createElement("tr");
    row.dataset.linkId = link.id;
    const status = document.createElement("span");
    status.textContent = labels.status[link.status] ?? link.status;
    status.className = `status status-${link.status.toLowerCase().replace(/ /g, "-")}`;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = labels.delete;
    remove.className = "button button-small button-danger delete-link";
    remove.addEventListener("click", () => onDelete(link));
    remove.hidden = document.getElementById("dashboard").dataset.canDelete !== "true"; // the API refuses it anyway
    const cells = [
      clippedCell(fullName(link), "col-name"),
      clippedCell(link.email, "col-email"),
      clippedCell(link.icp || labels.notDefined, "col-icp"),
      clippedCell(link.campaign, "col-campaign"),
      cell(formatNumber(link.clicks, labels.language), "col-clicks number"),
      cell(formatTime(link.first_click, labels.language), "col-first-click"),
      cell(formatTime(link.last_click, labels.language), "col-last-click"),
      cell(undefined, "col-status"),
      cell(undefined, "col-actions"),
    ];
    cells[7].append(status);
    if (link.shared) cells[7].append(" ", sharedBadge(link, labels));
    cells[8].append(remove);
    row.append(...cells);
    return row;
  });
  document.querySelector("#links-table tbody").replaceChildren(...rows);
  document.getElementById("links-empty").hidden = page.count > 0;
  document.getElementById("links-count").textContent = linksCountText(page.count, state, labels);
  const pages = Math.max(1, Math.ceil(page.count / pageSize));
  document.getElementById("page-info").textContent = fillIn(labels.page, { page: state.page, pages });
  document.getElementById("previous-page").disabled = !page.previous;
  document.getElementById("next-page").disabled = !page.next;
  for (const button of document.querySelectorAll("#links-table button.sort")) {
    const field = button.dataset.ordering;
    const direction = state.ordering === field ? "ascending" : state.ordering === `-${field}` ? "descending" : "none";
    button.closest("th").setAttribute("aria-sort", direction);
  }
}
