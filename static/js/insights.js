// Accounts, countries and devices: fetches /api/stats/accounts|countries|cities|devices/ with the
// page's current filters, read from the URL's query string (shared_links comes with main.js's
// overview), and draws a table, two compact charts and the top cities under the countries. Prospect text goes into the DOM with textContent only;
// chart tooltips (HTML) go through echarts.format.encodeHTML.

import { getJSON } from "./api.js";
import { fillIn, formatTime } from "./format.js";

const TOP_COUNTRIES = 10;
const TOP_CITIES = 10;
const FILTER_NAMES = ["range", "campaign", "include_bots"];

const root = document.getElementById("insights");
const labels = root.dataset;
const escapeHTML = echarts.format.encodeHTML;
const countryNames = new Intl.DisplayNames([document.documentElement.lang || "en"], { type: "region" });

const charts = {
  countries: echarts.init(document.getElementById("countries-chart")),
  devices: echarts.init(document.getElementById("devices-chart")),
};

function palette() {
  const style = getComputedStyle(document.documentElement);
  return ["--pink-100", "--pink-300", "--pink-500", "--burgundy-600", "--burgundy-800"].map(
    (name) => style.getPropertyValue(name).trim(),
  );
}

function ink() {
  return getComputedStyle(document.documentElement).getPropertyValue("--ink").trim();
}

/** The figures' filters from the page's query string (the dashboard keeps it in sync). */
function currentFilters() {
  const page = new URLSearchParams(window.location.search);
  const params = new URLSearchParams();
  for (const name of FILTER_NAMES) {
    if (page.get(name)) params.set(name, page.get(name));
  }
  return params;
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function accountHref(account) {
  const params = new URLSearchParams(window.location.search);
  params.set("account", account);
  return `?${params}`;
}

function renderAccountNote() {
  const params = new URLSearchParams(window.location.search);
  const account = params.get("account");
  document.getElementById("account-filter-note").hidden = !account;
  if (!account) return;
  const text = document.getElementById("account-filter-text");
  text.textContent = fillIn(text.dataset.template, { account });
  params.delete("account");
  document.getElementById("account-filter-clear").href = params.toString() ? `?${params}` : window.location.pathname;
}

function renderAccounts(page) {
  const rows = page.results.map((row) => {
    const tr = document.createElement("tr");
    tr.dataset.account = row.account;
    const name = element("a", row.account, "account-link");
    name.href = accountHref(row.account);
    const nameCell = element("td");
    nameCell.append(name);
    tr.append(
      nameCell,
      element("td", fillIn(labels.labelClickedOf, row)),
      element("td", row.icps.join(", ")),
      element("td", row.clicks, "number"),
      element("td", formatTime(row.last_click_at, document.documentElement.lang)),
    );
    return tr;
  });
  document.querySelector("#accounts-table tbody").replaceChildren(...rows);
  document.getElementById("accounts-empty").hidden = page.count > 0;
}

function emptyChart(chart) {
  chart.clear();
  chart.setOption({
    title: { text: labels.labelNoClicks, left: "center", top: "middle", textStyle: { color: ink(), fontSize: 14, fontWeight: "normal" } },
  });
}

const tooltipStyle = () => ({ backgroundColor: "#fff", borderColor: palette()[1], textStyle: { color: ink() } });

function countryName(code) {
  if (!code) return labels.labelUnknown;
  try {
    return countryNames.of(code) || code;
  } catch {
    return code;
  }
}

function renderCountries(countries) {
  if (!countries.length) {
    emptyChart(charts.countries);
    return;
  }
  const top = countries.slice(0, TOP_COUNTRIES).reverse(); // a category axis draws from the bottom up
  const colours = palette();
  charts.countries.clear();
  charts.countries.setOption({
    tooltip: {
      ...tooltipStyle(),
      trigger: "item",
      formatter: (p) => `${escapeHTML(countryName(top[p.dataIndex].country))}: ${p.value} ${escapeHTML(labels.labelClicks)}`,
    },
    grid: { left: 8, right: 36, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: top.map((row) => countryName(row.country)), axisLabel: { color: ink(), width: 120, overflow: "truncate" } },
    series: [{
      type: "bar",
      data: top.map((row) => ({ value: row.clicks, itemStyle: { color: colours[3], borderRadius: [0, 4, 4, 0] } })),
      label: { show: true, position: "right", color: ink() },
    }],
  });
}

/** The top cities under the countries chart; hidden when no click has a city (no city database). */
function renderCities(cities) {
  const items = cities.slice(0, TOP_CITIES).map((row) => {
    const item = element("li", row.country ? `${row.city}, ${countryName(row.country)} ` : `${row.city} `);
    item.append(element("span", row.clicks, "number"));
    return item;
  });
  document.getElementById("top-cities-list").replaceChildren(...items);
  document.getElementById("top-cities").hidden = !items.length;
}

function deviceLabel(name) {
  const key = `label${name.charAt(0).toUpperCase()}${name.slice(1)}`;
  return name ? labels[key] || name : labels.labelUnknown;
}

function renderDevices(devices) {
  if (!devices.device_types.length) {
    emptyChart(charts.devices);
    return;
  }
  const colours = palette().slice(1).reverse();
  const donut = (title, rows, centre, name = (value) => value || labels.labelUnknown) => ({
    type: "pie",
    name: title,
    center: [centre, "55%"],
    radius: ["30%", "52%"],
    color: colours,
    itemStyle: { borderColor: "#fff", borderWidth: 2 },
    label: { color: ink(), fontSize: 11, width: 90, overflow: "truncate", formatter: (p) => `${p.name}` },
    labelLayout: { hideOverlap: true },
    data: rows.map((row) => ({ name: name(row.name), value: row.clicks })),
  });
  charts.devices.clear();
  charts.devices.setOption({
    tooltip: {
      ...tooltipStyle(),
      trigger: "item",
      formatter: (p) => `${escapeHTML(p.seriesName)} · ${escapeHTML(p.name)}: ${p.value} ${escapeHTML(labels.labelClicks)} (${p.percent}%)`,
    },
    title: [
      { text: labels.labelDevice, left: "17%", top: 0, textAlign: "center", textStyle: { fontSize: 12, color: ink() } },
      { text: labels.labelOs, left: "50%", top: 0, textAlign: "center", textStyle: { fontSize: 12, color: ink() } },
      { text: labels.labelBrowser, left: "83%", top: 0, textAlign: "center", textStyle: { fontSize: 12, color: ink() } },
    ],
    series: [
      donut(labels.labelDevice, devices.device_types, "17%", deviceLabel),
      donut(labels.labelOs, devices.os, "50%"),
      donut(labels.labelBrowser, devices.browsers, "83%"),
    ],
  });
}

let latest = 0;

async function refresh() {
  const params = currentFilters();
  const generation = ++latest;
  const draw = (render) => (data) => { if (generation === latest) render(data); };
  renderAccountNote();
  try {
    await Promise.all([
      getJSON(labels.accountsUrl, params).then(draw(renderAccounts)),
      getJSON(labels.countriesUrl, params).then(draw(renderCountries)),
      getJSON(labels.citiesUrl, params).then(draw(renderCities)),
      getJSON(labels.devicesUrl, params).then(draw(renderDevices)),
    ]);
    if (generation === latest) root.dataset.loadedFilters = params.toString(); // for tests
  } catch (error) {
    console.error(error);
  } finally {
    for (const chart of Object.values(charts)) chart.resize();
  }
}

// The dashboard (main.js) announces every refresh (a filter changed, or its polling while the tab
// is visible) after writing its filters into the URL's query string: redraw with them.
const dashboard = document.getElementById("dashboard");
dashboard.addEventListener("dashboard:refresh", () => refresh());
dashboard.addEventListener("dashboard:overview", (event) => {
  document.getElementById("shared-links-count").textContent = String(event.detail.overview.shared_links);
});
window.addEventListener("resize", () => Object.values(charts).forEach((chart) => chart.resize()));
refresh();
