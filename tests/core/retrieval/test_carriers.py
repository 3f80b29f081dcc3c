"""The carriers index says exactly what the one rule (`violates`: carries, with a positive score) says."""

from __future__ import annotations

import numpy as np

from core.retrieval.carriers import Carriers
from core.retrieval.marks import violates


def test_the_index_agrees_with_the_rule_on_random_profiles():
    rng = np.random.default_rng(0)
    features = [f"f{i}" for i in range(12)]
    products = [
        {f: float(rng.choice([-1.0, -0.2, 0.0, 0.1, 1.0])) for f in rng.choice(features, 4, replace=False)}
        for _ in range(200)
    ]
    index = Carriers(products)
    for _ in range(50):
        asked = list(rng.choice([*features, "absent"], int(rng.integers(0, 4)), replace=False))
        assert index.mask(asked).tolist() == [violates(p, asked) for p in products], asked


def test_a_score_of_zero_or_below_is_not_carried():
    index = Carriers([{"nuts": 0.0}, {"nuts": -0.5}, {"nuts": 1e-9}])
    assert index.mask(["nuts"]).tolist() == [False, False, True]
    assert Carriers([]).mask(["nuts"]).shape == (0,)
