// The Explorer's live panel: feature sliders, rankings, divergence and maps in one element.
//
// Why one custom element: a slider move must redraw quickly. Drawn with standard
// Streamlit elements (a slider, two buttons per feature, a table, three charts),
// every move re-rendered dozens of React elements; the browser benchmark put that
// at 5x to 14x a one-slider app. Here Python sends one JSON payload and this code
// updates the DOM and the canvases in place.
//
// Safety: every text from the payload (names, profiles, messages) is set with
// textContent or as an attribute value. Nothing is ever parsed as HTML.
//
// Names are data, never keys of a plain object: a feature may be called "__proto__", "constructor" or
// "toString", which a plain object confuses with its prototype's properties. Scores live in a Map here and
// travel to Python as [name, score] pairs (ui/live/__init__.py reads them back).

const COLOURS = {
  background: "#adb5bd",
  top: "#1971c2",
  hardNo: "#c92a2a",
  disliked: "#f08c00",
  user: "#fcc419",
  ink: "#1f2430",
  muted: "#868e96",
  tau: "#495057",
  overlap: "#1971c2",
  rbo: "#0c8599",
};
const DIVERGING = [
  [178, 24, 43], [239, 138, 98], [253, 219, 199], [247, 247, 247], [209, 229, 240], [103, 169, 207], [33, 102, 172],
];

function node(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined && text !== null) element.textContent = String(text);
  return element;
}

function signed(value, digits = 2) {
  return (value > 0 ? "+" : value < 0 ? "\u2212" : "") + Math.abs(value).toFixed(digits);
}

function score(value) {
  return typeof value === "number" && Number.isFinite(value) ? value.toFixed(2) : "\u2013";
}

function diverging(value, lo, hi) {
  if (value === null || value === undefined || Number.isNaN(value)) return "rgb(233, 236, 239)";
  const t = Math.min(1, Math.max(0, (value - lo) / (hi - lo))) * (DIVERGING.length - 1);
  const i = Math.min(DIVERGING.length - 2, Math.floor(t));
  const f = t - i;
  const mix = DIVERGING[i].map((c, j) => Math.round(c + (DIVERGING[i + 1][j] - c) * f));
  return `rgb(${mix[0]}, ${mix[1]}, ${mix[2]})`;
}

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

// -- sliders ----------------------------------------------------------------------------------------

function withScore(values, name, value) {
  const next = new Map(values);
  next.set(name, value);
  return next;
}

function sliderRow(ui, feature) {
  const row = node("div", "sae-slider");
  row.dataset.feature = feature.name;
  const label = node("label", "sae-slider-label");
  const name = node("span", "sae-slider-name", feature.name);
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
  line.append(input, flip, reset);
  row.append(label, line);

  const entry = { row, input, value, reset, feature: feature.name, original: feature.original };
  input.addEventListener("pointerdown", () => { ui.dragging = feature.name; });
  input.addEventListener("input", () => { value.textContent = score(parseFloat(input.value)); });
  input.addEventListener("change", () => {
    ui.send(withScore(ui.values, feature.name, Math.round(parseFloat(input.value) * 100) / 100));
  });
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
function isStale(pending, features) {
  if (!pending) return false;
  const shown = new Set(features.map((f) => f.name));
  for (const name of pending.keys()) if (!shown.has(name)) return true;
  return features.some((f) => f.value !== (pending.has(f.name) ? pending.get(f.name) : f.original));
}

function renderSliders(ui, data) {
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
    entry.value.textContent = score(value);
    entry.row.classList.toggle("sae-changed", value !== feature.original);
    entry.reset.title = feature.original === null ? `Remove ${feature.name}` : `Reset ${feature.name} to ${score(feature.original)}`;
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

// -- rankings ---------------------------------------------------------------------------------------

// A method's column is never narrower than this (rem): a product name keeps a few words a line. When the
// panel is too narrow for every method, the columns wrap into rows of equal size (9 methods at 4 a row make
// 3 rows of 3, not 4 + 4 + 1), each row a table with its own header, so no method is out of sight.
const MIN_COLUMN_REM = 8.5;

function columnsPerRow(ui, count) {
  const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
  const width = ui.tableBox.clientWidth || ui.root.clientWidth || 1000;
  const fit = Math.max(1, Math.floor(width / (MIN_COLUMN_REM * rem)));
  const rows = Math.ceil(count / Math.max(1, Math.min(fit, count)));
  return Math.ceil(count / rows);
}

function statsCell(method, marks) {
  const list = node("div", "sae-stat-list");
  for (const text of method.stats) list.append(node("span", "sae-stat", text));
  for (const [key, label] of [["hardNo", "hard no"], ["disliked", "disliked"]]) {
    const count = method.counts[key];
    if (count === undefined) continue;
    const item = node("span", count ? `sae-count sae-count-${key}` : "sae-count", `${label} ${count}`);
    item.title = `${count} of the top k: ${marks[key].name}`;
    list.append(item);
  }
  const cell = node("td");
  cell.append(list);
  return cell;
}

function placeCell(item, place, marks) {
  const td = node("td");
  if (!item) return td;
  td.title = `${item.name}: ${item.profile}`;
  const kind = item.hardNo ? " sae-hardno" : item.disliked ? " sae-disliked" : "";
  const name = node("span", `sae-name${kind}`, `${place + 1}. `);
  for (const [key, swatch] of [["hardNo", "hardno"], ["disliked", "disliked"]]) {
    if (!item[key]) continue;
    const flag = node("i", `sae-swatch sae-swatch-${swatch}`);
    flag.title = marks[key].text;
    name.append(flag, document.createTextNode(" "));
  }
  name.append(document.createTextNode(item.name));
  td.append(name, node("code", "sae-score", signed(item.score)));
  if (item.shift) { // places moved since the last change: positive = further down
    const up = item.shift < 0;
    td.append(node("span", up ? "sae-up" : "sae-down", up ? `\u2191${-item.shift}` : `\u2193${item.shift}`));
  }
  return td;
}

function rankingTable(methods, perRow, depth, marks) {
  const table = node("table", "sae-rankings");
  table.style.setProperty("--sae-columns", String(perRow));
  // A shorter last row keeps the same column width as the rows above it.
  if (methods.length < perRow) table.style.width = `${(100 * methods.length) / perRow}%`;
  const head = node("thead");
  const labels = node("tr");
  const stats = node("tr", "sae-stats");
  for (const method of methods) {
    const th = node("th", null, method.label);
    th.title = method.summary;
    th.scope = "col";
    labels.append(th);
    stats.append(statsCell(method, marks));
  }
  head.append(labels, stats);
  const body = node("tbody");
  for (let place = 0; place < depth; place++) {
    const tr = node("tr");
    for (const method of methods) tr.append(placeCell(method.top[place], place, marks));
    body.append(tr);
  }
  table.append(head, body);
  return table;
}

function renderRankings(ui, data) {
  const methods = data.methods;
  const perRow = columnsPerRow(ui, methods.length);
  ui.perRow = perRow;
  // With fewer products than k, every list is shorter than k: draw only the places some method fills.
  const depth = Math.min(data.k, Math.max(0, ...methods.map((m) => m.top.length)));
  const tables = [];
  for (let i = 0; i < methods.length; i += perRow) {
    tables.push(rankingTable(methods.slice(i, i + perRow), perRow, depth, data.marks));
  }
  ui.tableBox.replaceChildren(...tables);
  ui.marks.replaceChildren();
  for (const [key, swatch] of [["hardNo", "hardno"], ["disliked", "disliked"]]) {
    const item = node("span", "sae-legend-item");
    item.append(node("i", `sae-swatch sae-swatch-${swatch}`), document.createTextNode(data.marks[key].text));
    ui.marks.append(item);
  }
}

// -- divergence -------------------------------------------------------------------------------------

function heatmap(title, methods, values, lo) {
  const box = node("figure", "sae-heatmap");
  box.append(node("figcaption", "sae-chart-title", title));
  const table = node("table");
  const head = node("tr");
  head.append(node("th", "sae-axis", "method"));
  for (const m of methods) head.append(node("th", "sae-col", m));
  table.append(head);
  values.forEach((row, i) => {
    const tr = node("tr");
    tr.append(node("th", "sae-row", methods[i]));
    row.forEach((v, j) => {
      const td = node("td", null, v === null ? "n/a" : v.toFixed(2));
      td.style.background = diverging(v, lo, 1);
      td.style.color = v !== null && Math.abs(v - (lo + 1) / 2) > 0.35 * (1 - lo) ? "white" : COLOURS.ink;
      td.title = `${methods[i]} vs ${methods[j]}: ${v === null ? "undefined" : v.toFixed(3)}`;
      tr.append(td);
    });
    table.append(tr);
  });
  const scale = node("div", "sae-scale");
  scale.append(node("span", null, lo.toFixed(0)), node("i", "sae-gradient"), node("span", null, "1"));
  box.append(table, scale);
  return box;
}

function renderDivergence(ui, data) {
  const h = data.heat;
  ui.heat.replaceChildren(
    heatmap("Kendall tau over all products (1 = same order)", h.methods, h.tau, -1),
    heatmap(`Overlap of the top ${data.k} (1 = same products)`, h.methods, h.overlap, 0),
  );
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
  for (const tick of ["1", "0.5", "0", "\u22120.5", "\u22121"]) axis.append(node("span", null, tick));
  const groups = node("div", "sae-bars-groups");
  for (const a of data.agreement) {
    const group = node("div", "sae-bar-group");
    const columns = node("div", "sae-bar-columns");
    for (const key of ["tau", "overlap", "rbo"]) {
      const v = a[key];
      const slot = node("div", "sae-bar-slot");
      const bar = node("div", "sae-bar");
      const size = v === null ? 0 : Math.abs(v) * 50;
      bar.style.height = `${size}%`;
      bar.style.background = COLOURS[key];
      bar.style[v !== null && v < 0 ? "top" : "bottom"] = "50%";
      bar.title = `${a.method}: ${key} ${v === null ? "n/a" : v.toFixed(2)}`;
      const label = node("span", "sae-bar-label", v === null ? "n/a" : v.toFixed(2));
      label.style[v !== null && v < 0 ? "top" : "bottom"] = `calc(50% + ${size}% + 2px)`;
      slot.append(bar, label);
      columns.append(slot);
    }
    group.append(columns, node("div", "sae-bar-name", a.method));
    groups.append(group);
  }
  plot.append(node("div", "sae-y-title", "agreement with exact"), axis, groups);
  chart.append(legend, plot, node("div", "sae-x-title", "method"));
  ui.bars.replaceChildren(chart);
}

// -- maps -------------------------------------------------------------------------------------------

function star(ctx, x, y, r) {
  ctx.beginPath();
  for (let i = 0; i < 10; i++) {
    const radius = i % 2 ? r * 0.45 : r;
    const angle = -Math.PI / 2 + (i * Math.PI) / 5;
    ctx.lineTo(x + radius * Math.cos(angle), y + radius * Math.sin(angle));
  }
  ctx.closePath();
}

function drawPanel(ui, panel, spec) {
  const { canvas } = panel;
  const width = canvas.clientWidth || 300;
  const height = canvas.clientHeight || 230;
  const ratio = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(width * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  const all = [...spec.bg, ...spec.top, spec.user, ...spec.trail];
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const pad = 12;
  const sx = (width - 2 * pad) / (x1 - x0 || 1);
  const sy = (height - 2 * pad) / (y1 - y0 || 1);
  const px = (p) => [pad + (p[0] - x0) * sx, height - pad - (p[1] - y0) * sy];
  panel.hits = [];
  const small = spec.bg.length > 500 ? 1.6 : 3;
  ctx.fillStyle = COLOURS.background;
  ctx.globalAlpha = 0.7;
  spec.bg.forEach((p, i) => {
    const [x, y] = px(p);
    ctx.beginPath();
    ctx.arc(x, y, small, 0, 2 * Math.PI);
    ctx.fill();
    panel.hits.push([x, y, spec.bgLabels[i]]);
  });
  ctx.globalAlpha = 1;
  if (spec.trail.length > 1) {
    ctx.strokeStyle = "#495057";
    ctx.setLineDash([3, 3]);
    ctx.beginPath();
    spec.trail.forEach((p, i) => { const [x, y] = px(p); if (i) ctx.lineTo(x, y); else ctx.moveTo(x, y); });
    ctx.stroke();
    ctx.setLineDash([]);
  }
  spec.top.forEach((p, i) => {
    const [x, y] = px(p);
    const hardNo = spec.hardNo[i];
    const disliked = spec.disliked[i];
    ctx.fillStyle = hardNo ? COLOURS.hardNo : disliked ? COLOURS.disliked : COLOURS.top;
    ctx.strokeStyle = "white";
    ctx.beginPath();
    if (hardNo) {
      ctx.rect(x - 5.5, y - 5.5, 11, 11);
    } else if (disliked) {
      ctx.moveTo(x, y - 7); ctx.lineTo(x + 6.5, y + 5); ctx.lineTo(x - 6.5, y + 5); ctx.closePath();
    } else {
      ctx.arc(x, y, 5.5, 0, 2 * Math.PI);
    }
    ctx.fill();
    ctx.stroke();
    const notes = [hardNo ? spec.marks.hardNo.name : "", disliked ? spec.marks.disliked.name : ""].filter(Boolean);
    panel.hits.push([x, y, spec.topLabels[i] + (notes.length ? ` (${notes.join("; ")})` : "")]);
  });
  const [ux, uy] = px(spec.user);
  star(ctx, ux, uy, 10);
  ctx.fillStyle = COLOURS.user;
  ctx.strokeStyle = COLOURS.ink;
  ctx.fill();
  ctx.stroke();
  panel.hits.push([ux, uy, "the user (placed with the fitted map's transform)"]);
  canvas.dataset.background = String(spec.bg.length); // products drawn behind the top k (tests read it)
}

// The map background (every product's position and hover label) is sent only when it changes;
// fragment reruns send its key. Kept on window so a remounted panel still finds it.
const BACKGROUNDS = (window.__saeBackgrounds = window.__saeBackgrounds || new Map());

function background(maps) {
  const { key, labels } = maps.background;
  if (labels) {
    BACKGROUNDS.delete(key);
    BACKGROUNDS.set(key, { labels, panels: maps.panels.map((p) => p.bg || []) });
    while (BACKGROUNDS.size > 4) BACKGROUNDS.delete(BACKGROUNDS.keys().next().value);
  }
  return BACKGROUNDS.get(key) || { labels: [], panels: [] };
}

function mapLegend(marks) {
  return [
    ["product", "background"], ["top k", "top"], [`top k, ${marks.hardNo.name}`, "hardno"],
    [`top k, ${marks.disliked.name}`, "disliked"], ["user", "user"], ["user's trail", "trail"],
  ].map(([label, kind]) => {
    const item = node("span", "sae-legend-item");
    item.append(node("i", `sae-swatch sae-swatch-${kind}`), document.createTextNode(label));
    return item;
  });
}

function renderMaps(ui, data) {
  const maps = data.maps;
  const cached = background(maps);
  ui.legend.replaceChildren(...mapLegend(data.marks));
  ui.mapsHead.textContent = maps.title;
  ui.mapsNote.textContent = maps.note;
  while (ui.panels.length > maps.panels.length) ui.panels.pop().box.remove();
  maps.panels.forEach((spec, i) => {
    let panel = ui.panels[i];
    if (!panel) {
      const box = node("figure", "sae-map");
      const title = node("figcaption", "sae-map-title");
      const frame = node("div", "sae-map-frame");
      const canvas = node("canvas");
      canvas.setAttribute("role", "img");
      frame.append(node("span", "sae-map-y", ""), canvas);
      box.append(title, frame, node("div", "sae-map-x", ""));
      ui.maps.append(box);
      panel = { box, title, canvas, hits: [] };
      canvas.addEventListener("mousemove", (event) => {
        const rect = canvas.getBoundingClientRect();
        const x = event.clientX - rect.left;
        const y = event.clientY - rect.top;
        let best = null;
        let bestDistance = 64;
        for (const hit of panel.hits) {
          const d = (hit[0] - x) ** 2 + (hit[1] - y) ** 2;
          if (d <= bestDistance) { best = hit; bestDistance = d; }
        }
        if (!best) { ui.tooltip.style.display = "none"; return; }
        ui.tooltip.textContent = best[2];
        ui.tooltip.style.display = "block";
        const host = ui.root.getBoundingClientRect();
        ui.tooltip.style.left = `${event.clientX - host.left + 12}px`;
        ui.tooltip.style.top = `${event.clientY - host.top + 12}px`;
      });
      canvas.addEventListener("mouseleave", () => { ui.tooltip.style.display = "none"; });
      ui.panels.push(panel);
    }
    panel.title.textContent = spec.title;
    panel.box.querySelector(".sae-map-x").textContent = `${maps.axis} 1`;
    panel.box.querySelector(".sae-map-y").textContent = `${maps.axis} 2`;
    panel.canvas.setAttribute("aria-label", `${spec.title}: map of products and the user`);
    drawPanel(ui, panel, { ...spec, bg: cached.panels[i] || [], bgLabels: cached.labels, marks: data.marks });
  });
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
