"""The page list, in one place. ``app.py`` registers it; Home links to it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    path: str
    title: str
    icon: str
    url_path: str
    summary: str
    default: bool = False


PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        "pages/home.py",
        "Home",
        ":material/home:",
        "home",
        "What the app shows, the six methods and the preset scenarios.",
        default=True,
    ),
)


def page_spec(url_path: str) -> PageSpec:
    for spec in PAGES:
        if spec.url_path == url_path:
            return spec
    raise ValueError(f"unknown page {url_path!r}; choose one of: {', '.join(p.url_path for p in PAGES)}")
