// The operator's dashboard: fetches the stats API for the current filters and draws every widget.
// Everything a prospect or Clay wrote (names, e-mails, ICPs, campaigns) is untrusted: the DOM is
// built with textContent, and chart tooltips (HTML) go through echarts.format.encodeHTML.

const PALETTE = ["#fde2ea", "#f8a5c2", "#e75480", "#b0264f", "#6d0f2c"];
const REFRESH_SECONDS = 45;
const TOP_CLICKERS = 10;
const LINKS_PER_PAGE = 25;

const root = document.getElementById("dashboard");
const urls = {
  overview: root.dataset.overviewUrl,
  funnel: root.dataset.funnelUrl,
  heatmap: root.dataset.heatmapUrl,
  timeline: root.dataset.timelineUrl,
  topClickers: root.dataset.topClickersUrl,
  icpStats: root.dataset.icpStatsUrl,
  campaigns: root.dataset.campaignsUrl,
  links: root.dataset.linksUrl,
  export: root.dataset.exportUrl,
};
const escapeHTML = echarts.format.encodeHTML;

const state = {
  ...JSON.parse(document.getElementById("initial-filters").textContent),
  search: "",
  ordering: "",
  page: 1,
};

const charts = {
  funnel: echarts.init(document.getElementById("funnel-chart")),
  icp: echarts.init(document.getElementById("icp-chart")),
  heatmap: echarts.init(document.getElementById("heatmap-chart")),
  topClickers: echarts.init(document.getElementById("top-clickers-chart")),
  timeline: echarts.init(document.getElementById("timeline-chart")),
};

// ---- helpers ---------------------------------------------------------------------------------

function filterParams() {
  const params = new URLSearchParams({ range: state.range });
  if (state.campaign) params.set("campaign", state.campaign);
  return params;
}

async function getJSON(url, params = filterParams()) {
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

/** A colour `share` (0..1) of the way from pink to burgundy. */
function shade(share) {
  const position = Math.min(Math.max(share, 0), 1) * (PALETTE.length - 1);
  const low = Math.floor(position);
  const high = Math.min(low + 1, PALETTE.length - 1);
  const mix = position - low;
  const channel = (hex, i) => parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16);
  const rgb = [0, 1, 2].map((i) => Math.round(channel(PALETTE[low], i) * (1 - mix) + channel(PALETTE[high], i) * mix));
  return `rgb(${rgb.join(",")})`;
}

/** Colours for n ranked items, the first (largest) darkest; skips the near-white end. */
function rankedShades(n) {
  return Array.from({ length: n }, (_, i) => shade(n === 1 ? 1 : 1 - (0.8 * i) / (n - 1)));
}

/** "2026-11-24T14:20:00+01:00" -> "11/24/2026 14:20", in the server's time zone like the CSV. */
function formatTime(iso) {
  if (!iso) return "";
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso);
  return match ? `${match[2]}/${match[3]}/${match[1]} ${match[4]}:${match[5]}` : iso;
}

function fullName(person) {
  return `${person.first_name || ""} ${person.last_name || ""}`.trim() || person.email;
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function emptyChart(chart, message) {
  chart.clear();
  chart.setOption({
    title: { text: message, left: "center", top: "middle", textStyle: { color: "#8a4a5e", fontSize: 14, fontWeight: "normal" } },
  });
}

const tooltipStyle = { className: "chart-tooltip", backgroundColor: "#fff", borderColor: "#f8a5c2", textStyle: { color: "#4a1024" } };

// ---- filters and URL ---------------------------------------------------------------------------

function syncFilterControls() {
  for (const button of document.querySelectorAll(".period-button")) {
    button.setAttribute("aria-pressed", String(button.dataset.range === state.range));
  }
  document.getElementById("campaign-select").value = state.campaign;
  document.getElementById("export-csv").href = `${urls.export}?${filterParams()}`;
  const query = new URLSearchParams();
  if (state.range !== "all") query.set("range", state.range);
  if (state.campaign) query.set("campaign", state.campaign);
  const search = query.toString();
  history.replaceState(null, "", search ? `?${search}` : window.location.pathname);
}

function setFilter(change) {
  Object.assign(state, change, { page: 1 });
  syncFilterControls();
  refresh();
}

// ---- widgets ----------------------------------------------------------------------------------

function renderCampaigns(campaigns) {
  const select = document.getElementById("campaign-select");
  const options = [element("option", "All campaigns")];
  options[0].value = "";
  for (const campaign of campaigns) {
    const option = element("option", `${campaign.name} (${campaign.links_sent})`);
    option.value = campaign.name;
    options.push(option);
  }
  if (state.campaign && !campaigns.some((c) => c.name === state.campaign)) {
    const option = element("option", state.campaign); // a bookmarked campaign that has no link now
    option.value = state.campaign;
    options.push(option);
  }
  select.replaceChildren(...options);
  select.value = state.campaign;

  const hasLinks = campaigns.some((campaign) => campaign.links_sent > 0);
  document.getElementById("clay-setup").hidden = hasLinks;
  document.getElementById("figures").hidden = !hasLinks;
}

function renderOverview(overview) {
  for (const node of document.querySelectorAll("[data-kpi]")) {
    const value = overview[node.dataset.kpi];
    node.textContent = node.dataset.kpi === "click_rate" ? `${value}%` : String(value);
  }
  for (const node of document.querySelectorAll("[data-verdict]")) {
    node.textContent = String(overview.filtered_by_verdict[node.dataset.verdict] ?? 0);
  }
  document.getElementById("no-clicks").hidden = overview.total_clicks > 0;
}

function renderFunnel(funnel) {
  if (!funnel.nodes.length || funnel.nodes[0].value === 0) {
    emptyChart(charts.funnel, "No links sent in this period");
    return;
  }
  const colours = { Sent: PALETTE[4], Clicked: PALETTE[3], "Not clicked": PALETTE[1], "Clicked once": PALETTE[2], "Clicked 2+ times": PALETTE[4] };
  charts.funnel.clear();
  charts.funnel.setOption({
    tooltip: { ...tooltipStyle, trigger: "item" },
    series: [{
      type: "sankey",
      left: 8, right: 150, top: 12, bottom: 12,
      nodeAlign: "left",
      emphasis: { focus: "adjacency" },
      lineStyle: { color: "gradient", opacity: 0.35, curveness: 0.5 },
      label: { color: "#4a1024", formatter: (p) => `${p.name}: ${p.value}` },
      data: funnel.nodes.map((node) => ({ ...node, itemStyle: { color: colours[node.name] || PALETTE[3] } })),
      // A zero-width band still draws a line; leave empty branches out.
      links: funnel.links.filter((link) => link.value > 0),
    }],
  });
}

function renderIcpPie(icpStats) {
  if (!icpStats.length) {
    emptyChart(charts.icp, "No ICP has clicked yet");
    return;
  }
  const narrow = charts.icp.getWidth() < 480; // a phone: a smaller ring leaves room for the labels
  charts.icp.clear();
  charts.icp.setOption({
    color: rankedShades(icpStats.length),
    tooltip: {
      ...tooltipStyle,
      trigger: "item",
      formatter: (p) => `${escapeHTML(p.name)}: ${p.value} clicks (${p.percent}%)`,
    },
    series: [{
      type: "pie",
      radius: narrow ? ["25%", "45%"] : ["35%", "62%"],
      itemStyle: { borderColor: "#fff", borderWidth: 2 },
      // With many ICPs, labels that would overlap are dropped; every slice keeps its tooltip.
      labelLayout: { hideOverlap: true },
      labelLine: { length: 8, length2: 6 },
      label: {
        color: "#4a1024", fontSize: 11, width: narrow ? 80 : 130, overflow: "truncate",
        formatter: (p) => `${p.name} ${Math.round(p.percent)}%`,
      },
      data: icpStats.map((row) => ({ name: row.icp, value: row.click_count })),
    }],
  });
}

function renderHeatmap(heatmap) {
  charts.heatmap.clear();
  charts.heatmap.setOption({
    tooltip: {
      ...tooltipStyle,
      formatter: (p) => `${heatmap.days[p.value[1]]} ${String(p.value[0]).padStart(2, "0")}:00 · ${p.value[2]} clicks`,
    },
    grid: { left: 44, right: 12, top: 8, bottom: 84 },
    xAxis: { type: "category", data: heatmap.hours.map((h) => String(h)), splitArea: { show: true } },
    yAxis: { type: "category", data: heatmap.days, inverse: true, splitArea: { show: true } },
    visualMap: {
      min: 0, max: Math.max(heatmap.max, 1), calculable: true, orient: "horizontal",
      left: "center", bottom: 4, itemWidth: 14, itemHeight: 160, inRange: { color: PALETTE },
    },
    // The API's cells are [weekday, hour, clicks]; the chart wants [x = hour, y = weekday, value].
    series: [{
      type: "heatmap",
      data: heatmap.cells.map(([weekday, hour, clicks]) => [hour, weekday, clicks]),
      itemStyle: { borderColor: "#fff", borderWidth: 1 },
    }],
  });
}

function renderTopClickers(topClickers) {
  if (!topClickers.length) {
    emptyChart(charts.topClickers, "No clicks yet");
    return;
  }
  const rows = [...topClickers].reverse(); // a category axis draws from the bottom up
  const colours = rankedShades(topClickers.length).reverse();
  charts.topClickers.clear();
  charts.topClickers.setOption({
    tooltip: {
      ...tooltipStyle,
      trigger: "item",
      formatter: (p) => {
        const person = rows[p.dataIndex];
        return [
          `<strong>${escapeHTML(fullName(person))}</strong>`,
          escapeHTML(person.email),
          `${escapeHTML(person.icp)} · ${escapeHTML(person.campaign)}`,
          `${person.clicks} clicks, last ${escapeHTML(formatTime(person.last_click))}`,
        ].join("<br>");
      },
    },
    grid: { left: 8, right: 36, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: {
      type: "category",
      data: rows.map(fullName),
      axisLabel: { width: 140, overflow: "truncate", color: "#4a1024" },
    },
    series: [{
      type: "bar",
      data: rows.map((person, i) => ({ value: person.clicks, itemStyle: { color: colours[i], borderRadius: [0, 4, 4, 0] } })),
      label: { show: true, position: "right", color: "#4a1024" },
    }],
  });
}

function renderTimeline(timeline) {
  const hourly = timeline.bucket === "hour";
  charts.timeline.clear();
  charts.timeline.setOption({
    tooltip: { ...tooltipStyle, trigger: "axis" },
    grid: { left: 40, right: 16, top: 16, bottom: 28 },
    xAxis: {
      type: "category",
      data: timeline.points.map((point) => (hourly ? point.t.slice(11, 16) : point.t.slice(5, 10))),
    },
    yAxis: { type: "value", minInterval: 1 },
    series: [{
      type: "line",
      name: "Human clicks",
      smooth: true,
      symbol: "none",
      data: timeline.points.map((point) => point.clicks),
      lineStyle: { color: PALETTE[3], width: 2 },
      areaStyle: { color: new echarts.graphic.LinearGradient(0, 0, 0, 1, [
        { offset: 0, color: PALETTE[2] }, { offset: 1, color: PALETTE[0] },
      ]) },
    }],
  });
}

function renderLinks(page) {
  const rows = page.results.map((link) => {
    const row = document.createElement("tr");
    row.dataset.linkId = link.id;
    const status = element("span", link.status, `status status-${link.status.toLowerCase().replace(/ /g, "-")}`);
    const remove = element("button", "Delete", "button button-small button-danger delete-link");
    remove.type = "button";
    remove.hidden = document.getElementById("dashboard").dataset.canDelete !== "true"; // the API refuses it anyway
    remove.addEventListener("click", () => confirmDelete(link));
    const cells = [
      element("td", fullName(link)), element("td", link.email), element("td", link.icp || "Non défini"),
      element("td", link.campaign), element("td", link.clicks, "number"),
      element("td", formatTime(link.first_click)), element("td", formatTime(link.last_click)),
      element("td"), element("td"),
    ];
    cells[7].append(status);
    cells[8].append(remove);
    row.append(...cells);
    return row;
  });
  document.querySelector("#links-table tbody").replaceChildren(...rows);
  document.getElementById("links-empty").hidden = page.count > 0;
  document.getElementById("page-info").textContent = `Page ${state.page} · ${page.count} ${page.count === 1 ? "link" : "links"}`;
  document.getElementById("previous-page").disabled = !page.previous;
  document.getElementById("next-page").disabled = !page.next;
  for (const button of document.querySelectorAll("button.sort")) {
    const field = button.dataset.ordering;
    const direction = state.ordering === field ? "ascending" : state.ordering === `-${field}` ? "descending" : "none";
    button.closest("th").setAttribute("aria-sort", direction);
  }
}

let latestLinksLoad = 0;

async function loadLinks() {
  const params = filterParams();
  if (state.search) params.set("search", state.search);
  if (state.ordering) params.set("ordering", state.ordering);
  params.set("page", String(state.page));
  params.set("page_size", String(LINKS_PER_PAGE));
  const generation = ++latestLinksLoad;
  const page = await getJSON(urls.links, params);
  if (generation === latestLinksLoad) renderLinks(page);
}

// ---- delete -------------------------------------------------------------------------------------

function confirmDelete(link) {
  const dialog = document.getElementById("delete-dialog");
  document.getElementById("delete-name").textContent = `${fullName(link)} (${link.email})`;
  dialog.returnValue = "";
  dialog.onclose = async () => {
    if (dialog.returnValue !== "confirm") return;
    const response = await fetch(`${urls.links}${link.id}/`, {
      method: "DELETE",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() },
    });
    if (response.ok || response.status === 404) {
      document.querySelector(`#links-table tr[data-link-id="${link.id}"]`)?.remove();
      refresh();
    } else {
      window.alert(`The link could not be deleted (HTTP ${response.status}).`);
    }
  };
  dialog.showModal();
}

// ---- refresh ------------------------------------------------------------------------------------

let latestRefresh = 0;

async function refresh() {
  const params = filterParams();
  const topParams = new URLSearchParams(params);
  topParams.set("limit", String(TOP_CLICKERS));
  // A slow answer for the previous filters must not overwrite the figures of the current ones.
  const generation = ++latestRefresh;
  const draw = (render) => (data) => { if (generation === latestRefresh) render(data); };
  try {
    await Promise.all([
      getJSON(urls.campaigns, new URLSearchParams()).then(draw(renderCampaigns)),
      getJSON(urls.overview).then(draw(renderOverview)),
      getJSON(urls.funnel).then(draw(renderFunnel)),
      getJSON(urls.icpStats).then(draw(renderIcpPie)),
      getJSON(urls.heatmap).then(draw(renderHeatmap)),
      getJSON(urls.topClickers, topParams).then(draw(renderTopClickers)),
      getJSON(urls.timeline).then(draw(renderTimeline)),
      loadLinks(),
    ]);
    if (generation === latestRefresh) {
      root.dataset.loadedFilters = params.toString(); // tells tests (and curious users) which filters are drawn
      document.getElementById("last-refresh").textContent = `Updated ${new Date().toLocaleTimeString()}`;
    }
  } catch (error) {
    document.getElementById("last-refresh").textContent = "Could not refresh the figures; retrying soon.";
    console.error(error);
  } finally {
    for (const chart of Object.values(charts)) chart.resize();
  }
}

// ---- wiring -------------------------------------------------------------------------------------

for (const button of document.querySelectorAll(".period-button")) {
  button.addEventListener("click", () => setFilter({ range: button.dataset.range }));
}
document.getElementById("campaign-select").addEventListener("change", (event) => setFilter({ campaign: event.target.value }));

let searchDelay;
document.getElementById("link-search").addEventListener("input", (event) => {
  clearTimeout(searchDelay);
  searchDelay = setTimeout(() => {
    state.search = event.target.value.trim();
    state.page = 1;
    loadLinks();
  }, 300);
});
for (const button of document.querySelectorAll("button.sort")) {
  button.addEventListener("click", () => {
    const field = button.dataset.ordering;
    state.ordering = state.ordering === `-${field}` ? field : `-${field}`;
    state.page = 1;
    loadLinks();
  });
}
document.getElementById("previous-page").addEventListener("click", () => { state.page -= 1; loadLinks(); });
document.getElementById("next-page").addEventListener("click", () => { state.page += 1; loadLinks(); });
window.addEventListener("resize", () => Object.values(charts).forEach((chart) => chart.resize()));

syncFilterControls();
refresh();
setInterval(refresh, REFRESH_SECONDS * 1000);
