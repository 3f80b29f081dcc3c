"""Both marks, defined once: a hard no is a rule about the product, a dislike is the exact cosine's sign."""

from __future__ import annotations

import numpy as np
import pytest

from core.retrieval.carriers import Carriers
from core.retrieval.marks import HARD_NO, Marks, describe, hard_nos, violates
from core.retrieval.ranking import Ranking
from core.retrieval.recommender import Recommender
from core.scenarios.presets import load_preset

PEANUT_FREE_TOP5 = {"weighted": 0, "exact": 0}


def test_counts_in_a_top_k():
    top = Ranking.from_scores("b", np.array([0.1, 0.5, 0.9])).top(2)
    marks = Marks(hard_no=np.array([False, True, True]), disliked=np.array([False, True, True]))
    assert marks.counts(top) == {"hard_no_in_top_k": 2, "disliked_in_top_k": 2}


def test_the_threshold_is_inclusive_and_a_negative_product_score_is_no_violation():
    assert hard_nos({"a": HARD_NO, "b": HARD_NO + 0.01, "c": -1.0}) == ["a", "c"]
    assert not violates({"peanuts": 0.0}, ["peanuts"]) and not violates({}, ["peanuts"])
    products = [{"peanuts": 0.6}, {"peanuts": -1.0, "chocolate": 1.0}, {"chocolate": 1.0}]
    index = Carriers(products)
    assert index.mask(hard_nos({"peanuts": -1.0}, HARD_NO)).tolist() == [True, False, False]
    assert index.mask(hard_nos({"peanuts": -0.5}, HARD_NO)).tolist() == [False, False, False]
    assert "-0.9" in describe()["hard_no"] and "below 0" in describe()["disliked"]


def test_peanut_products_are_marked_where_the_old_exact_sign_rule_saw_none(embedder):
    """On the peanut preset, naive's top 5 holds four peanut products; the exact sign rule flagged one.

    Peanut butter cups score +0.12 under exact (a weak match): only the hard-no rule marks them.
    """
    scenario = load_preset("peanut-allergy")
    recommender = Recommender(scenario, embedder)
    result = recommender.rank(dict(scenario.user("peanut-allergic").profile), k=5)
    names = {m: [scenario.products[i].name for i in r.top(5)] for m, r in result.rankings.items()}
    peanut = {p.name for p in scenario.products if p.profile.get("peanuts", 0) > 0}
    for method, top in names.items():
        counts = result.counts(method)
        assert counts["hard_no_in_top_k"] == len(peanut & set(top)), method
    naive = result.counts("naive")
    assert naive["hard_no_in_top_k"] == 4 and naive["disliked_in_top_k"] < naive["hard_no_in_top_k"]
    cups = next(i for i, p in enumerate(scenario.products) if p.name == "Peanut butter cups")
    assert result.marks.hard_no[cups] and not result.marks.disliked[cups]
    assert result.reference.scores[cups] == pytest.approx(0.12, abs=0.02)
    for method, count in PEANUT_FREE_TOP5.items():
        assert result.counts(method)["hard_no_in_top_k"] == count, method


def test_one_wording_for_each_mark():
    """The headline, the legends and the hover texts all say "breaks a hard no" (never "violates")."""
    text = describe(-0.9)
    assert text["hard_no"].startswith("breaks a hard no: ") and text["disliked"].startswith("disliked overall: ")
    assert "violates" not in " ".join(text.values())
