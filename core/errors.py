"""The project's own input errors. Only these mean "the input was wrong"; anything else is a bug.

The CLI turns an :class:`InputError` into one line and exit code 2; any other
exception is reported as an internal error (exit 1) with the traceback in a log.

User text inside a message goes through one helper, :func:`visible` (or :func:`shorten`, which quotes and
cuts it): a right-to-left override or another invisible character would otherwise reorder or hide the rest
of the line on a terminal or a page. Every :class:`InputError` applies it to its whole message as well.

>>> issubclass(UnknownName, InputError) and issubclass(InputError, ValueError)
True
>>> str(UnknownName("method", "nave", ["naive", "split"]))
"unknown method 'nave'; choose one of: naive, split"
>>> print(InputError("profile.a\\u202eb: refused"))
profile.a\\u202eb: refused
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable

ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"})
"""Characters shown as escapes in messages: controls, format (bidi overrides, zero-width), line and paragraph
separators, private use, surrogates and unassigned code points."""


_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_char(ch: str) -> str:
    r"""One character as Python writes it in a ``repr``: ``\x1b``, ``\u202e``, ``\U000e0001``."""
    if ch in _SHORT:
        return _SHORT[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _mark(ch: str) -> bool:
    return unicodedata.category(ch).startswith("M")


def visible(text: object, escape: Callable[[str], str] = escape_char) -> str:
    r"""Text from outside, safe inside a message: every character of :data:`ESCAPED_CATEGORIES` escaped, and so
    is a combining mark that starts the text or follows an escape, a space, a quote or other ASCII punctuation (where
    user text starts inside a message), which would draw onto what precedes it.
    ``escape`` writes one character (default: as Python's ``repr`` does).

    >>> visible("a\u202eb\nc"), visible("\u0301x"), visible("café")
    ('a\\u202eb\\nc', '\\u0301x', 'café')
    """
    text = text if isinstance(text, str) else str(text)
    out: list[str] = []
    lone = True  # a combining mark here would have no base character of its own
    for ch in text:
        hidden = unicodedata.category(ch) in ESCAPED_CATEGORIES or (lone and _mark(ch))
        out.append(escape(ch) if hidden else ch)
        # After an escape, a quote, a space or other ASCII punctuation a mark is where user text starts in a message.
        lone = hidden or (ch.isascii() and not ch.isalnum())
    return "".join(out)


def visible_lines(text: str) -> str:
    """:func:`visible` for each line of a message, keeping the line breaks between them."""
    return "\n".join(visible(line) for line in text.split("\n"))


def quoted(text: str) -> str:
    """``repr`` of text from outside (it escapes invisible characters), plus a leading combining mark.

    >>> quoted("wine"), quoted("\u0301x"), quoted("it's")
    ("'wine'", "'\\\\u0301x'", '"it\\'s"')
    """
    shown = repr(text)
    return shown[0] + escape_char(text[0]) + shown[2:] if text and _mark(text[0]) else shown


def shorten(value: object, limit: int = 60) -> str:
    """:func:`quoted` text from outside, cut to ``limit`` characters so a 5,000-character input is not echoed whole.

    >>> shorten("x" * 100, 10)
    "'xxxxxxxxxx...' (100 characters)"
    """
    text = value if isinstance(value, str) else str(value)
    if len(text) <= limit:
        return quoted(text)
    return quoted(text[:limit])[:-1] + f"...' ({len(text):,} characters)"


class InputError(ValueError):
    """Bad input from a person: a file, a URL parameter, a CLI argument, a data folder.

    The message is made :func:`visible` line by line, whoever built it.
    """

    def __init__(self, message: object = "", *args: object) -> None:
        super().__init__(visible_lines(str(message)), *args)


class UnknownName(InputError):
    """A name that is not one of the allowed ones; the message lists them."""

    def __init__(self, kind: str, name: object, choices: Iterable[str], *, context: str = "") -> None:
        self.kind, self.name, self.choices = kind, name, tuple(choices)
        where = f" {context}" if context else ""
        super().__init__(f"unknown {kind} {shorten(name)}{where}; choose one of: {', '.join(self.choices)}")


def sentence(text: str) -> str:
    """``text`` ending as a sentence: a full stop added unless it already ends in one, a question or an exclamation
    mark (a message quoted into another never reads "was the link cut?.").

    >>> sentence("it ends too early; was the link cut?"), sentence("no such file"), sentence("done.")
    ('it ends too early; was the link cut?', 'no such file.', 'done.')
    """
    text = text.rstrip()
    return text if text.endswith((".", "?", "!", "…")) else f"{text}."
