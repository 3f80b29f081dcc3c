"""The texts the text methods embed: the naive format and the prefix buckets."""

from __future__ import annotations

import pytest

from core.engine.texts import PREFIX_PHRASES, bucket_index, naive_text, prefix_phrase


@pytest.mark.parametrize(
    ("score", "phrase"),
    [
        (1.0, "strongly enjoys"),
        (0.71, "strongly enjoys"),
        (0.7, "mildly enjoys"),
        (0.7000000000000001, "mildly enjoys"),  # float noise from a slider is not a bucket change
        (0.21, "mildly enjoys"),
        (0.2, "is neutral about"),
        (0.0, "is neutral about"),
        (-0.19, "is neutral about"),
        (-0.2, "mildly dislikes"),
        (-0.69, "mildly dislikes"),
        (-0.7, "strongly dislikes"),
        (-1.0, "strongly dislikes"),
    ],
)
def test_prefix_bucket_boundaries(score, phrase):
    assert prefix_phrase(score) == phrase
    assert PREFIX_PHRASES[int(bucket_index(score))] == phrase


def test_naive_text_format():
    assert naive_text({"wine": 0.8, "crowds": -0.7, "jazz": 1.0, "tea": 0.0}) == "wine: 0.8 crowds: -0.7 jazz: 1 tea: 0"
