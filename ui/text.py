"""Rendering untrusted text safely: names and ids come from files, uploads and URLs."""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&])")


def md_escape(text: object) -> str:
    """Escape text for st.markdown so it shows literally: no links, images, HTML or formatting.

    >>> md_escape("**bold** [x](javascript:alert(1))")
    '\\\\*\\\\*bold\\\\*\\\\* \\\\[x\\\\]\\\\(javascript\\\\:alert\\\\(1\\\\)\\\\)'
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def html_like(texts: list[str]) -> list[str]:
    """The texts that look like HTML (a '<' and a '>'): shown as plain text, but worth a notice.

    >>> html_like(["Wine bar", "<b>bold</b>", "a < b"])
    ['<b>bold</b>']
    """
    return [t for t in texts if "<" in t and ">" in t]
