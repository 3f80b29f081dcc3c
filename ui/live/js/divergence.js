// Divergence: Kendall tau and overlap@k between every pair of shown methods (heat maps), and each method's
// agreement with the exact reference (bars).

import { COLOURS, node } from "./dom.js";
import { saveHeat } from "./figures.js";
import { fixed } from "./format.js";

const DIVERGING = [
  [178, 24, 43], [239, 138, 98], [253, 219, 199], [247, 247, 247], [209, 229, 240], [103, 169, 207], [33, 102, 172],
];
export const NO_VALUE_COLOUR = "rgb(233, 236, 239)";

// A value in [lo, hi] on a red-white-blue scale; null (not defined) is grey.
export function diverging(value, lo, hi) {
  if (value === null || value === undefined || Number.isNaN(value)) return NO_VALUE_COLOUR;
  const t = Math.min(1, Math.max(0, (value - lo) / (hi - lo))) * (DIVERGING.length - 1);
  const i = Math.min(DIVERGING.length - 2, Math.floor(t));
  const f = t - i;
  const mix = DIVERGING[i].map((c, j) => Math.round(c + (DIVERGING[i + 1][j] - c) * f));
  return `rgb(${mix[0]}, ${mix[1]}, ${mix[2]})`;
}

function heatmap(title, methods, values, lo) {
  const box = node("figure", "sae-heatmap");
  const caption = node("figcaption", "sae-chart-title", title);
  const png = node("button", "sae-button sae-png", "PNG");
  png.type = "button";
  png.setAttribute("aria-label", `Download "${title}" as a PNG`);
  png.addEventListener("click", () => saveHeat(`${lo < 0 ? "kendall-tau" : "overlap"}.png`, title, methods, values, lo));
  caption.append(" ", png);
  box.append(caption);
  const table = node("table");
  const head = node("tr");
  head.append(node("th", "sae-axis", "method"));
  for (const m of methods) head.append(node("th", "sae-col", m));
  table.append(head);
  values.forEach((row, i) => {
    const tr = node("tr");
    tr.append(node("th", "sae-row", methods[i]));
    row.forEach((v, j) => {
      const preparing = v === undefined; // a live frame whose sweep is not complete yet: never a guess
      const td = node("td", preparing ? "sae-pending" : null, preparing ? "…" : fixed(v));
      td.style.background = diverging(preparing ? null : v, lo, 1);
      td.style.color = v != null && Math.abs(v - (lo + 1) / 2) > 0.35 * (1 - lo) ? "white" : COLOURS.ink;
      td.title = `${methods[i]} vs ${methods[j]}: ${preparing ? "preparing" : fixed(v, 3)}`;
      tr.append(td);
    });
    table.append(tr);
  });
  const scale = node("div", "sae-scale");
  scale.append(node("span", null, fixed(lo, 0)), node("i", "sae-gradient"), node("span", null, "1"));
  box.append(table, scale);
  return box;
}

function bars(data) {
  const chart = node("figure", "sae-barchart");
  chart.append(node("figcaption", "sae-chart-title", "Each method's agreement with the exact reference"));
  const legend = node("div", "sae-legend");
  for (const [label, key] of [["Kendall tau", "tau"], [`overlap@${data.k}`, "overlap"], ["rank-biased overlap", "rbo"]]) {
    const item = node("span", "sae-legend-item");
    const swatch = node("i", "sae-swatch");
    swatch.style.background = COLOURS[key];
    item.append(swatch, document.createTextNode(label));
    legend.append(item);
  }
  const plot = node("div", "sae-bars-plot");
  const axis = node("div", "sae-bars-axis");
  for (const tick of [1, 0.5, 0, -0.5, -1]) axis.append(node("span", null, tick ? fixed(tick, 1).replace(/\.0$/, "") : "0"));
  const groups = node("div", "sae-bars-groups");
  for (const a of data.agreement) {
    const group = node("div", "sae-bar-group");
    const columns = node("div", "sae-bar-columns");
    for (const key of ["tau", "overlap", "rbo"]) {
      const v = a[key] === undefined ? null : a[key];
      const slot = node("div", a[key] === undefined ? "sae-bar-slot sae-pending" : "sae-bar-slot");
      const bar = node("div", "sae-bar");
      const size = v === null ? 0 : Math.abs(v) * 50;
      bar.style.height = `${size}%`;
      bar.style.background = COLOURS[key];
      bar.style[v !== null && v < 0 ? "top" : "bottom"] = "50%";
      bar.title = `${a.method}: ${key} ${fixed(v)}`;
      const label = node("span", "sae-bar-label", fixed(v));
      label.style[v !== null && v < 0 ? "top" : "bottom"] = `calc(50% + ${size}% + 2px)`;
      slot.append(bar, label);
      columns.append(slot);
    }
    group.append(columns, node("div", "sae-bar-name", a.method));
    groups.append(group);
  }
  plot.append(node("div", "sae-y-title", "agreement with exact"), axis, groups);
  chart.append(legend, plot, node("div", "sae-x-title", "method"));
  return chart;
}

export function renderDivergence(ui, data) {
  const h = data.heat;
  ui.heat.replaceChildren(
    heatmap("Kendall tau over all products (1 = same order)", h.methods, h.tau, -1),
    heatmap(`Overlap of the top ${data.k} (1 = same products)`, h.methods, h.overlap, 0),
  );
  ui.bars.replaceChildren(bars(data));
}
