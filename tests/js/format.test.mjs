// The panel formats numbers exactly as core/wording.py does: every case Python wrote, the same text.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { NOT_DEFINED, fixed, percent, signed } from "../../ui/live/js/format.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/format.json", import.meta.url), "utf-8"));
const FUNCTIONS = { fixed, signed, percent };

test("the placeholder for a number that is not defined is Python's", () => {
  assert.equal(NOT_DEFINED, fixture.notDefined);
});

test("every formatting case matches Python's text", () => {
  assert.ok(fixture.cases.length > 100);
  for (const c of fixture.cases) {
    const got = c.digits === undefined ? FUNCTIONS[c.fn](c.value) : FUNCTIONS[c.fn](c.value, c.digits);
    assert.equal(got, c.expected, `${c.fn}(${c.value}, ${c.digits})`);
  }
});

test("NaN and infinities read as not defined", () => {
  for (const bad of [NaN, Infinity, -Infinity, undefined, "0.5"]) {
    assert.equal(fixed(bad), NOT_DEFINED);
    assert.equal(signed(bad), NOT_DEFINED);
  }
});
