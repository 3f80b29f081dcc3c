"""Maps are fitted once per (scenario, model, method, parameters), whoever asks and however many at once."""

from __future__ import annotations

import threading

import numpy as np

import core.maps.store as maps_module
from core.maps.store import MapStore
from core.retrieval.recommender import Recommender
from core.scenarios.presets import load_preset
from core.vectors.space import DEFAULT_PARAMS


def test_a_map_is_fitted_once_even_when_asked_at_the_same_time(embedder, monkeypatch):
    fits = []
    real = maps_module.load_or_fit

    def counting(vectors, **kwargs):
        fits.append(kwargs["key"])
        return real(vectors, **kwargs)

    monkeypatch.setattr(maps_module, "load_or_fit", counting)
    store = MapStore()
    recommender = Recommender(load_preset("quiet-travel"), embedder)
    got = []
    threads = [
        threading.Thread(target=lambda: got.append(store.get(recommender, "weighted", DEFAULT_PARAMS)))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(fits) == 1 and got[0] is got[1] is got[2]
    assert store.has(recommender, "weighted", DEFAULT_PARAMS) and not store.has(recommender, "exact", DEFAULT_PARAMS)
    assert [s.label for s in store.stages(recommender, ["weighted", "exact"], DEFAULT_PARAMS)] == [
        "Fitting the UMAP map for exact (1/1)"
    ]


def test_alignments_are_computed_once_and_exact_aligns_onto_itself(embedder):
    store = MapStore()
    recommender = Recommender(load_preset("quiet-travel"), embedder)
    first = store.alignment(recommender, "exact", DEFAULT_PARAMS)
    assert store.alignment(recommender, "exact", DEFAULT_PARAMS) is first
    coords = store.get(recommender, "exact", DEFAULT_PARAMS).coords
    np.testing.assert_allclose(first.apply(coords), coords, atol=1e-4)
