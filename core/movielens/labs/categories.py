"""Categories that learn from what is assigned to them: effective (centroid) embeddings.

A category's embedding starts as its name's. Each item assigned to it is averaged
in, so the category becomes the centre of its name and its contents; no training.
"""

from __future__ import annotations

import numpy as np

from core.numeric import normalize_rows


def effective_embeddings(base: np.ndarray, assigned: dict[int, np.ndarray]) -> np.ndarray:
    """Each category: the unit centroid of its name's embedding and its assigned items' embeddings.

    >>> base = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> [[round(float(x), 3) for x in row] for row in effective_embeddings(base, {0: np.array([[0.0, 1.0]])})]
    [[0.707, 0.707], [0.0, 1.0]]
    """
    out = np.array(base, dtype=np.float64, copy=True)
    for category, vectors in assigned.items():
        if len(vectors):
            out[category] = (base[category] + np.asarray(vectors).sum(axis=0)) / (1 + len(vectors))
    return normalize_rows(out.astype(np.float32))


def clean_title(title: str) -> str:
    """A movie title without its year, which says nothing about the genre.

    >>> clean_title("Heat (1995)"), clean_title("Seven (a.k.a. Se7en) (1995)"), clean_title("(500) Days")
    ('Heat', 'Seven (a.k.a. Se7en)', '(500) Days')
    """
    text = title.strip()
    if text.endswith(")") and "(" in text:
        head, _, tail = text.rpartition("(")
        if tail[:-1].strip().isdigit():
            return head.strip() or text
    return text
