"""Tanh compression."""

from __future__ import annotations

from core.diagnostics.tanh import tanh_effect


def test_tanh_damps_one_extreme_score(embedder):
    effect = tanh_effect(embedder)
    assert 0 < effect.degrees_with_tanh < effect.degrees_linear
