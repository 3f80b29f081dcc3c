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
        "app_pages/explorer.py",
        "Explorer",
        ":material/compare_arrows:",
        "explorer",
        "One user, six methods side by side: move the sliders and watch the rankings and maps diverge.",
        default=True,
    ),
    PageSpec(
        "app_pages/diagnostics.py",
        "Diagnostics",
        ":material/science:",
        "diagnostics",
        "Each claim of the article measured on a scenario: sign blindness, magnitude, truncation, synonyms, "
        "PCA variance, raw injection and tanh.",
    ),
    PageSpec(
        "app_pages/evaluation.py",
        "Evaluation",
        ":material/leaderboard:",
        "evaluation",
        "Every method on real MovieLens ratings: AUC with intervals, per-user scatter, and one user up close.",
    ),
    PageSpec(
        "app_pages/labs.py",
        "Labs",
        ":material/biotech:",
        "labs",
        "Neighbouring problems on MovieLens: user vectors from history, negative feedback, category "
        "centroids and EASE.",
    ),
    PageSpec(
        "app_pages/scenarios.py",
        "Scenarios",
        ":material/edit_note:",
        "scenarios",
        "Create, edit, upload and download scenarios (JSON or wide CSV), then open them in the Explorer.",
    ),
    PageSpec(
        "app_pages/home.py",
        "About",
        ":material/info:",
        "about",
        "What the app shows, the six methods and the preset scenarios.",
    ),
)


def page_spec(url_path: str) -> PageSpec:
    for spec in PAGES:
        if spec.url_path == url_path:
            return spec
    raise ValueError(f"unknown page {url_path!r}; choose one of: {', '.join(p.url_path for p in PAGES)}")
