"""Shared by the e2e tests: where the Explorer's live panel is, and how to wait for it."""

from __future__ import annotations

from scripts.harness import wait_idle

LIVE = '[data-testid="stMain"] .sae-live'
RANKINGS = f"{LIVE} .sae-table-box"  # one table per row of method columns (they wrap on a narrow screen)
TABLE = f"{LIVE} table.sae-rankings"
LOAD = 240_000  # the first page of a session may compile UMAP and load the model


def open_page(page, url: str) -> None:
    page.goto(url)
    wait_idle(page, timeout=LOAD)
    page.wait_for_selector(f"{TABLE} tbody td", timeout=LOAD)


def table_text(page) -> str:
    return page.locator(RANKINGS).inner_text()


def slider(page, feature: str):
    return page.locator(f'{LIVE} .sae-slider[data-feature="{feature}"]')


def wait_for_set(page, value: str | None) -> None:
    """Wait until the URL's ``set`` parameters are exactly ``value`` (or absent), then for the page to settle."""
    expected = "[]" if value is None else f'["{value}"]'
    page.wait_for_function(
        f"() => JSON.stringify(new URLSearchParams(location.search).getAll('set')) === '{expected}'",
        timeout=60_000,
    )
    wait_idle(page, timeout=LOAD)
