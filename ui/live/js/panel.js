// The Explorer's live panel: feature sliders, rankings, divergence and maps in one element.
//
// Why one custom element: a slider move must redraw quickly. Drawn with standard Streamlit elements (a
// slider, two buttons per feature, a table, three charts), every move re-rendered dozens of React elements;
// the browser benchmark put that at 5x to 14x a one-slider app. Here Python sends one payload (its names made
// in ui/live/props.py) and this code updates the DOM and the canvases in place. Each concern is its own
// module (sliders, rankings, divergence, maps, format); ui/live/__init__.py joins them for the page.

import { node } from "./dom.js";
import { renderDivergence } from "./divergence.js";
import { catalogueOf, frameData, liveFrame, matches } from "./drag.js";
import { renderMaps } from "./maps.js";
import { columnsPerRow, renderRankings } from "./rankings.js";
import { renderSliders, withScore } from "./sliders.js";

const POLL_MS = 250; // how often an incomplete sweep is asked for again while its slider is in use
const KEY_PAUSE_MS = 400; // arrow keys: the server commits after this long without another key

// -- building the skeleton once ---------------------------------------------------------------------

function build(parent) {
  const root = node("div", "sae-live");
  const controls = node("section", "sae-controls");
  const head = node("div", "sae-controls-head");
  const who = node("div", "sae-who");
  const add = node("input", "sae-add");
  add.type = "text";
  add.placeholder = "add a feature";
  add.setAttribute("aria-label", "Add a feature");
  add.setAttribute("list", "sae-vocabulary");
  const vocabulary = node("datalist");
  vocabulary.id = "sae-vocabulary";
  const resetAll = node("button", "sae-button", "\u21ba Reset all");
  resetAll.type = "button";
  resetAll.title = "Reset every score to the user's profile";
  const share = node("div", "sae-share");
  const copy = node("button", "sae-button", "Copy link");
  copy.type = "button";
  copy.title = "Copy a link that reproduces this view";
  const copied = node("span", "sae-copied");
  share.append(copy, copied);
  head.append(who, add, vocabulary, resetAll, share);
  const note = node("div", "sae-note");
  const sliders = node("div", "sae-sliders");
  controls.append(head, note, sliders);

  const summaryRow = node("div", "sae-summary-row");
  const summary = node("div", "sae-summary");
  summary.setAttribute("role", "status");
  summaryRow.append(summary);
  const removed = node("details", "sae-removed");
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
    controls, summaryRow, removed, marks, shareNote, tableBox, divergenceTitle, divergenceNote, heat, bars, mapsTitle, mapsHead,
    legend, maps, mapsNote, tooltip,
  );
  parent.append(root);

  const mapParts = [mapsTitle, mapsHead, legend, maps, mapsNote];
  const ui = {
    mapParts, root, who, add, vocabulary, resetAll, note, sliders, summary, removed, marks, copy, copied, shareNote,
    tableBox,
    heat, bars, legend, mapsHead, maps, mapsNote, tooltip,
    rows: new Map(), panels: [], values: new Map(), send: () => {}, dragging: null, data: null, perRow: 0,
    sweeps: new Map(), nonce: 0, active: null, live: null, grab: null, commit: null, poll: null,
  };
  ui.prepare = (feature) => prepare(ui, feature);
  ui.move = (feature, value) => move(ui, feature, value);
  ui.release = (feature, value) => release(ui, feature, value);

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
    if (ui.shown && columnsPerRow(ui, ui.shown.methods.length) !== ui.perRow) renderRankings(ui, ui.shown);
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

// -- live dragging ------------------------------------------------------------------------------------

// Ask the server for a slider's sweep unless the one held was computed from the scores shown now.
function prepare(ui, feature) {
  ui.active = feature;
  const held = ui.sweeps.get(feature);
  if (held && held.complete && matches(held, ui.values)) return;
  ui.nonce += 1;
  ui.requestSweep({ feature, nonce: ui.nonce });
}

function move(ui, feature, value) {
  ui.active = feature;
  ui.live = withScore(ui.values, feature, value);
  ui.sent = ui.live; // a payload from before this position is stale: the sliders keep what the reader set
  clearTimeout(ui.commit);
  const sweep = ui.sweeps.get(feature);
  if (!matches(sweep, ui.live)) {
    ui.root.classList.add("sae-preparing");
    return;
  }
  if (!ui.grab) {
    const start = liveFrame(ui.data, sweep, ui.values, true);
    ui.grab = start ? start.positions : null;
  }
  drawFrame(ui, sweep, ui.live);
}

// The rankings and the headline redraw in the input event itself; the charts below them (heat maps, bars,
// maps) in the next animation frame, once however many positions the pointer crossed since the last one.
function drawFrame(ui, sweep, values) {
  const frame = liveFrame(ui.data, sweep, values, Boolean(ui.grab));
  if (!frame) return;
  const data = frameData(ui.data, sweep, frame, ui.grab);
  ui.root.classList.toggle("sae-preparing", !sweep.complete);
  ui.summary.setAttribute("aria-live", "off"); // announced once, when the server has the new position
  ui.summary.textContent = data.summary;
  renderRemoved(ui, data);
  renderRankings(ui, data);
  ui.charts = data;
  if (ui.chartsPending) return;
  ui.chartsPending = true;
  requestAnimationFrame(() => {
    ui.chartsPending = false;
    if (!ui.charts) return;
    renderDivergence(ui, ui.charts);
    if (ui.charts.maps) renderMaps(ui, ui.charts);
  });
}

// Pointer released: the server commits at once. Arrow keys: after a pause, so a held key plays the sweep.
function release(ui, feature, value) {
  const values = withScore(ui.values, feature, value);
  clearTimeout(ui.commit);
  if (ui.dragging === feature) ui.send(values);
  else ui.commit = setTimeout(() => ui.send(values), KEY_PAUSE_MS);
}

function keepPolling(ui) {
  clearTimeout(ui.poll);
  const held = ui.active && ui.sweeps.get(ui.active);
  if (!held || held.complete) return;
  ui.poll = setTimeout(() => {
    if (ui.active === held.feature) {
      ui.nonce += 1;
      ui.requestSweep({ feature: held.feature, nonce: ui.nonce });
    }
  }, POLL_MS);
}

// Keep a sweep unless the one held for its slider is as complete and from the same scores.
function keep(ui, sweep) {
  const held = ui.sweeps.get(sweep.feature);
  if (held && held.complete && !sweep.complete && JSON.stringify(held.base) === JSON.stringify(sweep.base)) return;
  ui.sweeps.set(sweep.feature, sweep);
}

// What the hard-no filter took out, by name, folded under the headline (the headline says how many).
function renderRemoved(ui, data) {
  const names = data.removed || [];
  ui.removed.hidden = !names.length;
  const open = ui.removed.open;
  const list = node("ul");
  for (const name of names) list.append(node("li", null, name));
  ui.removed.replaceChildren(node("summary", null, `Removed by the filter: ${names.length}`), list);
  ui.removed.open = open;
}

function sameScores(a, b) {
  if (!a || a.size !== b.size) return false;
  for (const [name, value] of a) if (b.get(name) !== value) return false;
  return true;
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
  ui.requestSweep = (request) => setStateValue("sweep", request);
  ui.data = data;
  catalogueOf(data.live); // keep the product names the first payload of a scenario carries
  for (const sweep of [...(data.sweeps || []), ...(data.sweep ? [data.sweep] : [])]) keep(ui, sweep);
  renderSliders(ui, data);
  // Which sliders are ready to play (complete sweeps from the scores shown): tests and curious readers see it.
  ui.root.dataset.live = [...ui.sweeps.values()].filter((s) => s.complete && matches(s, ui.values))
    .map((s) => s.feature).join("\n");
  ui.shareNote.textContent = data.shareNote || "";
  for (const part of ui.mapParts) part.hidden = !data.maps;
  keepPolling(ui);
  const sweep = ui.live && ui.sweeps.get(ui.active);
  const served = new Map(data.features.map((f) => [f.name, f.value]));
  if (ui.live && !sameScores(ui.live, served) && matches(sweep, ui.live)) {
    drawFrame(ui, sweep, ui.live); // the server has not committed the live position yet: keep playing it
    return;
  }
  ui.live = null;
  ui.grab = null;
  ui.charts = null; // a live frame's charts still waiting for an animation frame are not drawn over these
  ui.root.classList.remove("sae-preparing");
  ui.summary.setAttribute("aria-live", "polite");
  ui.summary.textContent = data.summary;
  renderRemoved(ui, data);
  renderRankings(ui, data);
  renderDivergence(ui, data);
  if (data.maps) renderMaps(ui, data);
}
