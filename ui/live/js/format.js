// How the panel writes numbers: the rules of core/wording.py, held against fixtures Python writes
// (tests/js/fixtures/format.json, checked by tests/js/format.test.mjs and tests/js/test_fixtures.py).

export const NOT_DEFINED = "n/a";
export const MINUS = "\u2212";

export function isDefined(value) {
  return typeof value === "number" && Number.isFinite(value);
}

// toFixed rounds the exact binary value half away from zero, as Python's side does (Decimal, ROUND_HALF_UP).
export function fixed(value, digits = 2) {
  if (!isDefined(value)) return NOT_DEFINED;
  const text = Math.abs(value).toFixed(digits);
  const zero = /^[0.]*$/.test(text);
  return (value < 0 && !zero ? MINUS : "") + text;
}

export function signed(value, digits = 2) {
  if (!isDefined(value)) return NOT_DEFINED;
  const text = Math.abs(value).toFixed(digits);
  if (/^[0.]*$/.test(text)) return text;
  return (value > 0 ? "+" : MINUS) + text;
}

export function percent(value) {
  return isDefined(value) ? `${fixed(value * 100, 0)}%` : NOT_DEFINED;
}
