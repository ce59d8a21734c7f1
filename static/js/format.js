// Pure formatting helpers: words come from the page's translated labels, numbers from Intl in the
// page's language. Times are formatted as the API gives them (already in the server's time zone):
// nothing here converts them into the browser's zone.

/** Escape text for the few places that take HTML (chart tooltips). */
export function escapeHTML(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

/** "{name}: {count}" + {name: "CEO", count: 3} -> "CEO: 3". */
export function fillIn(pattern, values) {
  return pattern.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
}

/** The singular or plural pattern `key_one` / `key_other` for `count`, filled in. */
export function plural(labels, key, count, values = {}) {
  const rule = new Intl.PluralRules(labels.language).select(count);
  const pattern = labels[`${key}_${rule}`] ?? labels[`${key}_other`];
  return fillIn(pattern, { count: formatNumber(count, labels.language), ...values });
}

export function formatNumber(value, language, digits = 1) {
  return new Intl.NumberFormat(language, { maximumFractionDigits: digits }).format(value);
}

/** 35 -> "35%" (en) or "35 %" (fr); one decimal under 10 so small shares don't read 0. */
export function formatPercent(value, labels) {
  const digits = Math.abs(value) < 10 ? 1 : 0;
  return fillIn(labels.percent, { value: formatNumber(value, labels.language, digits) });
}

/** "CEO: 45 clicks (35%)" / "CEO : 45 clics (35 %)". */
export function shareTooltip(name, count, percent, labels) {
  return plural(labels, "clicks", count, { name, percent: formatPercent(percent, labels) });
}

/** 45 -> "45 s", 750 -> "12 min", 7500 -> "2 h 5 min", 190000 -> "2 d 4 h" (units translated). */
export function formatDuration(seconds, labels) {
  if (seconds === null || seconds === undefined) return "–";
  const units = labels.duration;
  const total = Math.round(Math.abs(seconds));
  const days = Math.floor(total / 86400);
  const hours = Math.floor((total % 86400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  if (days) return hours ? `${days} ${units.d} ${hours} ${units.h}` : `${days} ${units.d}`;
  if (hours) return minutes ? `${hours} ${units.h} ${minutes} ${units.min}` : `${hours} ${units.h}`;
  if (minutes) return `${minutes} ${units.min}`;
  return `${total} ${units.s}`;
}

/** "2026-11-24T14:20:00+01:00" -> "11/24/2026 14:20" (en, like the CSV) or "24/11/2026 14:20" (fr). */
export function formatTime(iso, language) {
  if (!iso) return "";
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso);
  if (!match) return iso;
  const [, year, month, day, hour, minute] = match;
  const date = language === "fr" ? `${day}/${month}/${year}` : `${month}/${day}/${year}`;
  return `${date} ${hour}:${minute}`;
}

const SIGNED = { up: "+", down: "−", same: "±" };

/**
 * The change of a KPI against the previous period, or null when there is nothing to compare
 * (no previous period for "all", or a figure without value). `kind`: "count", "rate" (percentage
 * points), "ratio" (one decimal) or "duration" (seconds).
 * Returns {direction: "up" | "down" | "same", text: "+5 vs previous period"}.
 */
export function formatChange(current, previous, kind, labels) {
  if (previous === null || previous === undefined || current === null || current === undefined) return null;
  const difference = current - previous;
  const direction = Math.abs(difference) < 1e-9 ? "same" : difference > 0 ? "up" : "down";
  const size = Math.abs(difference);
  let amount;
  if (kind === "rate") amount = fillIn(labels.points, { value: formatNumber(size, labels.language) });
  else if (kind === "duration") amount = formatDuration(size, labels);
  else amount = formatNumber(size, labels.language, kind === "ratio" ? 1 : 0);
  return { direction, text: fillIn(labels.change, { change: `${SIGNED[direction]}${amount}` }) };
}
