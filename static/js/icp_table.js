// The per-ICP metrics table (the ICP guide's "Métriques à suivre"): sortable by every column,
// click rate first by default. ICP names are untrusted: textContent only.

import { formatDuration, formatNumber, formatPercent } from "./format.js";

export const DEFAULT_SORT = { key: "click_rate", direction: "descending" };
const TEXT_KEYS = new Set(["icp"]);

/**
 * Rows sorted by `key` in `direction`; rows without a value (no clicker yet) always last, ties
 * by links sent (most first) then name.
 */
export function sortIcpRows(rows, key, direction) {
  const sign = direction === "ascending" ? 1 : -1;
  const compare = (a, b) => {
    const x = a[key];
    const y = b[key];
    if (x === null || x === undefined) return y === null || y === undefined ? 0 : 1;
    if (y === null || y === undefined) return -1;
    if (TEXT_KEYS.has(key)) return sign * String(x).localeCompare(String(y));
    return sign * (x - y);
  };
  return [...rows].sort((a, b) => compare(a, b) || b.links_sent - a.links_sent || String(a.icp).localeCompare(String(b.icp)));
}

/** The first click on a column: names A->Z, numbers largest first; a second click turns it round. */
export function nextSort(current, key) {
  if (current.key === key) return { key, direction: current.direction === "descending" ? "ascending" : "descending" };
  return { key, direction: TEXT_KEYS.has(key) ? "ascending" : "descending" };
}

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

export function renderIcpTable(table, rows, sort, labels) {
  const body = rows.length
    ? sortIcpRows(rows, sort.key, sort.direction).map((row) => {
      const tr = document.createElement("tr");
      const name = cell(row.icp, "icp-name");
      name.title = row.icp;
      tr.append(
        name,
        cell(formatNumber(row.links_sent, labels.language), "number"),
        cell(formatNumber(row.unique_clickers, labels.language), "number"),
        cell(formatPercent(row.click_rate, labels), "number"),
        cell(row.avg_clicks_per_clicker === null ? "–" : formatNumber(row.avg_clicks_per_clicker, labels.language), "number"),
        cell(formatDuration(row.avg_time_to_first_click, labels), "number"),
      );
      return tr;
    })
    : [];
  table.tBodies[0].replaceChildren(...body);
  for (const button of table.querySelectorAll("button[data-sort]")) {
    button.closest("th").setAttribute("aria-sort", button.dataset.sort === sort.key ? sort.direction : "none");
  }
}
