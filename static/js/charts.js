// Pure ECharts option builders: data from the stats API + translated labels + the palette read
// from the CSS variables -> an option object. Nothing here touches the DOM or fetches.
// Tooltips take HTML, so every prospect- or Clay-written text goes through escapeHTML.

import { escapeHTML, formatTime, plural, shareTooltip } from "./format.js";

export const MAX_PIE_SLICES = 8;

/** A colour `share` (0..1) of the way along the palette's steps (pink -> burgundy). */
export function shade(steps, share) {
  const position = Math.min(Math.max(share, 0), 1) * (steps.length - 1);
  const low = Math.floor(position);
  const high = Math.min(low + 1, steps.length - 1);
  const mix = position - low;
  const channel = (hex, i) => parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16);
  const rgb = [0, 1, 2].map((i) => Math.round(channel(steps[low], i) * (1 - mix) + channel(steps[high], i) * mix));
  return `rgb(${rgb.join(",")})`;
}

/** Colours for n ranked items, the first (largest) darkest; skips the near-white end. */
export function rankedShades(steps, n) {
  return Array.from({ length: n }, (_, i) => shade(steps, n === 1 ? 1 : 1 - (0.8 * i) / (n - 1)));
}

function tooltipStyle(palette) {
  return { className: "chart-tooltip", backgroundColor: "#fff", borderColor: palette.steps[1], textStyle: { color: palette.ink } };
}

export function emptyOption(message, palette) {
  return {
    title: { text: message, left: "center", top: "middle", textStyle: { color: palette.muted, fontSize: 14, fontWeight: "normal" } },
  };
}

/**
 * Rows [{icp, click_count}] (most clicks first) -> at most `maxSlices` slices: the largest
 * `maxSlices - 1` and one "Others" slice summing the rest (its `members` name them).
 */
export function groupSmallSlices(rows, othersLabel, maxSlices = MAX_PIE_SLICES) {
  const slices = rows.map((row) => ({ name: row.icp, value: row.click_count }));
  if (slices.length <= maxSlices) return slices;
  const kept = slices.slice(0, maxSlices - 1);
  const rest = slices.slice(maxSlices - 1);
  const others = { name: othersLabel, value: rest.reduce((sum, slice) => sum + slice.value, 0), members: rest };
  return [...kept, others];
}

/** The tooltip of a pie slice: "CEO: 45 clicks (35%)", plus the members of "Others". */
export function pieTooltip(slice, percent, labels) {
  const lines = [escapeHTML(shareTooltip(slice.name, slice.value, percent, labels))];
  if (slice.members) {
    const shown = slice.members.slice(0, 8).map((member) => escapeHTML(`${member.name} (${member.value})`));
    if (slice.members.length > shown.length) shown.push("…");
    lines.push(`<span class="tooltip-members">${shown.join(", ")}</span>`);
  }
  return lines.join("<br>");
}

export function icpPieOption(rows, labels, palette, narrow) {
  const slices = groupSmallSlices(rows, labels.others);
  const total = slices.reduce((sum, slice) => sum + slice.value, 0);
  const share = (name) => {
    const slice = slices.find((item) => item.name === name);
    return Math.round((100 * (slice ? slice.value : 0)) / (total || 1));
  };
  return {
    color: rankedShades(palette.steps, slices.length),
    tooltip: { ...tooltipStyle(palette), trigger: "item", formatter: (p) => pieTooltip(slices[p.dataIndex], p.percent, labels) },
    // On a phone the labels would crowd a small ring: a legend under it names the slices instead.
    legend: narrow
      ? { bottom: 0, left: "center", itemWidth: 10, itemHeight: 10, textStyle: { color: palette.ink, fontSize: 11, width: 130, overflow: "truncate" }, formatter: (name) => `${name} ${share(name)}%` }
      : { show: false },
    series: [{
      type: "pie",
      radius: narrow ? ["28%", "48%"] : ["35%", "62%"],
      center: narrow ? ["50%", "32%"] : ["50%", "50%"],
      itemStyle: { borderColor: "#fff", borderWidth: 2 },
      // At most eight slices, and a label that would still overlap another is dropped (its slice
      // keeps its tooltip).
      labelLayout: { hideOverlap: true },
      labelLine: { show: !narrow, length: 8, length2: 6 },
      label: {
        show: !narrow, color: palette.ink, fontSize: 11, width: 130, overflow: "truncate",
        formatter: (p) => `${p.name} ${Math.round(p.percent)}%`,
      },
      data: slices.map(({ name, value }) => ({ name, value })),
    }],
  };
}

/** The Sankey funnel: zero-value nodes and bands are left out (ECharts would draw them as lines). */
export function funnelOption(funnel, labels, palette, narrow = false) {
  const [, pink, rose, red, burgundy] = palette.steps;
  const colours = { Sent: burgundy, Clicked: red, "Not clicked": pink, "Clicked once": rose, "Clicked 2+ times": burgundy };
  const nodes = funnel.nodes.filter((node) => node.value > 0);
  const name = (apiName) => labels.funnel[apiName] ?? apiName;
  return {
    tooltip: {
      ...tooltipStyle(palette),
      trigger: "item",
      formatter: (p) => (p.dataType === "edge"
        ? `${escapeHTML(name(p.data.source))} → ${escapeHTML(name(p.data.target))}: ${p.value}`
        : `${escapeHTML(name(p.name))}: ${p.value}`),
    },
    series: [{
      type: "sankey",
      // The first stage's label sits on its left and the others on their right, so that no label
      // lies on a node; on a phone, names and counts go on two lines.
      left: narrow ? 60 : 96, right: narrow ? 112 : 150, top: 12, bottom: 12,
      nodeAlign: "left",
      nodeGap: narrow ? 26 : 18, // two-line labels on a phone need the room
      nodeWidth: narrow ? 12 : 20,
      emphasis: { focus: "adjacency" },
      lineStyle: { color: "gradient", opacity: 0.35, curveness: 0.5 },
      labelLayout: { hideOverlap: !narrow }, // on a phone nodeGap keeps the two-line labels apart
      label: {
        color: palette.ink,
        fontSize: narrow ? 10 : 12,
        ...(narrow ? { lineHeight: 12, width: 108, overflow: "truncate" } : {}),
        formatter: (p) => (narrow ? `${name(p.name)}\n${p.value}` : `${name(p.name)}: ${p.value}`),
      },
      data: nodes.map((node) => ({
        ...node,
        itemStyle: { color: colours[node.name] || red },
        ...(node.name === "Sent" ? { label: { position: "left" } } : {}),
      })),
      links: funnel.links.filter((link) => link.value > 0),
    }],
  };
}

export function heatmapOption(heatmap, labels, palette) {
  const days = labels.weekdays;
  return {
    tooltip: {
      ...tooltipStyle(palette),
      formatter: (p) => escapeHTML(plural(labels, "heatmapCell", p.value[2], { day: days[p.value[1]], hour: String(p.value[0]).padStart(2, "0") })),
    },
    grid: { left: 44, right: 12, top: 8, bottom: 84 },
    xAxis: { type: "category", data: heatmap.hours.map((h) => String(h)), splitArea: { show: true } },
    yAxis: { type: "category", data: days, inverse: true, splitArea: { show: true } },
    visualMap: {
      min: 0, max: Math.max(heatmap.max, 1), calculable: true, orient: "horizontal",
      left: "center", bottom: 4, itemWidth: 14, itemHeight: 160, inRange: { color: palette.steps },
    },
    // The API's cells are [weekday, hour, clicks]; the chart wants [x = hour, y = weekday, value].
    series: [{
      type: "heatmap",
      data: heatmap.cells.map(([weekday, hour, clicks]) => [hour, weekday, clicks]),
      itemStyle: { borderColor: "#fff", borderWidth: 1 },
    }],
  };
}

export function fullName(person) {
  return `${person.first_name || ""} ${person.last_name || ""}`.trim() || person.email;
}

export function topClickersOption(topClickers, labels, palette) {
  const rows = [...topClickers].reverse(); // a category axis draws from the bottom up
  const colours = rankedShades(palette.steps, topClickers.length).reverse();
  return {
    tooltip: {
      ...tooltipStyle(palette),
      trigger: "item",
      formatter: (p) => {
        const person = rows[p.dataIndex];
        return [
          `<strong>${escapeHTML(fullName(person))}</strong>`,
          escapeHTML(person.email),
          `${escapeHTML(person.icp)} · ${escapeHTML(person.campaign)}`,
          escapeHTML(plural(labels, "topClicker", person.clicks, { time: formatTime(person.last_click, labels.language) })),
        ].join("<br>");
      },
    },
    grid: { left: 8, right: 36, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: rows.map(fullName), axisLabel: { width: 140, overflow: "truncate", color: palette.ink } },
    series: [{
      type: "bar",
      data: rows.map((person, i) => ({ value: person.clicks, itemStyle: { color: colours[i], borderRadius: [0, 4, 4, 0] } })),
      label: { show: true, position: "right", color: palette.ink },
    }],
  };
}

/** Axis labels from the API's own times (already in the server's zone): "14:00" or "11/24" / "24/11". */
export function timelineLabel(t, hourly, language) {
  if (hourly) return t.slice(11, 16);
  return language === "fr" ? `${t.slice(8, 10)}/${t.slice(5, 7)}` : `${t.slice(5, 7)}/${t.slice(8, 10)}`;
}

export function timelineOption(timeline, labels, palette, gradient) {
  const hourly = timeline.bucket === "hour";
  return {
    tooltip: { ...tooltipStyle(palette), trigger: "axis" },
    grid: { left: 40, right: 16, top: 16, bottom: 28 },
    xAxis: { type: "category", data: timeline.points.map((point) => timelineLabel(point.t, hourly, labels.language)) },
    yAxis: { type: "value", minInterval: 1 },
    series: [{
      type: "line",
      name: labels.timelineSeries,
      smooth: true,
      symbol: "none",
      data: timeline.points.map((point) => point.clicks),
      lineStyle: { color: palette.steps[3], width: 2 },
      areaStyle: { color: gradient },
    }],
  };
}
