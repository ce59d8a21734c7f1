// The operator's dashboard: reads what the page hands over (API URLs in data-*-url, filters and
// translated labels in json_script), fetches the stats API for the current filters and draws every
// widget. Refreshes every 45 s while the tab is visible.

import { deleteLink, exportHref, filterParams, getJSON } from "./api.js";
import { emptyOption, funnelOption, fullName, heatmapOption, icpPieOption, timelineOption, topClickersOption } from "./charts.js";
import { fillIn, formatNumber } from "./format.js";
import { DEFAULT_SORT, nextSort, renderIcpTable } from "./icp_table.js";
import { renderKpis, wireInfoButtons } from "./kpis.js";
import { renderLinks } from "./links_table.js";

const REFRESH_MS = 45_000;
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
  icpMetrics: root.dataset.icpMetricsUrl,
  campaigns: root.dataset.campaignsUrl,
  links: root.dataset.linksUrl,
  export: root.dataset.exportUrl,
};
const timeZone = root.dataset.timeZone;
const labels = JSON.parse(document.getElementById("dashboard-labels").textContent);

const state = {
  ...JSON.parse(document.getElementById("initial-filters").textContent),
  search: new URLSearchParams(window.location.search).get("search") ?? "", // a hot-lead alert's link
  ordering: "",
  page: 1,
  icpSort: { ...DEFAULT_SORT },
  icpRows: [],
};

/** The chart colours: the CSS variables of the pink -> burgundy palette. */
function readPalette() {
  const style = getComputedStyle(document.documentElement);
  const colour = (name) => style.getPropertyValue(name).trim();
  return {
    steps: ["--pink-100", "--pink-300", "--pink-500", "--burgundy-600", "--burgundy-800"].map(colour),
    ink: colour("--ink"),
    muted: colour("--muted"),
  };
}
const palette = readPalette();

const charts = {
  funnel: echarts.init(document.getElementById("funnel-chart")),
  icp: echarts.init(document.getElementById("icp-chart")),
  heatmap: echarts.init(document.getElementById("heatmap-chart")),
  topClickers: echarts.init(document.getElementById("top-clickers-chart")),
  timeline: echarts.init(document.getElementById("timeline-chart")),
};

function draw(chart, option) {
  chart.clear();
  chart.setOption(option);
}

// ---- filters and URL ---------------------------------------------------------------------------

function syncFilterControls() {
  for (const button of document.querySelectorAll(".period-button")) {
    button.setAttribute("aria-pressed", String(button.dataset.range === state.range));
  }
  document.getElementById("campaign-select").value = state.campaign;
  syncExportLink();
  const query = new URLSearchParams();
  if (state.range !== "all") query.set("range", state.range);
  if (state.campaign) query.set("campaign", state.campaign);
  if (state.account) query.set("account", state.account);
  const search = query.toString();
  history.replaceState(null, "", search ? `?${search}` : window.location.pathname);
}

function syncExportLink() {
  document.getElementById("export-csv").href = exportHref(urls.export, state);
}

function setFilter(change) {
  Object.assign(state, change, { page: 1 });
  syncFilterControls();
  refresh();
}

// ---- widgets ----------------------------------------------------------------------------------

function renderCampaigns(campaigns) {
  const select = document.getElementById("campaign-select");
  const option = (text, value) => {
    const node = document.createElement("option");
    node.textContent = text;
    node.value = value;
    return node;
  };
  const options = [option(labels.allCampaigns, "")];
  for (const campaign of campaigns) {
    options.push(option(`${campaign.name} (${formatNumber(campaign.links_sent, labels.language)})`, campaign.name));
  }
  if (state.campaign && !campaigns.some((c) => c.name === state.campaign)) {
    options.push(option(state.campaign, state.campaign)); // a bookmarked campaign that has no link now
  }
  select.replaceChildren(...options);
  select.value = state.campaign;

  const hasLinks = campaigns.some((campaign) => campaign.links_sent > 0);
  document.getElementById("clay-setup").hidden = hasLinks;
  document.getElementById("figures").hidden = !hasLinks;
}

function renderOverview(overview) {
  state.dataAsOf = overview.data_as_of;
  // Other widgets of the page that show an overview figure (insights.js) take it from here.
  root.dispatchEvent(new CustomEvent("dashboard:overview", { detail: { overview } }));
  renderKpis(overview, labels);
  document.getElementById("no-clicks").hidden = overview.total_clicks > 0;
}

function renderFunnel(funnel) {
  if (!funnel.nodes.length || funnel.nodes[0].value === 0) draw(charts.funnel, emptyOption(labels.noLinksSent, palette));
  else draw(charts.funnel, funnelOption(funnel, labels, palette, charts.funnel.getWidth() < 480));
}

function renderIcpPie(icpStats) {
  if (!icpStats.length) draw(charts.icp, emptyOption(labels.noIcpClicked, palette));
  else draw(charts.icp, icpPieOption(icpStats, labels, palette, charts.icp.getWidth() < 480));
}

function renderIcpMetrics(rows) {
  state.icpRows = rows;
  renderIcpTable(document.getElementById("icp-table"), rows, state.icpSort, labels);
  document.getElementById("icp-empty").hidden = rows.length > 0;
}

function renderTopClickers(topClickers) {
  if (!topClickers.length) draw(charts.topClickers, emptyOption(labels.noClicks, palette));
  else draw(charts.topClickers, topClickersOption(topClickers, labels, palette));
}

function renderTimeline(timeline) {
  const gradient = new echarts.graphic.LinearGradient(0, 0, 0, 1, [
    { offset: 0, color: palette.steps[2] }, { offset: 1, color: palette.steps[0] },
  ]);
  draw(charts.timeline, timelineOption(timeline, labels, palette, gradient));
}

let latestLinksLoad = 0;

async function loadLinks() {
  const params = filterParams(state, { withSearch: true });
  if (state.ordering) params.set("ordering", state.ordering);
  params.set("page", String(state.page));
  params.set("page_size", String(LINKS_PER_PAGE));
  const generation = ++latestLinksLoad;
  const page = await getJSON(urls.links, params);
  if (generation === latestLinksLoad) renderLinks(page, state, labels, LINKS_PER_PAGE, confirmDelete);
}

// ---- delete -------------------------------------------------------------------------------------

function confirmDelete(link) {
  const dialog = document.getElementById("delete-dialog");
  document.getElementById("delete-name").textContent = `${fullName(link)} (${link.email})`;
  dialog.returnValue = "";
  dialog.onclose = async () => {
    if (dialog.returnValue !== "confirm") return;
    const { gone, status } = await deleteLink(urls.links, link.id);
    if (gone) {
      document.querySelector(`#links-table tr[data-link-id="${link.id}"]`)?.remove();
      refresh();
    } else {
      window.alert(fillIn(labels.deleteFailed, { status }));
    }
  };
  dialog.showModal();
}

// ---- refresh ------------------------------------------------------------------------------------

let latestRefresh = 0;
let lastRefreshAt = 0;

/** "Data as of 14:20": when the background worker last caught up with the clicks (the
 * overview's data_as_of), else when the page fetched the figures; in the server's time zone, like
 * every time on the page. */
function dataAsOf() {
  const moment = state.dataAsOf ? new Date(state.dataAsOf) : new Date();
  const time = new Intl.DateTimeFormat(labels.language, {
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone,
  }).format(moment);
  return fillIn(labels.updatedAt, { time });
}

async function refresh() {
  const params = filterParams(state);
  const topParams = new URLSearchParams(params);
  topParams.set("limit", String(TOP_CLICKERS));
  // A slow answer for the previous filters must not overwrite the figures of the current ones.
  const generation = ++latestRefresh;
  lastRefreshAt = Date.now();
  // Other widgets of the page (modules of their own) refetch with the same filters on this event.
  root.dispatchEvent(new CustomEvent("dashboard:refresh", { detail: { filters: params.toString() } }));
  const when = (render) => (data) => { if (generation === latestRefresh) render(data); };
  try {
    await Promise.all([
      getJSON(urls.campaigns, new URLSearchParams()).then(when(renderCampaigns)),
      getJSON(urls.overview, params).then(when(renderOverview)),
      getJSON(urls.funnel, params).then(when(renderFunnel)),
      getJSON(urls.icpStats, params).then(when(renderIcpPie)),
      getJSON(urls.icpMetrics, params).then(when(renderIcpMetrics)),
      getJSON(urls.heatmap, params).then(when((heatmap) => draw(charts.heatmap, heatmapOption(heatmap, labels, palette)))),
      getJSON(urls.topClickers, topParams).then(when(renderTopClickers)),
      getJSON(urls.timeline, params).then(when(renderTimeline)),
      loadLinks(),
    ]);
    if (generation === latestRefresh) {
      root.dataset.loadedFilters = params.toString(); // tells tests (and curious users) which filters are drawn
      document.getElementById("last-refresh").textContent = dataAsOf();
    }
  } catch (error) {
    document.getElementById("last-refresh").textContent = labels.refreshFailed;
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
    syncExportLink();
    loadLinks();
  }, 300);
});
for (const button of document.querySelectorAll("#links-table button.sort")) {
  button.addEventListener("click", () => {
    const field = button.dataset.ordering;
    state.ordering = state.ordering === `-${field}` ? field : `-${field}`;
    state.page = 1;
    loadLinks();
  });
}
for (const button of document.querySelectorAll("#icp-table button[data-sort]")) {
  button.addEventListener("click", () => {
    state.icpSort = nextSort(state.icpSort, button.dataset.sort);
    renderIcpMetrics(state.icpRows);
  });
}
document.getElementById("previous-page").addEventListener("click", () => { state.page -= 1; loadLinks(); });
document.getElementById("next-page").addEventListener("click", () => { state.page += 1; loadLinks(); });
window.addEventListener("resize", () => Object.values(charts).forEach((chart) => chart.resize()));
wireInfoButtons(root);

// Polling pauses while the tab is hidden; coming back to a stale tab refreshes at once.
setInterval(() => { if (!document.hidden) refresh(); }, REFRESH_MS);
document.addEventListener("visibilitychange", () => {
  if (!document.hidden && Date.now() - lastRefreshAt >= REFRESH_MS) refresh();
});

syncFilterControls();
refresh();
