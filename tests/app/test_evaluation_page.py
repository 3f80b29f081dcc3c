"""The Evaluation page: the protocol under the chosen model, every installed model side by side, and what a vector
database does with dislikes."""

from __future__ import annotations

import pytest

from core.movielens.evaluate import LABELS
from core.movielens.labs.experiments import QDRANT_RULES
from core.vectors.methods import ALL_METHOD_NAMES
from tests.app.helpers import plain

METHOD_ROWS = [LABELS[m] for m in (*ALL_METHOD_NAMES, "popularity", "random")]  # every method, then the baselines


@pytest.fixture(scope="module")
def evaluation_page():
    from streamlit.testing.v1 import AppTest

    from core.settings import ENV_PAGE_WAIT
    from tests.conftest import ROOT

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ENV_PAGE_WAIT, "900")  # every run of this module waits for its builds (see tests/app/conftest.py)
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900).run()
        at.switch_page("pages/evaluation.py").run()
        assert not at.exception, at.exception
        yield at


@pytest.mark.slow
def test_evaluation_page_runs_the_protocol_and_drills_down(evaluation_page):
    at = evaluation_page
    verdict = plain(at.info)
    assert "Weighted" in verdict and "naive" in verdict and "random" in verdict and "Qdrant" in verdict
    table = at.dataframe[0].value
    assert list(table["method"]) == METHOD_ROWS
    assert list(table.columns) == ["method", "AUC", "95% interval", "NDCG@10", "precision@10"]
    assert table["AUC"].between(0, 1).all()
    # Against naive: every other method, never naive against itself (it would read "+0.000 to +0.000").
    against = at.dataframe[1].value
    assert list(against["method"]) == METHOD_ROWS[1:]
    assert set(against["verdict"]) <= {"better", "worse", "unclear"}
    assert not against["95% interval"].str.contains(r"\+0\.000 to \+0\.000").any()
    assert len(at.get("plotly_chart")) == 3
    users = at.selectbox(key="ev_user")
    users.select_index(1).run()
    assert not at.exception
    drill = at.dataframe[2].value
    assert list(drill.columns)[:5] == ["movie", "weighted", "rating", "label", "exact"], "the reference comes early"
    assert set(drill.columns) >= {"naive", "qdrant-best", "random"}
    assert set(drill["label"]) <= {"like", "dislike", "neutral"}
    assert drill["weighted"].is_monotonic_increasing  # sorted by the default method


@pytest.mark.slow
def test_the_vector_database_tab_compares_strategies_with_and_without_dislikes(evaluation_page):
    at = evaluation_page
    at.session_state["tab"] = "Vector database"
    at.run()
    assert not at.exception, at.exception
    verdict = plain(at.info)
    assert "The highest AUC among the strategies is qdrant-" in verdict and "Do negative examples help?" in verdict
    table = next(d.value for d in at.dataframe if "95% interval" in d.value.columns and "rule" in d.value.columns)
    assert list(table["rule"])[-2:] == ["signed history", "EASE"] and list(table["rule"]) == list(QDRANT_RULES)
    assert table["AUC"].between(0, 1).all()


@pytest.mark.slow
def test_across_models_evaluates_every_installed_model(evaluation_page):
    from core.embedding.models import installed

    at = evaluation_page
    at.session_state["tab"] = "Across models"
    at.run()
    assert not at.exception, at.exception
    assert f"Over {len(installed())} models: naive text is indistinguishable from chance" in plain(at.info)
    aucs = next(d.value for d in at.dataframe if len(d.value.columns) == len(installed()) + 1)
    assert list(aucs["method"]) == METHOD_ROWS
    assert list(aucs.columns)[1:] == [m.id for m in installed()]  # short ids head the columns; a caption names them
    assert aucs.iloc[:, 1:].stack().between(0, 1).all()
    differences = next(d.value for d in at.dataframe if "better" in d.value.columns)
    assert list(differences["method"]) == METHOD_ROWS[1:], "naive against itself is left out"
    assert differences["better"].str.fullmatch(rf"\d of {len(installed())}").all()
    assert all(m.name in " ".join(c.value for c in at.caption) for m in installed())


def test_the_model_picker_changes_the_evaluation(evaluation_page):
    at = evaluation_page
    at.session_state["tab"] = "Results"
    at.selectbox(key="ev_model").set_value("paraphrase-l3").run()
    assert not at.exception, at.exception
    assert "paraphrase-MiniLM-L3-v2" in plain(at.caption)
