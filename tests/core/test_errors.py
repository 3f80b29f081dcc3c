"""The project's input errors: what the CLI maps to exit code 2, with messages that name the allowed values."""

from __future__ import annotations

from core.errors import InputError, UnknownName, shorten
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
