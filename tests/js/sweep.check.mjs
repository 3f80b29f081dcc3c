// The browser's live frames against what the server says at every position of a sweep (fixtures written by
// tests/js/sweep_fixture.py; run by tests/js/test_node.py with SWEEP_FIXTURE set).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { frameData, liveFrame } from "../../ui/live/js/drag.js";

const cases = JSON.parse(readFileSync(process.env.SWEEP_FIXTURE, "utf-8"));
const TOL = 1e-4;

function close(a, b, tol, what) {
  if (a === null || b === null) assert.equal(a, b, what);
  else assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);
}

for (const c of cases) {
  test(`every position of ${c.name} is what the server says`, () => {
    const values = new Map(c.data.features.map((f) => [f.name, f.value]));
    c.sweep.positions.forEach((position, i) => {
      values.set(c.sweep.feature, position);
      const frame = liveFrame(c.data, c.sweep, values, false);
      const got = frameData(c.data, c.sweep, frame, null);
      const want = c.expected[i];
      const where = `${c.name} at ${position}`;
      assert.equal(got.summary, want.summary, where);
      want.methods.forEach((m, j) => {
        const column = got.methods[j];
        assert.equal(column.name, m.name);
        assert.equal(column.top.length, m.top.length, `${where} ${m.name}`);
        column.top.forEach((item, place) => {
          const [name, score, hardNo, disliked] = m.top[place];
          close(item.score, score, TOL, `${where} ${m.name} #${place + 1} score`);
          if (item.name !== name) close(item.score, score, TOL, `${where} ${m.name} #${place + 1} (a tie)`);
          assert.equal(item.hardNo, hardNo, `${where} ${m.name} #${place + 1} hard no`);
          assert.equal(item.disliked, disliked, `${where} ${m.name} #${place + 1} disliked`);
        });
        close(column.tau, m.tau, 1e-3, `${where} ${m.name} tau`);
        close(column.overlap, m.overlap, 1e-9, `${where} ${m.name} overlap`);
      });
      want.heat.tau.forEach((row, a) => row.forEach((v, b) => close(got.heat.tau[a][b], v, 1e-3, `${where} heat`)));
    });
  });
}
