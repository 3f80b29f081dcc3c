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
  // The place, the marks and the name are one button: it opens the product's profile on a click or a tap (a
  // hover tooltip reaches no phone or projector).
  const name = node("button", `sae-name sae-product${kind}`, `${place + 1}. `);
  name.type = "button";
  name.setAttribute("aria-expanded", "false");
  const said = []; // what the marks' shapes say, for a screen reader (the shapes are aria-hidden)
  for (const [key, swatch] of [["hardNo", "hardno"], ["disliked", "disliked"]]) {
    if (!item[key]) continue;
    const why = key === "hardNo" && item.reasons ? `${marks.hardNo.name}: ${item.reasons}` : marks[key].text;
    const flag = node("i", `sae-swatch sae-swatch-${swatch}`);
    flag.title = why;
    flag.setAttribute("aria-hidden", "true");
    name.append(flag, document.createTextNode(" "));
    said.push(why);
  }
  name.append(document.createTextNode(item.name));
  const details = node("div", "sae-profile", item.profile);
  details.hidden = true;
  name.addEventListener("click", () => {
    details.hidden = !details.hidden;
    name.setAttribute("aria-expanded", String(!details.hidden));
  });
  td.append(name);
  if (said.length) td.append(node("span", "sae-sr", ` (${said.join("; ")})`));
  td.append(node("code", "sae-score", signed(item.score)));
  if (item.shift) { // places moved since the last change: positive = further down
    const up = item.shift < 0;
    const arrow = node("span", up ? "sae-up" : "sae-down", up ? `\u2191${-item.shift}` : `\u2193${item.shift}`);
    arrow.title = `${Math.abs(item.shift)} place${Math.abs(item.shift) === 1 ? "" : "s"} ${up ? "up" : "down"} since the last change`;
    td.append(arrow);
  }
  td.append(details);
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

// A phone (a screen under 36rem, 576 px, wide) shows two methods' columns side by side, naive and exact unless the reader picks others: the rest are
// one tap away on the method buttons above them (every column of a narrow table would push the top 5 off screen).
export const PHONE_REM = 36;
export const PHONE_DEFAULT = ["naive", "exact"];

export function phoneMethods(names, picked) {
  const chosen = (picked || PHONE_DEFAULT).filter((m) => names.includes(m));
  for (const name of names) if (chosen.length < 2 && !chosen.includes(name)) chosen.push(name);
  return chosen.slice(0, 2);
}

function isPhone() {
  return typeof matchMedia === "function" && matchMedia(`(max-width: ${PHONE_REM}rem)`).matches;
}

function methodPicker(ui, data, shown) {
  const bar = node("div", "sae-picker");
  bar.setAttribute("role", "group");
  bar.setAttribute("aria-label", "Methods shown side by side");
  for (const method of data.methods) {
    const on = shown.includes(method.name);
    const button = node("button", "sae-button sae-pick", method.label);
    button.type = "button";
    button.setAttribute("aria-pressed", String(on));
    button.addEventListener("click", () => {
      ui.picked = on ? shown.filter((m) => m !== method.name) : [method.name, ...shown].slice(0, 2);
      renderRankings(ui, ui.shown || data);
    });
    bar.append(button);
  }
  return bar;
}

export function renderRankings(ui, data) {
  ui.shown = data;
  const phone = isPhone();
  const shown = phone ? phoneMethods(data.methods.map((m) => m.name), ui.picked) : null;
  const methods = phone ? data.methods.filter((m) => shown.includes(m.name)) : data.methods;
  const columns = phone ? methods.length : columnsPerRow(ui, methods.length);
  ui.perRow = columns;
  // With fewer products than k, every list is shorter than k: draw only the places some method fills.
  const depth = Math.min(data.k, Math.max(0, ...methods.map((m) => m.top.length)));
  const tables = [];
  for (let i = 0; i < methods.length; i += columns) {
    tables.push(rankingTable(methods.slice(i, i + columns), columns, depth, data.marks));
  }
  ui.tableBox.replaceChildren(...(phone ? [methodPicker(ui, data, shown)] : []), ...tables);
  ui.marks.replaceChildren();
  for (const [key, swatch] of [["hardNo", "hardno"], ["disliked", "disliked"]]) {
    const item = node("span", "sae-legend-item");
    const { name, text } = data.marks[key];
    item.title = text;
    // The mark's name, then its rule (a phone shows the name only; the rule is the item's title)
    const words = node("span", null, name);
    words.append(node("span", "sae-rule", text.startsWith(name) ? text.slice(name.length) : `: ${text}`));
    item.append(node("i", `sae-swatch sae-swatch-${swatch}`), words);
    ui.marks.append(item);
  }
}
