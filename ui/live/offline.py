"""The saved page: the Explorer's panel in one HTML file that works with no server and no network.

Data, script and style are inline; a Content-Security-Policy forbids every request, so the page cannot fetch
anything even if a browser wanted to. The script is the panel's own (``bundle(offline=True)``).
"""

from __future__ import annotations

import html
import json

from core.explorer.offline import MAX_BYTES, Offline
from core.wording import counted
from ui.live import HERE, bundle
from ui.live.props import offline_props

POLICY = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"


def page(offline: Offline, *, title: str, link: str, saved: dict[str, float]) -> str:
    """The whole page. ``link`` is the view's address on the server it came from (shown, never fetched)."""
    data = json.dumps(offline_props(offline, saved), allow_nan=False, ensure_ascii=False, separators=(",", ":"))
    data = data.replace("</", "<\\/")  # never closes the script element it sits in
    css = (HERE / "panel.css").read_text(encoding="utf-8")
    sliders = counted(len(offline.sweeps), "slider")
    note = (
        f"Saved from the Signed Affinity Explorer. Works offline: the linear methods (prefix, weighted, whitened, "
        f"exact) re-rank for any combination of the {sliders}; naive, split, the vector-database columns and the "
        "maps follow any one slider from the saved view (moving a second slider greys them out)."
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{POLICY}">
<title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;color:#1f2430;margin:0 auto;max-width:1200px;padding:1rem}}
.sae-saved-note{{color:#495057;font-size:.9rem}}</style><style>{css}</style></head>
<body><main><h1>{html.escape(title)}</h1>
<p class="sae-saved-note">{html.escape(note)} Saved from <code>{html.escape(link)}</code>.</p>
<div id="sae-root"></div></main>
<script type="application/json" id="sae-data">{data}</script>
<script type="module">{bundle(offline=True)}</script>
</body></html>
"""


def too_large(text: str) -> str | None:
    """Why the page is not offered (over :data:`MAX_BYTES`), in words that say what to pick instead."""
    size = len(text.encode("utf-8"))
    if size <= MAX_BYTES:
        return None
    return (
        f"This view would make a {size / 1e6:.1f} MB file (the most we write is {MAX_BYTES / 1e6:.0f} MB): show fewer "
        "methods, or use a scenario with fewer products (the file holds every product's score for every slider)."
    )
