"""axe-core (Deque's accessibility rules, the engine behind Lighthouse's score) in a Playwright page.

The file is the one ``scripts/ensure-axe.sh`` installs from package-lock.json; its SHA-256 is checked again
here, so a changed copy fails loudly instead of testing with other rules.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_VERSION = "4.14.1"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
WCAG = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")  # WCAG 2.1, levels A and AA
RUN = """async ([tags, selector]) => {
  const result = await axe.run(selector ? document.querySelector(selector) : document,
                               {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 160)}))}));
}"""


def checked_axe() -> Path:
    if not AXE.is_file():
        raise FileNotFoundError(f"{AXE} is missing: run `sh scripts/ensure-axe.sh` (make test does)")
    digest = hashlib.sha256(AXE.read_bytes()).hexdigest()
    if digest != AXE_SHA256:
        raise RuntimeError(
            f"{AXE}: SHA-256 {digest[:16]}... is not the pinned {AXE_SHA256[:16]}... (axe-core {AXE_VERSION})"
        )
    return AXE


def violations(page, selector: str | None = None) -> list[dict]:
    """Every WCAG 2.1 A/AA violation axe finds in the page (or under ``selector``)."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(checked_axe()))
    assert page.evaluate("() => axe.version") == AXE_VERSION
    return page.evaluate(RUN, [list(WCAG), selector])
