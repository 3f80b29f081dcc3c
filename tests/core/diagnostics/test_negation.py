"""Negation pairs: strict parsing of any two-column file, a floor with no fixed points, and the real data."""

from __future__ import annotations

import numpy as np
import pytest

from core.diagnostics.negation import (
    PairsError,
    derangement,
    every_model,
    find_pairs,
    load_pairs,
    negation_cosines,
    parse_pairs,
    reading,
    summary,
    summary_of,
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
        (b"", "the file has no header (it is empty or blank)"),
        (b"\n\n", "the file has no header"),
        (b"\nsentence\tnegated\na\tb\n", "line 2: 1 blank line before the header"),
        (b"sentence\tsentence\tnegated\na\tb\tc\n", "line 1: the header names 'sentence' more than once"),
        (b"Sentence\tsentence\tnegated\na\tb\tc\n", "line 1: the header names 'sentence' more than once"),
        (b"sentence,negated,negated\na,b,c\n", "the header names 'negated' more than once"),
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


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"sentence,negated\n" + b"x" * 150_000 + b",y\na,b\n", "line 2: a cell is longer than 131,072 characters"),
        (b"sentence\tnegated\n" + b"x" * 150_000 + b"\ty\na\tb\n", "line 2: a cell is longer than 131,072"),
        (b'sentence,negated\n"It works.,y\na,b\n', 'line 2: a quote (") opened in this record is never closed'),
        (b"sentence,negated\na\x00b,c\nd,e\n", "NUL bytes"),
        (b"sentence,negated\n\xc3\x28,x\n", "not UTF-8"),
    ],
)
def test_files_the_csv_reader_refuses_are_one_line_too(data, message):
    with pytest.raises(PairsError) as error:
        parse_pairs(data, "bad.csv")
    assert str(error.value).startswith("bad.csv: ") and message in str(error.value) and "\n" not in str(error.value)


def test_an_empty_pairs_path_is_refused_never_read_as_the_default():
    for empty in ("", "  "):
        with pytest.raises(PairsError, match="--pairs is empty"):
            load_pairs(empty)


def test_identical_texts_never_enter_the_random_floor():
    same = np.array([0.9, 0.9, 0.9])
    summary_ = summary_of(same, np.array([]))
    assert summary_["random_median"] is None and summary_["rescaled_median"] is None
    close = summary_of(same, np.array([0.97, 0.99, 0.98]))  # 1 - floor = 0.02: no scale to rescale on
    assert close["random_median"] == 0.98 and close["rescaled_median"] is None
    assert summary_of(same, np.array([0.1, 0.2, 0.3]))["rescaled_median"] == pytest.approx(0.875)


def test_a_file_of_repeated_pairs_gets_no_made_up_rescaled_median(embedder):
    pairs = parse_pairs(b"sentence,negated\nIt works.,It does not work.\nIt works.,It does not work.\n", "same.csv")
    same, other = negation_cosines(pairs, embedder)
    assert same.size == 2 and other.size == 0, "a sentence paired with its own copy is not a random pair"
    results = {"minilm": summary(pairs, embedder)}
    assert results["minilm"]["rescaled_median"] is None
    text = reading(results)
    assert "not defined" in text and "no two different sentences" in text and "least" not in text


def test_the_reading_names_models_without_a_scale():
    results = {
        "a": {"median": 0.97, "random_median": 0.1, "rescaled_median": 0.97},
        "b": {"median": 0.99, "random_median": 0.98, "rescaled_median": None},
    }
    text = reading(results)
    assert "a hears the negation least (0.97)" in text and "Not defined for b: the random floor is 0.98" in text


def test_every_model_reports_one_bar_weighted_by_each_models_expected_time(embedder):
    from core.embedding.cache import CachedEmbedder

    pairs = parse_pairs(b"sentence,negated\nA quiet morning.,Not a quiet morning.\nI paid.,I did not pay.\n", "t.csv")
    fast, slow = CachedEmbedder(embedder.inner, None), CachedEmbedder(embedder.inner, None)
    fast.chars_per_second, slow.chars_per_second = 1e9, 1.0  # slow: its texts are nearly all of the time
    seen = []
    results = every_model(pairs, {"fast": fast, "slow": slow}, lambda stage, f: seen.append((stage, f)))
    assert set(results) == {"fast", "slow"} and results["slow"][0].size == 2
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)
    slow_starts = next(f for stage, f in seen if "with slow" in stage)
    assert slow_starts < 0.1, "the fast model's share of the bar is its share of the expected time"
    assert all(stage.startswith("Embedding sentences with ") for stage, _ in seen)
    assert any(stage.endswith(": 4 of 4 sentences") for stage, _ in seen), "the count and the bar: one number"
