"""Raw injection against projection."""

from __future__ import annotations

import numpy as np

from core.diagnostics.injection import raw_injection_vector


def test_raw_injection_differs_from_projection(wine):
    scenario, recommender = wine
    profile = {**scenario.user("teetotal").profile, "vegan food": 0.9}
    space = recommender.space
    projected = recommender.user_vector("whitened", profile)
    raw = raw_injection_vector(space, profile)
    assert projected.shape == raw.shape
    assert not np.allclose(projected, raw, atol=1e-3)
