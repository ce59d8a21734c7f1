// The KPI cards: each value, its change against the previous period when the API gives one, and
// the info buttons that explain what each card counts (hover, keyboard focus or tap).

import { formatChange, formatDuration, formatNumber, formatPercent, fillIn } from "./format.js";

// How each figure reads and how its change is measured.
const KINDS = {
  links_sent: "count",
  links_clicked: "count",
  click_rate: "rate",
  total_clicks: "count",
  unique_clickers: "count",
  avg_clicks_per_clicker: "ratio",
  median_time_to_first_click: "duration",
  avg_time_to_first_click: "duration",
  bot_clicks_filtered: "count",
};

export function formatKpi(key, value, labels) {
  if (value === null || value === undefined) return "–";
  const kind = KINDS[key];
  if (kind === "rate") return formatPercent(value, labels);
  if (kind === "duration") return formatDuration(value, labels);
  return formatNumber(value, labels.language, kind === "ratio" ? 1 : 0);
}

export function renderKpis(overview, labels) {
  for (const node of document.querySelectorAll("[data-kpi]")) {
    node.textContent = formatKpi(node.dataset.kpi, overview[node.dataset.kpi], labels);
  }
  for (const node of document.querySelectorAll("[data-verdict]")) {
    node.textContent = formatNumber(overview.filtered_by_verdict[node.dataset.verdict] ?? 0, labels.language);
  }
  const average = document.querySelector("[data-kpi-average]");
  if (average) average.textContent = fillIn(labels.average, { value: formatDuration(overview.avg_time_to_first_click, labels) });
  for (const node of document.querySelectorAll("[data-change]")) {
    const key = node.dataset.change;
    const change = overview.previous ? formatChange(overview[key], overview.previous[key], KINDS[key], labels) : null;
    node.textContent = change ? change.text : "";
    node.dataset.direction = change ? change.direction : "";
    node.hidden = !change;
  }
}

/** Info buttons: a tap (or click) toggles the explanation, Escape or a tap elsewhere closes it. */
export function wireInfoButtons(root) {
  const buttons = [...root.querySelectorAll("button.info")];
  const close = (except) => {
    for (const button of buttons) if (button !== except) button.setAttribute("aria-expanded", "false");
  };
  for (const button of buttons) {
    button.addEventListener("click", (event) => {
      event.stopPropagation();
      const open = button.getAttribute("aria-expanded") !== "true";
      close(button);
      button.setAttribute("aria-expanded", String(open));
    });
  }
  document.addEventListener("click", () => close(null));
  document.addEventListener("keydown", (event) => { if (event.key === "Escape") close(null); });
}
