from __future__ import annotations

from tests.app.helpers import plain


def test_evaluation_page_runs_the_protocol_and_drills_down(app):
    at = app.run()
    at.switch_page("pages/evaluation.py").run()
    assert not at.exception, at.exception
    verdict = plain(at.info)
    assert "Weighted" in verdict and "naive" in verdict and "random" in verdict
    table = at.dataframe[0].value
    assert list(table["method"]) == [
        "Naive text",
        "Split channel",
        "Signed prefix",
        "Weighted sum",
        "Whitened sum",
        "Exact (reference)",
        "Popularity",
        "Random",
    ]
    assert table["AUC"].between(0, 1).all()
    assert len(at.get("plotly_chart")) == 3
    users = at.selectbox(key="ev_user")
    users.select_index(1).run()
    assert not at.exception
    drill = at.dataframe[1].value
    assert {"movie", "rating", "label", "Weighted sum"} <= set(drill.columns)
    assert set(drill["label"]) <= {"like", "dislike", "neutral"}
    assert drill["Weighted sum"].is_monotonic_increasing  # sorted by the default method
