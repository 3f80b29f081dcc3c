"""The Labs page: each lab runs on the real data and states a verdict computed from its numbers."""

from __future__ import annotations

import pytest

from tests.app.helpers import plain


@pytest.fixture(scope="module")
def labs_page():
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
    at.switch_page("pages/labs.py").run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize(
    ("lab", "words", "charts"),
    [
        ("history", ["Best:", "signed"], 1),
        ("feedback", ["negate", "ignore negatives", "catalogue"], 2),
        ("centroids", ["Names alone", "chance"], 1),
        ("ease", ["EASE reaches AUC", "popularity", "negative"], 1),
        ("qdrant", ["The highest AUC among the strategies is", "likes only", "EASE"], 1),
    ],
)
def test_each_lab_runs_and_reads_its_numbers(labs_page, lab, words, charts):
    at = labs_page
    at.segmented_control(key="lab").set_value(lab).run()
    assert not at.exception, at.exception
    verdict = plain(at.info)
    assert all(word in verdict for word in words), verdict
    assert len(at.get("plotly_chart")) == charts
    tables = [frame.value for frame in at.dataframe]
    if lab != "centroids":
        metrics = tables[0]
        assert {"AUC", "95% interval", "NDCG@10", "precision@10"} <= set(metrics.columns)
        assert metrics["AUC"].between(0, 1).all() and metrics["NDCG@10"].between(0, 1).all()
    if lab == "ease":
        pairs = tables[1]
        assert list(pairs.columns) == ["liked", "then not", "weight"] and (pairs["weight"] < 0).all()
