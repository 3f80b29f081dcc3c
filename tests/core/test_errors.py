"""The project's input errors: what the CLI maps to exit code 2, with messages that name the allowed values."""

from __future__ import annotations

import pytest

from core.errors import InputError, UnknownName, quoted, sentence, shorten, visible
from core.scenarios.model import ScenarioError


def test_every_input_error_is_an_input_error_and_a_value_error():
    assert issubclass(ScenarioError, InputError) and issubclass(UnknownName, InputError)
    assert issubclass(InputError, ValueError)


def test_unknown_names_list_the_choices_and_never_echo_a_huge_value():
    error = UnknownName("preset", "x" * 5_000, ["a", "b"])
    text = str(error)
    assert text.endswith("choose one of: a, b") and len(text) < 200 and "5,000 characters" in text
    assert str(UnknownName("user", "nobody", ["u1"], context="in scenario 's'")) == (
        "unknown user 'nobody' in scenario 's'; choose one of: u1"
    )


def test_shorten_keeps_short_values_whole():
    assert shorten("wine") == "'wine'" and shorten(12) == "'12'"


# -- user text in messages: one helper escapes what would reorder or hide the rest of the line ---------------------

HIDDEN = [
    ("a\u202eb", "a\\u202eb"),  # right-to-left override (Cf)
    ("a\u2066b\u2069", "a\\u2066b\\u2069"),  # bidi isolates (Cf)
    ("a\u200bb", "a\\u200bb"),  # zero-width space (Cf)
    ("a\x1b[31mb", "a\\x1b[31mb"),  # a terminal escape (Cc)
    ("a\nb", "a\\nb"),  # a line break (Cc): a message stays one line
    ("a\u2028b", "a\\u2028b"),  # line separator (Zl)
    ("a\u2029b", "a\\u2029b"),  # paragraph separator (Zp)
    ("a\ue000b", "a\\ue000b"),  # private use (Co)
    ("a\ud800b", "a\\ud800b"),  # a lone surrogate (Cs)
    ("\u0301x", "\\u0301x"),  # a combining mark with nothing to combine with
    ("\u202e\u0301x", "\\u202e\\u0301x"),  # ... also right after an escape
]


@pytest.mark.parametrize(("raw", "shown"), HIDDEN)
def test_visible_escapes_every_character_that_hides_or_reorders_text(raw, shown):
    assert visible(raw) == shown
    assert visible(visible(raw)) == shown, "escaping twice changes nothing"


@pytest.mark.parametrize("text", ["white wine", "café", "crème brûlée", "日本酒", "wine 🍷", "x\u0301"])
def test_visible_leaves_ordinary_text_alone(text):
    assert visible(text) == text and quoted(text) == repr(text)


@pytest.mark.parametrize(("raw", "shown"), HIDDEN)
def test_quoted_and_shortened_values_never_carry_a_hidden_character(raw, shown):
    for text in (quoted(raw), shorten(raw), shorten(raw * 50, 10), str(UnknownName("feature", raw, ["a"]))):
        assert visible(text) == text, text


@pytest.mark.parametrize(("raw", "shown"), [case for case in HIDDEN if "\n" not in case[0]])
def test_every_input_error_escapes_its_message_whoever_built_it(raw, shown):
    error = InputError(f"profile.{raw}: refused\nsecond line {raw}")
    assert str(error) == f"profile.{shown}: refused\nsecond line {shown}"
    source = ScenarioError(f"up-{raw}.json", [(f"profile.{raw}", "bad")])
    assert str(source) == f"up-{shown}.json: profile.{shown}: bad"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("was the link cut?", "was the link cut?"),
        ("it ends too early", "it ends too early."),
        ("done.", "done."),
        ("stop!", "stop!"),
        ("trailing space? ", "trailing space?"),
    ],
)
def test_a_message_ends_with_one_mark_never_two(text, expected):
    assert sentence(text) == expected
