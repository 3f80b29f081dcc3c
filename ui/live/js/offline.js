// The panel in a saved page (ui/live/offline.py): no server. The linear methods are scored here for any
// combination of sliders; the other methods and the maps follow any one slider from the saved view (the file
// holds each slider's sweep); anything else says it is not in the file. Committing a position is local.

import { frameData, liveFrame, mask } from "./drag.js";

export const NOT_IN_FILE = "not in this file (move one slider from the saved view)";

// Which products break a hard no at these scores: a feature without a slider (fixed), or a slider's feature
// scored at or below the threshold.
export function hardNoOf(offline, values, threshold, except) {
  const n = offline.n;
  const out = mask(offline.fixedHardNo, n);
  for (const [feature, value] of values) {
    if (feature === except || !(value <= threshold)) continue;
    for (const p of offline.carries[feature] || []) out[p] = 1;
  }
  return [...out.keys()].filter((p) => out[p]);
}

// A sweep-shaped view of the file for the current scores, as drag.js reads a server's sweep.
export function offlineSweep(offline, data, values, feature) {
  const saved = new Map(offline.saved);
  const fromSaved = [...values].every(([f, v]) => f === feature || saved.get(f) === v);
  const held = offline.sweeps[feature];
  return {
    feature,
    base: [...values].filter(([f]) => f !== feature),
    order: held.order,
    positions: held.positions,
    complete: true,
    linear: offline.linear,
    tables: fromSaved ? held.tables : {},
    points: fromSaved ? held.points : {},
    carries: offline.carries[feature] || [],
    hardNoBase: hardNoOf(offline, values, data.live.threshold, feature),
    agreement: [],
    names: {},
    coords: {},
  };
}

// The page's data after a position is committed here: the frame, with the sliders at their new values.
export function committed(offline, data, values, feature, grab) {
  const sweep = offlineSweep(offline, data, values, feature);
  const frame = liveFrame(data, sweep, values, Boolean(grab));
  if (!frame) return data;
  const next = frameData(data, sweep, frame, grab);
  return { ...next, features: data.features.map((f) => ({ ...f, value: values.get(f.name) })) };
}

export function boot(mount) {
  const payload = JSON.parse(document.getElementById("sae-data").textContent);
  const root = document.getElementById("sae-root");
  const offline = payload.offline;
  // Adding a feature needs the server (the file's model covers the saved sliders): the box is hidden here.
  let data = { ...payload.panel, addable: [], live: { ...payload.panel.live, pendingText: NOT_IN_FILE } };
  let last = null;
  const component = { data, parentElement: root, setStateValue: null };
  component.setStateValue = (key, value) => {
    const ui = root.__saeLive;
    if (key === "sweep") {
      ui.sweeps.set(value.feature, offlineSweep(offline, data, ui.values, value.feature));
      return;
    }
    // The scores sent are the ones changed from the user's profile: the rest are the profile's own.
    const values = new Map(data.features.filter((f) => f.original !== null).map((f) => [f.name, f.original]));
    for (const [name, score] of value) values.set(name, score);
    const feature = [...values.keys()].find((f) => values.get(f) !== ui.values.get(f)) || last;
    if (!feature || !offline.sweeps[feature]) return;
    last = feature;
    data = committed(offline, data, values, feature, ui.grab);
    component.data = data;
    mount(component);
  };
  mount(component);
}
