// The sliders: one row per shown feature (a range input, flip and reset), "add a feature" and "reset all".
//
// Names are data, never keys of a plain object: a feature may be called "__proto__", "constructor" or
// "toString", which a plain object confuses with its prototype's properties. Scores live in a Map and travel
// to Python as [name, score] pairs (ui/live/__init__.py reads them back).

import { node } from "./dom.js";
import { fixed } from "./format.js";

export function withScore(values, name, value) {
  const next = new Map(values);
  next.set(name, value);
  return next;
}

// A slider's position as the score it stands for: two decimals, as the server stores it.
export function sliderScore(text) {
  return Math.round(parseFloat(text) * 100) / 100;
}

function sliderRow(ui, feature) {
  const row = node("div", "sae-slider");
  row.dataset.feature = feature.name;
  const label = node("label", "sae-slider-label");
  const name = node("span", "sae-slider-name", feature.name);
  name.title = feature.name; // a long name is cut with an ellipsis; its whole text stays one hover away
  const value = node("span", "sae-slider-value");
  label.append(name, value);
  const input = node("input");
  input.type = "range";
  input.min = "-1";
  input.max = "1";
  input.step = "0.05";
  input.setAttribute("aria-label", feature.name);
  const flip = node("button", "sae-icon", "\u21c4");
  flip.type = "button";
  flip.title = `Flip the sign of ${feature.name}`;
  flip.setAttribute("aria-label", flip.title);
  const reset = node("button", "sae-icon", "\u21b6");
  reset.type = "button";
  reset.setAttribute("aria-label", `Reset ${feature.name}`);
  const line = node("div", "sae-slider-line");
  const track = node("span", "sae-track");
  const threshold = node("i", "sae-threshold"); // where a score becomes a hard no
  threshold.setAttribute("aria-hidden", "true");
  track.append(input, threshold);
  line.append(track, flip, reset);
  row.append(label, line);

  const entry = { row, input, value, reset, threshold, feature: feature.name, original: feature.original };
  // Hovering or focusing a slider asks for its sweep, so it is there when the slider is grabbed.
  row.addEventListener("pointerenter", () => ui.prepare(feature.name));
  input.addEventListener("focus", () => ui.prepare(feature.name));
  input.addEventListener("pointerdown", () => {
    ui.dragging = feature.name;
    ui.prepare(feature.name);
  });
  input.addEventListener("input", () => {
    const now = parseFloat(input.value);
    const hardNo = ui.data && ui.data.live && now <= ui.data.live.threshold;
    value.textContent = fixed(now) + (hardNo ? " \u00b7 hard no" : "");
    value.classList.toggle("sae-hardno-now", Boolean(hardNo));
    ui.move(feature.name, sliderScore(input.value));
  });
  input.addEventListener("change", () => ui.release(feature.name, sliderScore(input.value)));
  flip.addEventListener("click", () => {
    ui.send(withScore(ui.values, feature.name, -(ui.values.get(feature.name) ?? 0) || 0));
  });
  reset.addEventListener("click", () => {
    const next = new Map(ui.values);
    if (entry.original === null) next.delete(feature.name);
    else next.set(feature.name, entry.original);
    ui.send(next);
  });
  return entry;
}

// A payload computed before the user's latest change is stale: Streamlit reruns once more with the
// latest scores. Until then the sliders keep what the user set (a key held down or a quick drag must not
// snap back), and the next change builds on it.
export function isStale(pending, features) {
  if (!pending) return false;
  const shown = new Set(features.map((f) => f.name));
  for (const name of pending.keys()) if (!shown.has(name)) return true;
  return features.some((f) => f.value !== (pending.has(f.name) ? pending.get(f.name) : f.original));
}

export function renderSliders(ui, data) {
  ui.who.textContent = data.user;
  ui.note.textContent = data.note || "";
  const pending = ui.sent;
  const stale = isStale(pending, data.features);
  if (!stale) ui.sent = null;
  ui.values = new Map();
  const wanted = new Set(data.features.map((f) => f.name));
  for (const [name, entry] of ui.rows) {
    if (!wanted.has(name)) {
      entry.row.remove();
      ui.rows.delete(name);
    }
  }
  data.features.forEach((feature, i) => {
    let entry = ui.rows.get(feature.name);
    if (!entry || entry.original !== feature.original) {
      if (entry) entry.row.remove();
      entry = sliderRow(ui, feature);
      ui.rows.set(feature.name, entry);
    }
    if (ui.sliders.children[i] !== entry.row) ui.sliders.insertBefore(entry.row, ui.sliders.children[i] || null);
    const value = stale && pending.has(feature.name) ? pending.get(feature.name) : feature.value;
    ui.values.set(feature.name, value);
    if (ui.dragging !== feature.name && parseFloat(entry.input.value) !== value) {
      entry.input.value = String(value);
    }
    const hardNo = data.live && value <= data.live.threshold;
    entry.value.textContent = fixed(value) + (hardNo ? " \u00b7 hard no" : "");
    entry.value.classList.toggle("sae-hardno-now", Boolean(hardNo));
    if (data.live) {
      entry.threshold.style.setProperty("--sae-at", String((data.live.threshold + 1) / 2));
      entry.threshold.title = `A hard no: a score at or below ${fixed(data.live.threshold)}`;
      entry.input.setAttribute("aria-valuetext", `${fixed(value)}${hardNo ? ", a hard no" : ""}`);
    }
    entry.row.classList.toggle("sae-changed", value !== feature.original);
    entry.reset.title = feature.original === null ? `Remove ${feature.name}` : `Reset ${feature.name} to ${fixed(feature.original)}`;
  });
  const addable = data.addable || [];
  const addableKey = addable.join("\n");
  if (ui.addableKey !== addableKey) { // up to 1,000 options: rebuilt only when the list changes
    ui.addableKey = addableKey;
    ui.addable = new Set(addable);
    ui.vocabulary.replaceChildren(...addable.map((f) => { const o = node("option"); o.value = f; return o; }));
  }
  ui.add.hidden = !addable.length;
}
