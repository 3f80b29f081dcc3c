"""What counts as a bad recommendation, in one place: a hard "no" (a constraint) and a dislike (a direction).

- **Breaks a hard no** (the strong mark): the product carries, with a positive
  score, a feature the user scores at or below :data:`HARD_NO` (default -0.9).
  A peanut butter cup for someone who scores peanuts -1.
- **Disliked overall** (the soft mark): the product's *exact* cosine with the
  user is below 0: on balance, its features are ones the user dislikes.

A cosine never forbids anything: even the exact reference scores a peanut butter
cup +0.12 for a peanut-allergic chocolate lover, a weak match and not a dislike.
A hard no is a rule about the product, which only a filter can enforce.

>>> hard_nos({"peanuts": -1.0, "tree nuts": -0.6, "chocolate": 0.9})
['peanuts']
>>> violates({"peanuts": 0.3, "chocolate": 1.0}, ["peanuts"]), violates({"peanuts": -1.0}, ["peanuts"])
(True, False)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

HARD_NO = -0.9
HARD_NO_RANGE = (-1.0, -0.05)  # thresholds a person may choose (CLI --hard-no, the Explorer, links): a "no" is < 0
DISLIKED_BELOW = -1e-6
"""The disliked mark's line: an exact cosine below this. A cosine within rounding of 0 (two features that cancel,
-0.72 + 0.72) is no dislike, whichever side of 0 float arithmetic happens to leave it on, in Python or in the
browser."""
HARD_NO_RULE = "carries, with a positive score, a feature the user scores at or below {threshold:g}"
DISLIKED_RULE = "its exact cosine with the user is below 0"
MARKS = {  # the one wording of both marks: the headline, the legends, the hover texts and the CLI use these names
    "hard_no": ("breaks a hard no", HARD_NO_RULE),
    "disliked": ("disliked overall", DISLIKED_RULE),
}
HARD_NO_NAME, DISLIKED_NAME = MARKS["hard_no"][0], MARKS["disliked"][0]


def hard_nos(profile: Mapping[str, float], threshold: float = HARD_NO) -> list[str]:
    """The user's hard "no" features: scored at or below ``threshold``."""
    return [feature for feature, score in profile.items() if score <= threshold]


def carried(product: Mapping[str, float]) -> list[str]:
    """The features a product *carries*: those it scores above 0. The one rule the marks, the in-memory filter
    and Qdrant's payload (``carries``) share.

    >>> carried({"peanuts": 0.4, "chocolate": 1.0, "salt": 0.0, "dairy": -1.0})
    ['peanuts', 'chocolate']
    """
    return [feature for feature, score in product.items() if score > 0]


def violates(product: Mapping[str, float], features: Iterable[str]) -> bool:
    """Whether a product carries any of ``features`` (scores it above 0, as :func:`carried` says)."""
    return any(product.get(feature, 0) > 0 for feature in features)


def describe(threshold: float = HARD_NO) -> dict[str, str]:
    """Both marks' names and rules, as the page, the panel and the CLI show them."""
    return {key: f"{name}: {rule.format(threshold=threshold)}" for key, (name, rule) in MARKS.items()}


@dataclass(frozen=True)
class Marks:
    """Per product: whether it breaks a hard no, and whether the user dislikes it overall."""

    hard_no: np.ndarray  # (n_products,) bool
    disliked: np.ndarray  # (n_products,) bool
    threshold: float = HARD_NO

    @staticmethod
    def disliked_by(exact: np.ndarray) -> np.ndarray:
        """The disliked mark from exact's cosines (see :data:`DISLIKED_BELOW`)."""
        return np.asarray(exact) < DISLIKED_BELOW

    def counts(self, top: np.ndarray) -> dict[str, int]:
        """How many of the given products (a method's top k) carry each mark."""
        return {"hard_no_in_top_k": int(self.hard_no[top].sum()), "disliked_in_top_k": int(self.disliked[top].sum())}
