"""'Save this view': one HTML file, opened from file:// with the network off, stays live and says the truth."""

from __future__ import annotations

import pytest

from core.explorer.offline import offline_view
from core.explorer.panel import build_panel
from core.explorer.state import ViewState
from core.maps.store import MapStore
from core.retrieval.recommender import Recommender
from core.scenarios.presets import load_preset
from ui.live.offline import page, too_large
from ui.live.props import to_props

ROOT_SEL = "#sae-root .sae-live"


@pytest.fixture(scope="module")
def saved(embedder, tmp_path_factory):
    recommender = Recommender(load_preset("sign-trap"), embedder)
    profile = dict(recommender.scenario.user("user-a").profile)
    view = ViewState()
    offline = offline_view(recommender=recommender, view=view, user_id="user-a", profile=profile, store=MapStore())
    text = page(offline, title="Sign trap: User A", link="/?preset=sign-trap&user=user-a", saved=profile)
    path = tmp_path_factory.mktemp("saved") / "view.html"
    path.write_text(text, encoding="utf-8")
    return recommender, view, path, text


def server_tops(recommender, view, profile) -> dict[str, list[str]]:
    panel, _ = build_panel(
        recommender=recommender, view=view, user_id="user-a", profile=profile, store=None, memory=None
    )
    return {m["label"]: [t["name"] for t in m["top"]] for m in to_props(panel)["methods"]}


def shown_tops(page_) -> dict[str, list[str]]:
    return page_.evaluate(
        f"""() => {{ const out = {{}};
          for (const table of document.querySelectorAll('{ROOT_SEL} table.sae-rankings')) {{
          const heads = [...table.querySelectorAll('thead tr:first-child th')].map(th => th.firstChild.textContent);
          heads.forEach((h, c) => {{ out[h] = [...table.querySelectorAll('tbody tr')].map(tr =>
            tr.children[c].querySelector('.sae-name').textContent.replace(/^\\d+\\.\\s*/, '').trim()); }}); }}
          return out; }}"""
    )


def set_score(page_, feature: str, value: float) -> None:
    track = page_.locator(f'{ROOT_SEL} .sae-slider[data-feature="{feature}"] input[type="range"]')
    track.focus()
    track.evaluate("(e, v) => { e.value = String(v); e.dispatchEvent(new Event('input', {bubbles: true})); }", value)
    track.evaluate("e => e.dispatchEvent(new Event('change', {bubbles: true}))")
    page_.wait_for_timeout(700)  # keys and programmatic changes commit after a pause


def test_the_saved_page_works_from_disk_with_the_network_off(browser, saved):
    recommender, view, path, text = saved
    assert too_large(text) is None and "http" not in text.split('<script type="module">')[1][:200]
    context = browser.new_context(offline=True, viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page_ = context.new_page()
    errors: list[str] = []
    page_.on("pageerror", lambda e: errors.append(str(e)))
    page_.goto(path.as_uri())
    page_.wait_for_selector(f"{ROOT_SEL} table.sae-rankings tbody td", timeout=30_000)
    profile = dict(recommender.scenario.user("user-a").profile)
    assert shown_tops(page_) == server_tops(recommender, view, profile)
    set_score(page_, "anxiety", 0.25)  # one slider from the saved view: every method, as the server says
    assert shown_tops(page_) == server_tops(recommender, view, {**profile, "anxiety": 0.25})
    set_score(page_, "adventure", -0.5)  # a second slider: the linear methods still follow exactly
    both = server_tops(recommender, view, {**profile, "anxiety": 0.25, "adventure": -0.5})
    shown = shown_tops(page_)
    for label in ("Signed prefix", "Weighted sum", "Whitened sum", "Exact (reference)"):
        assert shown[label] == both[label], label
    heads = page_.locator(f"{ROOT_SEL} .sae-preparing-mark").all_inner_texts()
    assert len(heads) == 2 and all("not in this file" in h for h in heads)  # naive and split say so
    assert not errors, errors
    assert all(url.startswith(("file:", "data:", "about:")) for url in requests), requests
    context.close()


def test_a_view_too_large_for_a_file_says_what_to_pick():
    message = too_large("x" * 6_000_001)
    assert message and "6.0 MB" in message and "fewer" in message
