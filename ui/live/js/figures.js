// Figures for slides: a map or a heat map as a PNG at three times its size, with its title and legend drawn in.

import { COLOURS } from "./dom.js";
import { diverging } from "./divergence.js";
import { fixed } from "./format.js";

export const SCALE = 3;

function save(name, canvas) {
  const link = document.createElement("a");
  link.download = name;
  link.href = canvas.toDataURL("image/png");
  link.click();
}

function titled(width, height, title, lines) {
  const canvas = document.createElement("canvas");
  const top = 28 + 16 * lines.length;
  canvas.width = width * SCALE;
  canvas.height = (height + top + 8) * SCALE;
  const ctx = canvas.getContext("2d");
  ctx.scale(SCALE, SCALE);
  ctx.fillStyle = "white";
  ctx.fillRect(0, 0, width, height + top + 8);
  ctx.fillStyle = COLOURS.ink;
  ctx.font = "600 15px sans-serif";
  ctx.fillText(title, 8, 20);
  ctx.font = "12px sans-serif";
  lines.forEach((line, i) => ctx.fillText(line, 8, 38 + 16 * i));
  return { canvas, ctx, top };
}

// The map as drawn (its canvas holds it at the screen's pixel ratio), under its title and legend.
export function saveMap(name, title, canvas, legend) {
  const width = canvas.clientWidth || 300;
  const height = canvas.clientHeight || 230;
  const { canvas: out, ctx, top } = titled(width, height, title, [legend]);
  ctx.drawImage(canvas, 0, top, width, height);
  save(name, out);
}

// A heat map redrawn cell by cell: the methods' names on both axes, each value written in its cell.
export function saveHeat(name, title, methods, values, lo) {
  const cell = 58;
  const label = 90;
  const size = label + cell * methods.length;
  const { canvas, ctx, top } = titled(size + 8, size, title, [`colour scale: ${lo} to 1; n/a: not defined`]);
  ctx.font = "12px sans-serif";
  ctx.textAlign = "center";
  methods.forEach((m, j) => ctx.fillText(m, label + cell * j + cell / 2, top + 14));
  values.forEach((row, i) => {
    ctx.textAlign = "right";
    ctx.fillStyle = COLOURS.ink;
    ctx.fillText(methods[i], label - 6, top + 24 + cell * i + cell / 2);
    row.forEach((v, j) => {
      ctx.fillStyle = diverging(v, lo, 1);
      ctx.fillRect(label + cell * j, top + 22 + cell * i, cell - 2, cell - 2);
      ctx.fillStyle = v !== null && Math.abs(v - (lo + 1) / 2) > 0.35 * (1 - lo) ? "white" : COLOURS.ink;
      ctx.textAlign = "center";
      ctx.fillText(fixed(v), label + cell * j + cell / 2, top + 26 + cell * i + cell / 2);
    });
  });
  save(name, canvas);
}
