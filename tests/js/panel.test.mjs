// The panel's pure helpers: column layout, column heads, slider scores, stale payloads, the colour scale.
import assert from "node:assert/strict";
import { test } from "node:test";

import { NO_VALUE_COLOUR, diverging } from "../../ui/live/js/divergence.js";
import { perRow, statTexts } from "../../ui/live/js/rankings.js";
import { isStale, sliderScore, withScore } from "../../ui/live/js/sliders.js";

test("columns wrap into balanced rows", () => {
  assert.equal(perRow(6, 2000, 16), 6); // all fit
  assert.equal(perRow(9, 4 * 8.5 * 16, 16), 3); // 4 fit: 3 rows of 3, not 4 + 4 + 1
  assert.equal(perRow(2, 10, 16), 1); // nothing fits: one per row
});

test("a column head writes tau signed and overlap as a percentage", () => {
  assert.deepEqual(statTexts({ tau: -0.123, overlap: 0.4 }), ["\u03c4 \u22120.12", "overlap 40%"]);
  assert.deepEqual(statTexts({ tau: null, overlap: 1 }), ["\u03c4 n/a", "overlap 100%"]);
});

test("a slider position is a score with two decimals", () => {
  assert.equal(sliderScore("0.35000000000000003"), 0.35);
  assert.equal(sliderScore("-0.9"), -0.9);
});

test("withScore copies; a name like __proto__ is a key like any other", () => {
  const before = new Map([["a", 1]]);
  const after = withScore(before, "__proto__", 0.5);
  assert.equal(before.size, 1);
  assert.deepEqual([...after], [["a", 1], ["__proto__", 0.5]]);
});

test("a payload that does not show the latest sent scores is stale", () => {
  const features = [{ name: "a", value: 0.5, original: 0.5 }];
  assert.equal(isStale(null, features), false);
  assert.equal(isStale(new Map([["a", 0.5]]), features), false);
  assert.equal(isStale(new Map([["a", 0.4]]), features), true);
  assert.equal(isStale(new Map([["b", 0.1]]), features), true); // an added feature not shown yet
});

test("the diverging scale runs red to blue, grey for a value that is not defined", () => {
  assert.equal(diverging(-1, -1, 1), "rgb(178, 24, 43)");
  assert.equal(diverging(1, -1, 1), "rgb(33, 102, 172)");
  assert.equal(diverging(0, -1, 1), "rgb(247, 247, 247)");
  assert.equal(diverging(null, -1, 1), NO_VALUE_COLOUR);
});

import { phoneMethods } from "../../ui/live/js/rankings.js";

test("a phone shows naive and exact unless the reader picks, always two when there are two", () => {
  const all = ["naive", "split", "prefix", "weighted", "whitened", "exact"];
  assert.deepEqual(phoneMethods(all, null), ["naive", "exact"]);
  assert.deepEqual(phoneMethods(all, ["prefix", "naive"]), ["prefix", "naive"]);
  assert.deepEqual(phoneMethods(["weighted", "exact"], null), ["exact", "weighted"]);
  assert.deepEqual(phoneMethods(["split"], ["naive"]), ["split"]);
});
