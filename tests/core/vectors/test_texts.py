"""The texts the text methods embed: the naive format and the prefix buckets."""

from __future__ import annotations

import numpy as np
import pytest

from core.retrieval.recommender import Recommender
from core.scenarios.model import scenario_from_dict
from core.vectors.methods import vectors
from core.vectors.space import FeatureSpace
from core.vectors.texts import PREFIX_PHRASES, bucket_index, naive_text, prefix_phrase


@pytest.mark.parametrize(
    ("score", "phrase"),
    [
        (1.0, "strongly enjoys"),
        (0.71, "strongly enjoys"),
        (0.7, "mildly enjoys"),
        (0.7000000000000001, "mildly enjoys"),  # float noise from a slider is not a bucket change
        (0.21, "mildly enjoys"),
        (0.2, "is neutral about"),
        (0.0, "is neutral about"),
        (-0.19, "is neutral about"),
        (-0.2, "mildly dislikes"),
        (-0.69, "mildly dislikes"),
        (-0.7, "strongly dislikes"),
        (-1.0, "strongly dislikes"),
    ],
)
def test_prefix_bucket_boundaries(score, phrase):
    assert prefix_phrase(score) == phrase
    assert PREFIX_PHRASES[int(bucket_index(score))] == phrase


def test_naive_text_format():
    assert naive_text({"wine": 0.8, "crowds": -0.7, "jazz": 1.0, "tea": 0.0}) == "wine: 0.8 crowds: -0.7 jazz: 1 tea: 0"


EDGES = [(0.2, "is neutral about"), (-0.2, "mildly dislikes"), (0.7, "mildly enjoys"), (-0.7, "strongly dislikes")]


@pytest.mark.parametrize(("edge", "phrase"), EDGES)
def test_every_edge_lands_in_its_bucket_through_the_engine(embedder, edge, phrase):
    """Users and products both: the prefix vector of {f: edge} is the embedding of '<phrase> f'."""
    space = FeatureSpace(["crowds", "wine"], embedder)
    expected = embedder.encode([f"{phrase} crowds"])[0]
    user = vectors("prefix", [{"crowds": edge}], space=space)[0]
    assert float(user @ expected) == pytest.approx(1.0, abs=1e-5)
    scenario = scenario_from_dict(
        {
            "id": "edge",
            "title": "Edge",
            "description": "",
            "users": [{"id": "u", "name": "U", "profile": {"crowds": edge}}],
            "products": [{"id": "p", "name": "P", "profile": {"crowds": edge}}],
        },
        source="edge",
    )
    product = Recommender(scenario, embedder).product_vectors("prefix")[0]
    assert float(product @ expected) == pytest.approx(1.0, abs=1e-5)


def test_float32_scores_are_refused_rather_than_bucketed_wrongly():
    with pytest.raises(TypeError, match="float64"):
        bucket_index(np.array([0.2], dtype=np.float32))
