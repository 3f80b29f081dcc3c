"""Small numeric rules every package shares: one epsilon, one way to normalise, one NaN rule.

>>> unit(np.array([3.0, 4.0])).tolist()
[0.6, 0.8]
>>> unit(np.zeros(2)).tolist()  # a (near) zero vector stays exactly zero
[0.0, 0.0]
>>> normalize_rows(np.array([[0.0, 2.0], [0.0, 0.0]])).tolist()
[[0.0, 1.0], [0.0, 0.0]]
>>> cosine(np.array([1.0, 0.0]), np.array([1.0, 1.0]))
0.7071067811865475
>>> finite_or_none(float("nan")), finite_or_none(0.1234567891)
(None, 0.123457)
"""

from __future__ import annotations

import math

import numpy as np

EPS = 1e-8
"""A vector whose length is at or below EPS counts as zero: it is never divided by."""

DIGITS = 6
"""Decimals kept when a number leaves the program (JSON, tables)."""


def unit(vector: np.ndarray) -> np.ndarray:
    """``vector`` scaled to length 1; a vector of length <= EPS becomes exactly zero."""
    vector = np.asarray(vector)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > EPS else np.zeros_like(vector)


def normalize_rows(vectors: np.ndarray) -> np.ndarray:
    """L2-normalise the rows of an (n, d) array as float32; rows of length <= EPS stay exactly zero."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > EPS)


def inverse_norms(vectors: np.ndarray) -> np.ndarray:
    """1 / the length of each row, 0 for rows of length <= EPS (so they score 0 against everything)."""
    norms = np.linalg.norm(np.asarray(vectors), axis=1)
    return np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > EPS).astype(np.float32)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine of two vectors; 0.0 when either has length <= EPS (no direction, no similarity)."""
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    return 0.0 if na <= EPS or nb <= EPS else float(a @ b / (na * nb))


def tanh_weights(scores: np.ndarray | float) -> np.ndarray:
    """The weight of a score in a weighted sum: tanh(2s). An absent score (NaN) weighs 0.

    >>> [round(float(w), 3) for w in tanh_weights(np.array([1.0, np.nan, -0.5]))]
    [0.964, 0.0, -0.762]
    """
    return np.tanh(2.0 * np.nan_to_num(np.asarray(scores, dtype=np.float64))).astype(np.float32)


def finite_or_none(value: float | None, digits: int = DIGITS) -> float | None:
    """The one NaN rule: a number that is not finite is reported as None (JSON null), never as a made-up 0."""
    if value is None:
        return None
    value = float(value)
    return round(value, digits) if math.isfinite(value) else None
