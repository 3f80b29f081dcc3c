"""Which products carry which features: the index behind the hard-no filter and the hard-no mark.

A product *carries* a feature it scores above 0 (:func:`core.retrieval.marks.carried`); a hard-no filter on a
feature removes every product that carries it. Built once per scenario; one sparse column per feature.

>>> index = Carriers([{"nuts": 1.0}, {"tea": 0.5}, {"nuts": -1.0}])
>>> index.mask(["nuts"]).tolist(), index.mask(["nuts", "tea"]).tolist(), index.mask(["salt"]).tolist()
([True, False, False], [True, True, False], [False, False, False])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from scipy import sparse

from core.retrieval.marks import carried
from core.vectors.texts import ProfileLike


class Carriers:
    """One bool column per feature any product carries; :meth:`mask` ORs the columns asked for."""

    def __init__(self, products: Sequence[ProfileLike]) -> None:
        self.n = len(products)
        index: dict[str, int] = {}
        rows, columns = [], []
        for row, profile in enumerate(products):
            for feature in carried(profile):
                rows.append(row)
                columns.append(index.setdefault(feature, len(index)))
        self._index = index
        ones = np.ones(len(rows), dtype=np.int8)
        self._carries = sparse.csc_matrix((ones, (rows, columns)), shape=(self.n, len(index)))

    def mask(self, features: Iterable[str]) -> np.ndarray:
        """(n,) bool: the products that carry any of ``features``."""
        columns = sorted({self._index[f] for f in features if f in self._index})
        if not columns:
            return np.zeros(self.n, dtype=bool)
        return np.asarray(self._carries[:, columns].sum(axis=1)).ravel() > 0
