// The maps: one canvas per method with the products, the top k (shape by mark), the user and its trail.

import { COLOURS, node } from "./dom.js";
import { saveMap } from "./figures.js";
import { fixed } from "./format.js";


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
  panel.hits.push([ux, uy, "the user (placed among its most similar products)"]);
  canvas.dataset.background = String(spec.bg.length); // products drawn behind the top k (tests read it)
}

// The map background (every product's position and hover label) is sent only when it changes;
// fragment reruns send its key. Kept on the page's global object so a remounted panel still finds it.
function backgrounds() {
  globalThis.__saeBackgrounds = globalThis.__saeBackgrounds || new Map();
  return globalThis.__saeBackgrounds;
}

function background(maps) {
  const { key, labels } = maps.background;
  if (labels) {
    const held = backgrounds();
    held.delete(key);
    held.set(key, { labels, panels: maps.panels.map((p) => p.bg || []) });
    while (held.size > 4) held.delete(held.keys().next().value);
  }
  return backgrounds().get(key) || { labels: [], panels: [] };
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

// What a map shows, in words: its text alternative (the table under the maps lists the same with positions).
export function mapLabel(spec, axis) {
  const top = spec.topLabels.map((label, i) => label + (spec.hardNo[i] ? " (breaks a hard no)" : "")).join(", ");
  return `${spec.title}, ${axis} map: the user and the top ${spec.topLabels.length}: ${top}.`;
}

function mapTable(maps, axis) {
  const table = node("table", "sae-map-table");
  const head = node("tr");
  for (const h of ["method", "user", "top k (position on the map)"]) head.append(node("th", null, h));
  table.append(head);
  for (const spec of maps.panels) {
    const row = node("tr");
    const at = (p) => (p ? `(${fixed(p[0])}, ${fixed(p[1])})` : "");
    const tops = spec.topLabels.map((label, i) => `${label} ${at(spec.top[i])}`).join("; ");
    row.append(node("th", null, spec.title), node("td", null, at(spec.user)), node("td", null, tops));
    table.append(row);
  }
  const box = node("details", "sae-map-details");
  box.append(node("summary", null, `The maps as a table (${axis} positions)`), table);
  return box;
}

export function renderMaps(ui, data) {
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
      const png = node("button", "sae-button sae-png", "PNG");
      png.type = "button";
      box.append(title, frame, node("div", "sae-map-x", ""), png);
      ui.maps.append(box);
      panel = { box, title, canvas, hits: [] };
      png.addEventListener("click", () => {
        const legend = "grey: products; blue: top k; red square: breaks a hard no; orange triangle: disliked; star: user";
        saveMap(`map-${panel.method}.png`, panel.title.textContent, canvas, legend);
      });
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
    panel.method = spec.title.toLowerCase().replace(/[^a-z]+/g, "-");
    panel.box.querySelector(".sae-map-x").textContent = `${maps.axis} 1`;
    panel.box.querySelector(".sae-map-y").textContent = `${maps.axis} 2`;
    panel.box.querySelector(".sae-png").setAttribute("aria-label", `Download the ${spec.title} map as a PNG`);
    panel.canvas.setAttribute("aria-label", mapLabel(spec, maps.axis));
    const bg = cached.panels[i] || [];
    // A live frame names its top k by product; where the sweep sent no position, the background has every product.
    const top = spec.topIndex ? spec.top.map((p, j) => p || bg[spec.topIndex[j]]).filter(Boolean) : spec.top;
    drawPanel(ui, panel, { ...spec, top, bg, bgLabels: cached.labels, marks: data.marks });
  });
  const open = ui.mapTable && ui.mapTable.open;
  const table = mapTable(maps, maps.axis);
  table.open = Boolean(open);
  if (ui.mapTable) ui.mapTable.replaceWith(table);
  else ui.maps.after(table);
  ui.mapTable = table;
}
