"""Rendering untrusted text safely: names and ids come from files, uploads and URLs."""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&])")
# Streamlit's markdown turns bare URLs and e-mail addresses into links *after* escapes are removed, so a
# zero-width space goes where the autolinker looks: after "://", after "www", after "@".
_AUTOLINK = re.compile(r"(://|(?<![^\W_])www(?=\.)|@)", re.IGNORECASE)
ZWSP = "\u200b"


def md_escape(text: object) -> str:
    """Escape text for st.markdown so it shows literally: no links, images, HTML, autolinks or formatting.

    >>> md_escape("**bold** [x](javascript:alert(1))")
    '\\\\*\\\\*bold\\\\*\\\\* \\\\[x\\\\]\\\\(javascript\\\\:alert\\\\(1\\\\)\\\\)'
    >>> md_escape("see https://evil.example or www.evil.example, a@b.org").count(ZWSP)
    3
    """
    text = _AUTOLINK.sub(lambda m: m.group(0) + ZWSP, str(text))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def html_like(texts: list[str]) -> list[str]:
    """The texts that look like HTML (a '<' and a '>'): shown as plain text, but worth a notice.

    >>> html_like(["Wine bar", "<b>bold</b>", "a < b"])
    ['<b>bold</b>']
    """
    return [t for t in texts if "<" in t and ">" in t]
