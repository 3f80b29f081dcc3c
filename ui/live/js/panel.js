// The Explorer's live panel: feature sliders, rankings, divergence and maps in one element.
//
// Why one custom element: a slider move must redraw quickly. Drawn with standard Streamlit elements (a
// slider, two buttons per feature, a table, three charts), every move re-rendered dozens of React elements;
// the browser benchmark put that at 5x to 14x a one-slider app. Here Python sends one payload (its names made
// in ui/live/props.py) and this code updates the DOM and the canvases in place. Each concern is its own
// module (sliders, rankings, divergence, maps, format); ui/live/__init__.py joins them for the page.

import { node } from "./dom.js";
import { renderDivergence } from "./divergence.js";
import { renderMaps } from "./maps.js";
import { columnsPerRow, renderRankings } from "./rankings.js";
import { renderSliders, withScore } from "./sliders.js";

// -- building the skeleton once ---------------------------------------------------------------------

function build(parent) {
  const root = node("div", "sae-live");
  const controls = node("section", "sae-controls");
  const head = node("div", "sae-controls-head");
  const who = node("div", "sae-who");
  const add = node("input", "sae-add");
  add.type = "text";
  add.placeholder = "add a feature from the vocabulary";
  add.setAttribute("aria-label", "Add a feature");
  add.setAttribute("list", "sae-vocabulary");
  const vocabulary = node("datalist");
  vocabulary.id = "sae-vocabulary";
  const resetAll = node("button", "sae-button", "\u21ba Reset all");
  resetAll.type = "button";
  resetAll.title = "Reset every score to the user's profile";
  head.append(who, add, vocabulary, resetAll);
  const note = node("div", "sae-note");
  const sliders = node("div", "sae-sliders");
  controls.append(head, note, sliders);

  const summaryRow = node("div", "sae-summary-row");
  const summary = node("div", "sae-summary");
  summary.setAttribute("role", "status");
  const share = node("div", "sae-share");
  const copy = node("button", "sae-button", "Copy link");
  copy.type = "button";
  copy.title = "Copy a link that reproduces this view";
  const copied = node("span", "sae-copied");
  share.append(copy, copied);
  summaryRow.append(summary, share);
  const shareNote = node("div", "sae-note");
  const marks = node("div", "sae-legend sae-marks");

  const tableBox = node("div", "sae-table-box");
  const divergenceTitle = node("h3", "sae-h", "Divergence");
  const divergenceNote = node(
    "div",
    "sae-note",
    "Kendall \u03c4: do two methods put all products in the same order (1 same order, 0 unrelated, \u22121 "
      + "reversed)? Overlap@k: the share of the top k both lists contain. Rank-biased overlap: overlap at every "
      + "depth, weighted towards the top (p = 0.9; the first 10 places carry 86% of the weight).",
  );
  const heat = node("div", "sae-heat");
  const bars = node("div", "sae-bars");
  const mapsTitle = node("h3", "sae-h", "Maps");
  const mapsHead = node("div", "sae-chart-title");
  const legend = node("div", "sae-legend");
  const maps = node("div", "sae-maps");
  const mapsNote = node("div", "sae-note");
  const tooltip = node("div", "sae-tooltip");
  root.append(
    controls, summaryRow, marks, shareNote, tableBox, divergenceTitle, divergenceNote, heat, bars, mapsTitle, mapsHead,
    legend, maps, mapsNote, tooltip,
  );
  parent.append(root);

  const mapParts = [mapsTitle, mapsHead, legend, maps, mapsNote];
  const ui = {
    mapParts, root, who, add, vocabulary, resetAll, note, sliders, summary, marks, copy, copied, shareNote, tableBox,
    heat, bars, legend, mapsHead, maps, mapsNote, tooltip,
    rows: new Map(), panels: [], values: new Map(), send: () => {}, dragging: null, data: null, perRow: 0,
  };

  resetAll.addEventListener("click", () => ui.send(new Map()));
  add.addEventListener("change", () => {
    const feature = add.value.trim();
    if (ui.addable && ui.addable.has(feature)) {
      ui.send(withScore(ui.values, feature, 0));
      add.value = "";
    }
  });
  // The rankings' columns per row follow the panel's width: redraw them when that count changes.
  new ResizeObserver(() => {
    if (ui.data && columnsPerRow(ui, ui.data.methods.length) !== ui.perRow) renderRankings(ui, ui.data);
  }).observe(tableBox);
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(window.location.href);
      copied.textContent = "copied";
    } catch (error) {
      copied.textContent = window.location.href;
    }
    setTimeout(() => { copied.textContent = ""; }, 4000);
  });
  window.addEventListener("pointerup", () => { ui.dragging = null; });
  return ui;
}

// -- entry point ------------------------------------------------------------------------------------

export default function (component) {
  const { data, setStateValue, parentElement } = component;
  if (!data) return;
  let ui = parentElement.__saeLive;
  if (!ui) {
    ui = build(parentElement);
    parentElement.__saeLive = ui;
  }
  ui.send = (values) => { // a Map of every shown score; sent as [name, score] pairs
    ui.sent = values;
    setStateValue("scores", [...values]);
  };
  ui.data = data;
  renderSliders(ui, data);
  ui.summary.textContent = data.summary;
  ui.shareNote.textContent = data.shareNote || "";
  renderRankings(ui, data);
  renderDivergence(ui, data);
  for (const part of ui.mapParts) part.hidden = !data.maps;
  if (data.maps) renderMaps(ui, data);
}
