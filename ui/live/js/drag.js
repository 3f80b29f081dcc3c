// A live frame: what the panel shows at one slider position, computed here from a sweep (ui/live/props.py
// sweep_props) and the current scores, with no server round trip. The server commits the position on release.
//
// Linear methods are scored here (live.js linearScores). Tabulated methods (text, vector database) read the
// sweep's column for the position; until the sweep is complete they keep the server's last column, marked as
// preparing. Small scenarios measure agreement here; large ones read each position's agreement from the sweep.

import {
  agreement,
  filterNote,
  floats,
  linearScores,
  order,
  reasons,
  summary,
  top,
} from "./live.js";

export function positionOf(value, positions) {
  const i = positions.findIndex((p) => Math.abs(p - value) < 1e-9);
  return i < 0 ? null : i;
}

// Whether a sweep was computed from the scores now shown (every other slider where the sweep had it).
export function matches(sweep, values) {
  if (!sweep || !values.has(sweep.feature)) return false;
  const base = new Map(sweep.base);
  for (const [name, value] of values) if (name !== sweep.feature && base.get(name) !== value) return false;
  return true;
}

export function mask(indices, n) {
  const out = new Uint8Array(n);
  for (const i of indices) out[i] = 1;
  return out;
}

function tableScores(table, i) {
  if (table.tops) return null;
  table.decoded = table.decoded || table.scores.map(floats);
  return table.decoded[table.state[i]];
}

// Every shown method's scores (or top k, above the dense limit) at position i; null where not ready yet.
function scoresAt(data, sweep, values, i) {
  const out = {};
  for (const method of data.methods) {
    const name = method.name;
    if (sweep.linear[name]) out[name] = { scores: linearScores(sweep.linear[name], values) };
    else if (sweep.tables[name]) {
      const table = sweep.tables[name];
      if (!table.tops) out[name] = { scores: tableScores(table, i) };
      else out[name] = table.tops[i] ? { tops: table.tops[i] } : null; // a position not ranked yet
    } else out[name] = null;
  }
  return out;
}

function marks(sweep, live, value, n) {
  const carries = mask(sweep.carries, n);
  const hardNo = mask(sweep.hardNoBase, n);
  if (value <= live.threshold) for (let p = 0; p < n; p++) hardNo[p] = hardNo[p] || carries[p];
  return hardNo;
}

function hardNoFeatures(sweep, values, threshold) {
  const base = new Map(sweep.base);
  return sweep.order.filter((f) => (f === sweep.feature ? values.get(f) : base.get(f)) <= threshold);
}

// The pieces of one frame every renderer reads, shaped like the server's props (ui/live/props.py to_props).
export function liveFrame(data, sweep, values, grab) {
  const i = positionOf(values.get(sweep.feature), sweep.positions);
  if (i === null) return null;
  const live = data.live;
  const exact = linearScores(sweep.linear.exact, values);
  const n = exact.length;
  const hardNo = marks(sweep, live, values.get(sweep.feature), n);
  const carriesNow = values.get(sweep.feature) <= live.threshold ? mask(sweep.carries, n) : new Uint8Array(n);
  const removed = live.filtered ? hardNo : null;
  const got = scoresAt(data, sweep, values, i);
  const k = data.k;
  const tops = {};
  for (const [name, entry] of Object.entries(got)) {
    if (!entry) tops[name] = null;
    else tops[name] = entry.tops ? entry.tops[0] : top(entry.scores, k, removed);
  }
  const dense = live.dense;
  const full = {};
  for (const [name, entry] of Object.entries(got)) if (entry && entry.scores) full[name] = entry.scores;
  if (!full.exact) full.exact = exact;
  const ready = data.methods.every((m) => got[m.name]);
  const measured = dense && ready ? agreement(full, k, removed) : null;
  const large = !dense && sweep.agreement.length ? sweep.agreement[i] : null; // null: not ranked yet
  return {
    i, n, exact, hardNo, carriesNow, removed, got, tops, measured, large, ready,
    positions: dense && grab ? placesOf(full, removed) : null,
    features: hardNoFeatures(sweep, values, live.threshold),
  };
}

// Every product's place in every ranking, as the server counts places for the arrows
// (core/retrieval/ranking.py Ranking.positions): products the filter removed come last, in product order.
export function placesOf(full, removed) {
  const out = {};
  for (const [name, scores] of Object.entries(full)) {
    const ranked = order(removed ? scores.map((s, p) => (removed[p] ? -Infinity : s)) : scores, null);
    const places = new Int32Array(scores.length);
    ranked.forEach((p, place) => { places[p] = place; });
    out[name] = places;
  }
  return out;
}

// Every product's name and profile (small scenarios), sent once per scenario and kept by its key, like the
// map's background: on the page's global object, so a remounted panel still has them.
export function catalogueOf(live) {
  const held = (globalThis.__saeCatalogues = globalThis.__saeCatalogues || new Map());
  const c = live && live.catalogue;
  if (!c) return null;
  if (c.names) {
    held.set(c.key, { names: c.names, profiles: c.profiles, carried: c.carried });
    while (held.size > 4) held.delete(held.keys().next().value);
  }
  return held.get(c.key) || null;
}

function names(data, sweep) {
  const catalogue = catalogueOf(data.live);
  if (catalogue) {
    return {
      name: (p) => catalogue.names[p],
      profile: (p) => catalogue.profiles[p],
      reasons: (p, features) => reasons(catalogue.carried[p], features),
    };
  }
  return {
    name: (p) => (sweep.names[p] || [`product ${p}`])[0],
    profile: (p) => (sweep.names[p] || ["", ""])[1],
    reasons: (p, features) => (features.includes(sweep.feature) ? `carries ${sweep.feature}` : ""),
  };
}

function scoreOf(frame, name, product, place) {
  const entry = frame.got[name];
  return entry.tops ? entry.tops[1][place] : entry.scores[product];
}

function agreementOf(frame, methods, name) {
  if (frame.measured) {
    const a = frame.measured;
    const i = a.methods.indexOf(name);
    const j = a.methods.indexOf("exact");
    return { tau: a.tau[i][j], overlap: a.overlap[i][j], rbo: a.rbo[i][j] };
  }
  if (frame.large) {
    const i = methods.indexOf(name);
    const j = methods.indexOf("exact");
    if (j >= 0) return { tau: frame.large.tau[i][j], overlap: frame.large.overlap[i][j], rbo: frame.large.rbo[i][j] };
  }
  return { tau: undefined, overlap: undefined, rbo: undefined }; // not known yet: drawn as preparing
}

// The frame as the renderers' data: methods (columns), heat, agreement, summary, and the maps' panels.
export function frameData(data, sweep, frame, grab) {
  const lookup = names(data, sweep);
  const methodNames = data.methods.map((m) => m.name);
  const methods = data.methods.map((method) => {
    const name = method.name;
    const chosen = frame.tops[name];
    if (!chosen) return { ...method, pending: true, pendingText: data.live.pendingText };
    const versus = agreementOf(frame, methodNames, name);
    const topItems = chosen.map((product, place) => ({
      name: lookup.name(product),
      score: scoreOf(frame, name, product, place),
      shift: grab && frame.positions && grab[name] ? frame.positions[name][product] - grab[name][product] : 0,
      hardNo: Boolean(frame.hardNo[product]),
      disliked: frame.exact[product] < data.live.dislikedBelow,
      profile: lookup.profile(product),
      reasons: frame.hardNo[product] ? lookup.reasons(product, frame.features) : "",
      index: product,
    }));
    const counts = {
      hardNo: topItems.filter((t) => t.hardNo).length,
      disliked: topItems.filter((t) => t.disliked).length,
    };
    return { ...method, tau: versus.tau, overlap: versus.overlap, counts, top: topItems, pending: false };
  });
  return {
    ...data,
    methods,
    heat: heatOf(frame, methodNames),
    agreement: methods.map((m) => ({ method: m.name, ...(m.pending ? {} : agreementOf(frame, methodNames, m.name)) })),
    summary: headline(data, frame, methods),
    removed: frame.removed ? [...frame.removed.keys()].filter((p) => frame.removed[p]).map(lookup.name) : [],
    maps: data.maps ? livePanels(data, sweep, frame, methods) : null,
  };
}

function heatOf(frame, methods) {
  const pick = (grid, source) => methods.map((a) => methods.map((b) => grid[source.indexOf(a)][source.indexOf(b)]));
  if (frame.measured) {
    const a = frame.measured;
    return { methods, tau: pick(a.tau, a.methods), overlap: pick(a.overlap, a.methods) };
  }
  if (frame.large) return { methods, tau: frame.large.tau, overlap: frame.large.overlap };
  const unknown = methods.map(() => methods.map(() => undefined));
  return { methods, tau: unknown, overlap: unknown };
}

function headline(data, frame, methods) {
  const kept = frame.removed ? frame.n - frame.removed.reduce((a, b) => a + b, 0) : frame.n;
  const counts = methods.filter((m) => !m.pending).map((m) => [m.label, m.counts.hardNo, m.counts.disliked]);
  const names = { hardNo: data.marks.hardNo.name, disliked: data.marks.disliked.name };
  const text = summary(counts, data.k, kept, frame.features.length > 0, names, data.live.threshold);
  if (!frame.removed) return text;
  return `${filterNote(frame.n - kept, frame.features, data.live.threshold)}\n${text}`;
}

function livePanels(data, sweep, frame, methods) {
  const panels = data.maps.panels.map((panel, j) => {
    const method = methods[j];
    const points = sweep.points[method.name];
    if (method.pending || !points || !points[frame.i]) return { ...panel, pending: true };
    const coords = sweep.coords[method.name];
    const where = (product) => (coords ? coords[Object.keys(sweep.names).indexOf(String(product))] : null);
    return {
      ...panel,
      user: points[frame.i],
      top: method.top.map((t) => where(t.index)),
      topIndex: method.top.map((t) => t.index),
      topLabels: method.top.map((t, place) => `#${place + 1} ${t.name}`),
      hardNo: method.top.map((t) => t.hardNo),
      disliked: method.top.map((t) => t.disliked),
    };
  });
  return { ...data.maps, panels };
}
