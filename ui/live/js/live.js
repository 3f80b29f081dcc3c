// The arithmetic of a live drag, as pure functions on plain arrays: scoring a linear method, ranking, the
// marks, agreement between rankings and the headline. Each follows the Python it mirrors (named below), and
// tests/js/live.test.mjs holds them against fixtures Python writes (tests/js/fixtures/).

const EPS = 1e-8; // core/numeric.py EPS: a vector this short is no direction, and scores 0
const SCORE_DECIMALS = 6; // core/retrieval/ranking.py: scores equal to this precision are ties
const RBO_P = 0.9;
const PREFIX_EDGES = [-0.7, -0.2, 0.2, 0.7]; // core/vectors/texts.py PREFIX_EDGES: an edge belongs below it

// Base64 of little-endian float32 (ui/live/props.py f32) as a Float32Array.
export function floats(text) {
  const bytes = typeof atob === "function" ? atob(text) : Buffer.from(text, "base64").toString("binary");
  const buffer = new ArrayBuffer(bytes.length);
  const view = new Uint8Array(buffer);
  for (let i = 0; i < bytes.length; i++) view[i] = bytes.charCodeAt(i);
  return new Float32Array(buffer);
}

// core/vectors/texts.py bucket_index: 0 strongly dislikes ... 4 strongly enjoys, rounded to 9 decimals first.
export function bucketIndex(score) {
  const rounded = Math.round(score * 1e9) / 1e9;
  return PREFIX_EDGES.filter((edge) => edge < rounded).length;
}

// core/explorer/sweep.py weights: (the basis vector a score selects, its weight) under a method's rule.
export function weightOf(rule, score) {
  if (rule === "bucket") return [bucketIndex(score), 1];
  return [0, rule === "tanh2" ? Math.tanh(2 * score) : score];
}

// A linear model (ui/live/props.py _linear) with its arrays decoded once.
export function decodeLinear(model) {
  if (model.decoded) return model.decoded;
  model.decoded = {
    weight: model.weight,
    features: model.features,
    fixed: floats(model.fixed),
    fixedNorm2: model.fixedNorm2,
    columns: model.columns.map((feature) => feature.map(floats)),
    cross: model.cross,
    gram: model.gram,
  };
  return model.decoded;
}

// core/explorer/sweep.py evaluate: every product's cosine for the moving features' scores (a Map by name).
export function linearScores(model, values) {
  const m = decodeLinear(model);
  const buckets = m.columns.length ? m.columns[0].length : 1;
  const size = m.features.length * buckets;
  const flat = new Float64Array(size);
  const dot = Float64Array.from(m.fixed);
  m.features.forEach((name, f) => {
    if (!values.has(name)) return; // a feature taken off the profile weighs nothing
    const [b, w] = weightOf(m.weight, values.get(name));
    flat[f * buckets + b] = w;
    const column = m.columns[f][b];
    if (w !== 0) for (let p = 0; p < dot.length; p++) dot[p] += w * column[p];
  });
  let norm2 = m.fixedNorm2;
  for (let i = 0; i < size; i++) {
    if (!flat[i]) continue;
    norm2 += 2 * flat[i] * m.cross[Math.floor(i / buckets)][i % buckets];
    for (let j = 0; j < size; j++) if (flat[j]) norm2 += flat[i] * flat[j] * m.gram[i * size + j];
  }
  const norm = Math.sqrt(Math.max(norm2, 0));
  if (!(norm > EPS)) return new Float64Array(dot.length);
  for (let p = 0; p < dot.length; p++) dot[p] /= norm;
  return dot;
}

// Every product's place, best first; ties keep product order (core/retrieval/ranking.py Ranking.order).
// Removed products (the hard-no filter) are left out.
export function order(scores, removed) {
  const kept = [];
  for (let i = 0; i < scores.length; i++) if (!removed || !removed[i]) kept.push(i);
  return kept.sort((a, b) => scores[b] - scores[a] || a - b);
}

// The best k product indices, best first: a partial selection (k is small, products many).
export function top(scores, k, removed) {
  const best = [];
  for (let i = 0; i < scores.length; i++) {
    if (removed && removed[i]) continue;
    const s = scores[i];
    if (best.length === k && !(s > scores[best[k - 1]])) continue;
    let at = best.length;
    while (at > 0 && s > scores[best[at - 1]]) at--;
    best.splice(at, 0, i);
    if (best.length > k) best.pop();
  }
  return best;
}

function rounded(values) {
  const scale = 10 ** SCORE_DECIMALS;
  return Array.from(values, (v) => Math.round(v * scale) / scale);
}

function sign(value) {
  return value > 0 ? 1 : value < 0 ? -1 : 0;
}

// Kendall's tau-b over every pair (core/retrieval/ranking.py kendall_tau), on scores rounded to 6 decimals so
// near-equal cosines tie. null when not defined (fewer than 2 products, or one side all ties).
export function kendallTau(a, b) {
  const n = a.length;
  if (n < 2) return null;
  const x = rounded(a);
  const y = rounded(b);
  let concordance = 0;
  let untiedX = 0;
  let untiedY = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = sign(x[i] - x[j]);
      const dy = sign(y[i] - y[j]);
      concordance += dx * dy;
      if (dx) untiedX++;
      if (dy) untiedY++;
    }
  }
  if (!untiedX || !untiedY) return null;
  return concordance / Math.sqrt(untiedX * untiedY);
}

// core/retrieval/ranking.py overlap_at_k: the share of the top k both lists hold.
export function overlapAtK(topA, topB, k, n) {
  const depth = Math.min(k, n);
  if (depth <= 0) return 1;
  const seen = new Set(topA.slice(0, depth));
  return topB.slice(0, depth).filter((i) => seen.has(i)).length / depth;
}

function positions(ranked, n) {
  const out = new Int32Array(n);
  ranked.forEach((product, place) => { out[product] = place; });
  return out;
}

// core/retrieval/ranking.py rank_biased_overlap (extrapolated, p = 0.9), from two full orders of n products.
export function rbo(orderA, orderB, p = RBO_P) {
  const n = orderA.length;
  if (!n) return 1;
  const index = new Map(orderA.map((product, i) => [product, i]));
  const counts = new Float64Array(n + 1);
  orderB.forEach((product, j) => { counts[Math.max(index.get(product), j) + 1] += 1; });
  let overlap = 0;
  let total = 0;
  let agreement = 0;
  for (let d = 1; d <= n; d++) {
    overlap += counts[d];
    agreement = overlap / d;
    total += agreement * p ** d;
  }
  const value = ((1 - p) / p) * total + agreement * p ** n;
  return Math.min(1, Math.max(0, value));
}

// core/retrieval/ranking.py measure_agreement over the kept products: (m x m) tau, overlap@k and RBO.
export function agreement(scores, k, removed) {
  const names = Object.keys(scores);
  const keptIndex = [];
  const n = scores[names[0]].length;
  for (let i = 0; i < n; i++) if (!removed || !removed[i]) keptIndex.push(i);
  const kept = {};
  const orders = {};
  for (const m of names) {
    kept[m] = keptIndex.map((i) => scores[m][i]);
    orders[m] = order(kept[m], null);
  }
  const size = names.length;
  const grid = () => names.map(() => new Array(size).fill(1));
  const out = { methods: names, tau: grid(), overlap: grid(), rbo: grid() };
  for (let i = 0; i < size; i++) {
    for (let j = i + 1; j < size; j++) {
      const a = names[i];
      const b = names[j];
      out.tau[i][j] = out.tau[j][i] = kendallTau(kept[a], kept[b]);
      out.overlap[i][j] = out.overlap[j][i] = overlapAtK(orders[a], orders[b], k, keptIndex.length);
      out.rbo[i][j] = out.rbo[j][i] = rbo(orders[a], orders[b]);
    }
  }
  return out;
}

// -- the headline (core/explorer/panel.py summary, filter_note; core/wording.py counted, join_names) ---------

export function counted(n, noun, plural) {
  return `${n.toLocaleString("en-US")} ${n === 1 ? noun : plural || `${noun}s`}`;
}

export function joinNames(names, conjunction = "and") {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} ${conjunction} ${names[names.length - 1]}`;
}

// core/wording.py score_text: two decimals at most, no trailing zeros.
export function scoreText(score) {
  const value = Number(score.toFixed(2));
  return value === 0 ? "0" : String(value);
}

function countedLine(counts, k, what) {
  const ranked = [...counts].sort((a, b) => b[1] - a[1]);
  const some = ranked.filter(([, c]) => c).map(([label, c]) => `${label.toLowerCase()} ${c}`);
  const none = ranked.filter(([, c]) => !c).map(([label]) => label.toLowerCase());
  const head = `${what[0].toUpperCase()}${what.slice(1)} (top ${k}): `;
  if (!some.length) return `${head}no method.`;
  return head + some.join(", ") + (none.length ? `; none for ${joinNames(none)}.` : ".");
}

// counts: [[label, hardNoCount, dislikedCount], ...] in the panel's method order.
export function summary(counts, k, products, hasHardNo, names, threshold) {
  if (k >= products && products === 1) return `With 1 product and top ${k}, every method shows it: nothing can differ.`;
  if (k >= products) {
    return `With ${counted(products, "product")} and top ${k}, every method shows every product: only the order can differ.`;
  }
  const parts = [];
  if (hasHardNo) parts.push(countedLine(counts.map(([l, h]) => [l, h]), k, names.hardNo));
  else parts.push(`${names.hardNo[0].toUpperCase()}${names.hardNo.slice(1)}: no score is at ${scoreText(threshold)} or below.`);
  parts.push(countedLine(counts.map(([l, , d]) => [l, d]), k, names.disliked));
  return parts.join("\n");
}

// core/explorer/panel.py reasons: which of the user's hard-no features a product carries, with its scores.
export function reasons(carried, hardNoFeatures) {
  const scores = new Map(carried || []);
  const found = hardNoFeatures.filter((f) => scores.get(f) > 0).map((f) => `${f} (+${scoreText(scores.get(f))})`);
  return found.length ? `carries ${joinNames(found)}` : "";
}

export function filterNote(removed, features, threshold) {
  const at = scoreText(threshold);
  if (!features.length) return `Hard-no filter on: this user scores no feature at ${at} or below, so nothing is removed.`;
  const what = features.length <= 4 ? joinNames(features, "or") : `any of ${counted(features.length, "feature")}`;
  const which = removed === 1 ? "product that carries" : "products that carry";
  const verb = removed === 1 ? "is" : "are";
  return `Hard-no filter on: ${removed} ${which} ${what} (scored ${at} or below) ${verb} removed for every method.`;
}
