"""The seeded synthetic generator: deterministic, within the model's limits, with real tag names."""

from __future__ import annotations

import pytest

from core.scenarios.model import MAX_FEATURES
from core.scenarios.synthetic import BASE_TAGS, feature_names, generate_scenario


def test_same_seed_same_scenario_other_seed_other_scenario():
    a = generate_scenario(n_products=50, n_features=30, n_users=2, seed=3)
    assert a == generate_scenario(n_products=50, n_features=30, n_users=2, seed=3)
    assert a.fingerprint != generate_scenario(n_products=50, n_features=30, n_users=2, seed=4).fingerprint


def test_products_and_users_follow_the_documented_shape():
    s = generate_scenario(n_products=200, n_features=40, n_users=3, seed=1)
    assert len(s.products) == 200 and len(s.users) == 3 and len(s.vocabulary) == 40
    assert all(5 <= len(p.profile) <= 15 for p in s.products)
    assert all(len(u.profile) == 40 for u in s.users)
    positive = sum(v > 0 for p in s.products for v in p.profile.values())
    total = sum(len(p.profile) for p in s.products)
    assert 0.65 < positive / total < 0.85  # three in four positive


def test_feature_names_are_real_tags_first_and_bounded():
    assert feature_names(3) == list(BASE_TAGS[:3])
    assert len(set(feature_names(MAX_FEATURES))) == MAX_FEATURES
    for bad in (0, MAX_FEATURES + 1):
        with pytest.raises(ValueError, match="n_features must be"):
            feature_names(bad)
