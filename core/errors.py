"""The project's own input errors. Only these mean "the input was wrong"; anything else is a bug.

The CLI turns an :class:`InputError` into one line and exit code 2; any other
exception is reported as an internal error (exit 1) with the traceback in a log.

>>> issubclass(UnknownName, InputError) and issubclass(InputError, ValueError)
True
>>> str(UnknownName("method", "nave", ["naive", "split"]))
"unknown method 'nave'; choose one of: naive, split"
"""

from __future__ import annotations

from collections.abc import Iterable


class InputError(ValueError):
    """Bad input from a person: a file, a URL parameter, a CLI argument, a data folder."""


class UnknownName(InputError):
    """A name that is not one of the allowed ones; the message lists them."""

    def __init__(self, kind: str, name: object, choices: Iterable[str], *, context: str = "") -> None:
        self.kind, self.name, self.choices = kind, name, tuple(choices)
        where = f" {context}" if context else ""
        super().__init__(f"unknown {kind} {shorten(name)}{where}; choose one of: {', '.join(self.choices)}")


def shorten(value: object, limit: int = 60) -> str:
    """``repr`` of a value from outside, cut to ``limit`` characters so a 5,000-character input is not echoed whole.

    >>> shorten("x" * 100, 10)
    "'xxxxxxxxxx...' (100 characters)"
    """
    text = value if isinstance(value, str) else str(value)
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}"[:-1] + f"...' ({len(text):,} characters)"
