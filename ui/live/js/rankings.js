// The rankings: one column per method (its agreement with exact, its mark counts, its top k).

import { node } from "./dom.js";
import { percent, signed } from "./format.js";

// A method's column is never narrower than this (rem): a product name keeps a few words a line. When the
// panel is too narrow for every method, the columns wrap into rows of equal size (9 methods at 4 a row make
// 3 rows of 3, not 4 + 4 + 1), each row a table with its own header, so no method is out of sight.
export const MIN_COLUMN_REM = 8.5;

// How many columns a row holds: as many as fit, then balanced over the rows.
export function perRow(count, width, rem) {
  const fit = Math.max(1, Math.floor(width / (MIN_COLUMN_REM * rem)));
  const rows = Math.ceil(count / Math.max(1, Math.min(fit, count)));
  return Math.ceil(count / rows);
}

export function columnsPerRow(ui, count) {
  const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
  const width = ui.tableBox.clientWidth || ui.root.clientWidth || 1000;
  return perRow(count, width, rem);
}

// What a column's head says about its method: separate items, so they wrap apart.
export function statTexts(method) {
  return [`\u03c4 ${signed(method.tau)}`, `overlap ${percent(method.overlap)}`];
}

function statsCell(method, marks) {
  const list = node("div", "sae-stat-list");
  for (const text of statTexts(method)) list.append(node("span", "sae-stat", text));
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

function rankingTable(methods, columns, depth, marks) {
  const table = node("table", "sae-rankings");
  table.style.setProperty("--sae-columns", String(columns));
  // A shorter last row keeps the same column width as the rows above it.
  if (methods.length < columns) table.style.width = `${(100 * methods.length) / columns}%`;
  const head = node("thead");
  const labels = node("tr");
  const stats = node("tr", "sae-stats");
  for (const method of methods) {
    const th = node("th", method.pending ? "sae-pending" : null, method.label);
    th.title = method.summary;
    if (method.pending) th.append(node("span", "sae-preparing-mark", ` ${method.pendingText || "preparing\u2026"}`));
    th.scope = "col";
    labels.append(th);
    stats.append(statsCell(method, marks));
  }
  head.append(labels, stats);
  const body = node("tbody");
  for (let place = 0; place < depth; place++) {
    const tr = node("tr");
    for (const method of methods) {
      const cell = placeCell(method.top[place], place, marks);
      if (method.pending) cell.classList.add("sae-pending");
      tr.append(cell);
    }
    body.append(tr);
  }
  table.append(head, body);
  return table;
}

export function renderRankings(ui, data) {
  const methods = data.methods;
  const columns = columnsPerRow(ui, methods.length);
  ui.perRow = columns;
  // With fewer products than k, every list is shorter than k: draw only the places some method fills.
  const depth = Math.min(data.k, Math.max(0, ...methods.map((m) => m.top.length)));
  const tables = [];
  for (let i = 0; i < methods.length; i += columns) {
    tables.push(rankingTable(methods.slice(i, i + columns), columns, depth, data.marks));
  }
  ui.tableBox.replaceChildren(...tables);
  ui.marks.replaceChildren();
  for (const [key, swatch] of [["hardNo", "hardno"], ["disliked", "disliked"]]) {
    const item = node("span", "sae-legend-item");
    item.append(node("i", `sae-swatch sae-swatch-${swatch}`), document.createTextNode(data.marks[key].text));
    ui.marks.append(item);
  }
}
