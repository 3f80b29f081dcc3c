"""The words the text methods embed: ``naive`` text, ``split`` lists and ``prefix`` sentences.

>>> naive_text({"anxiety": -0.9, "adventure": 0.8})
'anxiety: -0.9 adventure: 0.8'
>>> prefix_phrase(0.7), prefix_phrase(0.71), prefix_phrase(-0.7)
('mildly enjoys', 'strongly enjoys', 'strongly dislikes')
>>> split_texts({"wine": 0.8, "crowds": -0.5, "jazz": 0.0})
('wine', 'crowds')
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from core.wording import score_text

ProfileLike = Mapping[str, float]

# Bucket phrases, lowest first. A score goes to the first bucket whose upper
# edge it does not exceed: "> 0.7" is strong, exactly 0.7 is mild.
PREFIX_PHRASES: tuple[str, ...] = (
    "strongly dislikes",
    "mildly dislikes",
    "is neutral about",
    "mildly enjoys",
    "strongly enjoys",
)
PREFIX_EDGES = np.array([-0.7, -0.2, 0.2, 0.7])
# Scores are bucketed as float64, the decimal value the user entered (0.2 is the float64
# nearest 0.2, equal to the edge), and rounded first so that float noise from arithmetic
# (0.7000000000000001) is not "strongly enjoys". Never bucket float32 scores: float32 holds
# 0.2 as 0.2000000030 and -0.7 as -0.6999999881, which land in the wrong bucket.
BUCKET_DECIMALS = 9


def bucket_index(scores: np.ndarray | float) -> np.ndarray:
    """0 = strongly dislikes ... 4 = strongly enjoys; an edge belongs to the bucket below it.

    >>> bucket_index(np.array([0.2, 0.21, -0.7, -0.69, 0.7, 0.7000000000000001])).tolist()
    [2, 3, 0, 1, 3, 3]
    """
    values = np.asarray(scores)
    if values.dtype == np.float32:
        raise TypeError("bucket float64 scores (the values entered); float32 cannot hold 0.2 or -0.7")
    return np.searchsorted(PREFIX_EDGES, np.round(values.astype(np.float64), BUCKET_DECIMALS), side="left")


def prefix_phrase(score: float) -> str:
    return PREFIX_PHRASES[int(bucket_index(score))]


def prefix_sentence(feature: str, score: float) -> str:
    return f"{prefix_phrase(score)} {feature}"


def naive_text(profile: ProfileLike) -> str:
    return " ".join(f"{feature}: {score_text(score)}" for feature, score in profile.items())


def split_texts(profile: ProfileLike) -> tuple[str, str]:
    """The positive and the negative feature lists; zero scores are in neither."""
    pos = ", ".join(f for f, s in profile.items() if s > 0)
    neg = ", ".join(f for f, s in profile.items() if s < 0)
    return pos, neg
