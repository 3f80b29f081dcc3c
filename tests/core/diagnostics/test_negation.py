"""Negation pairs: strict parsing of any two-column file, a floor with no fixed points, and the real data."""

from __future__ import annotations

import numpy as np
import pytest

from core.diagnostics.negation import (
    PairsError,
    derangement,
    find_pairs,
    load_pairs,
    parse_pairs,
    reading,
    summary,
)


def test_tsv_quotes_are_text_and_blank_lines_are_skipped():
    data = b'sentence\tnegated\nHe said "no".\tHe didn\'t say "no".\n\n"Odd" start\t"Odd" end\n'
    pairs = parse_pairs(data, "q.tsv")
    assert pairs.sentences == ('He said "no".', '"Odd" start')
    assert pairs.negated == ('He didn\'t say "no".', '"Odd" end')


def test_csv_with_other_columns_in_any_order():
    pairs = parse_pairs(b'id,negated,sentence\n1,"It isn\'t good, sadly.",It is good.\n2,No.,Yes.\n', "p.csv")
    assert pairs.sentences == ("It is good.", "Yes.") and pairs.negated == ("It isn't good, sadly.", "No.")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file"),
        (b"a\tb\nx\ty\n", "line 1: expected the headers sentence and negated"),
        (b"sentence\tnegated\nx\t\ny\tz\n", "line 2: both 'sentence' and 'negated' must be non-empty"),
        (b"sentence\tnegated\nx\n", "line 2: both"),
        (b"sentence\tnegated\nx\ty\n", "needs at least 2 pairs"),
        (b"sentence\tnegated\n\xff\xfe\ty\n", "not UTF-8"),
        (b"sentence\tnegated\n" + b"x" * 3000 + b"\ty\nx\ty\n", "longer than 2,000 characters"),
    ],
)
def test_bad_files_are_one_line_naming_the_file(data, message):
    with pytest.raises(PairsError) as error:
        parse_pairs(data, "bad.tsv")
    assert str(error.value).startswith("bad.tsv: ") and message in str(error.value)
    assert "\n" not in str(error.value)


def test_files_that_are_not_regular_or_missing_are_refused(tmp_path):
    with pytest.raises(PairsError, match="is a directory"):
        load_pairs(tmp_path)
    with pytest.raises(PairsError, match="no such file"):
        load_pairs(tmp_path / "missing.tsv")


@pytest.mark.parametrize("n", [2, 3, 10, 2111])
def test_the_floor_pairs_every_sentence_with_another_one(n):
    order = derangement(n)
    assert sorted(order) == list(range(n)) and not np.any(order == np.arange(n))


def test_the_real_pairs_with_the_default_model(embedder):
    pairs = load_pairs(find_pairs())
    assert len(pairs.sentences) == 2111 and pairs.sentences[1] == "The mic is great."
    subset = type(pairs)(pairs.source, pairs.sentences[:300], pairs.negated[:300])
    result = summary(subset, embedder)
    assert result["pairs"] == 300
    assert result["median"] > 0.8 > result["random_median"], "MiniLM barely hears the negation in real sentences"
    assert 0 < result["rescaled_median"] <= 1


def test_the_reading_names_the_models_that_hear_least_and_best():
    results = {
        "a": {"median": 0.97, "random_median": 0.1, "rescaled_median": 0.97},
        "b": {"median": 0.95, "random_median": 0.8, "rescaled_median": 0.75},
    }
    text = reading(results)
    assert "2 of 2 models" in text and "a hears the negation least (0.97)" in text and "b best (0.75)" in text
    assert reading({}) == "No model was measured."
