"""The PCA variance curve."""

from __future__ import annotations

import numpy as np
import pytest


def test_variance_curve(report):
    v = report.variance
    assert np.all(np.diff(v.cumulative) >= -1e-9) and v.cumulative[-1] == pytest.approx(1.0)
    assert v.k90 <= v.k95 <= v.rank
    assert v.cumulative[v.n_components - 1] >= 0.95
