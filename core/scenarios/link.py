"""A small scenario as one link parameter: compressed JSON, read back as strictly as an upload.

``pack`` gives ``"1." + base64url(deflate(canonical JSON))`` for a scenario within
:data:`LINK_LIMITS`, or None (it would not fit a link: share the file instead).
``unpack`` refuses anything before it costs memory: the text's length is checked
before decoding, the output of decompression is capped (a decompression bomb stops
at the cap), the data must be exactly one compressed stream with nothing after it,
and the JSON goes through the same rules as every upload.

>>> from core.scenarios.presets import load_preset
>>> scenario = load_preset("sign-trap")
>>> blob = pack(scenario)
>>> blob.startswith("1.") and len(blob) < 4_000, unpack(blob) == scenario
(True, True)
>>> unpack("2.abc")
Traceback (most recent call last):
...
core.scenarios.model.ScenarioError: the link's scenario: unknown format '2'; this app reads links of format 1
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib

from core.errors import shorten
from core.scenarios.io import parse_scenario
from core.scenarios.model import Scenario, ScenarioError, size_text

VERSION = "1"
LINK_LIMITS = {"products": 50, "users": 10, "features": 40}
MAX_LINK_CHARS = 8_000  # what a link parameter may hold: proxies and browsers keep URLs under about 8 KB
MAX_JSON_BYTES = 64_000  # what the parameter may decompress to
SOURCE = "the link's scenario"


def too_large(scenario: Scenario) -> str | None:
    """Why the scenario cannot travel in a link, or None if it can."""
    sizes = {"products": len(scenario.products), "users": len(scenario.users), "features": len(scenario.vocabulary)}
    over = [f"{sizes[k]:,} {k} (a link holds {v})" for k, v in LINK_LIMITS.items() if sizes[k] > v]
    return "; ".join(over) or None


def pack(scenario: Scenario) -> str | None:
    """The scenario as one link parameter, or None when it is too large for a link."""
    if too_large(scenario):
        return None
    text = json.dumps(scenario.to_dict(), ensure_ascii=False, separators=(",", ":"))  # order kept: vocabulary order
    blob = base64.urlsafe_b64encode(zlib.compress(text.encode(), 9)).decode().rstrip("=")
    blob = f"{VERSION}.{blob}"
    return blob if len(blob) <= MAX_LINK_CHARS else None


def _fail(message: str) -> ScenarioError:
    return ScenarioError(SOURCE, [("", message)])


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, MAX_JSON_BYTES + 1)
    except zlib.error:
        raise _fail("it is not compressed data; the link may have been cut or changed") from None
    if len(out) > MAX_JSON_BYTES or inflater.unconsumed_tail:
        raise _fail(f"it unpacks to more than {size_text(MAX_JSON_BYTES)}; a link holds small scenarios only")
    if not inflater.eof:
        raise _fail("it ends too early; the link may have been cut")
    if inflater.unused_data:  # a second stream, or anything else: never dropped in silence
        raise _fail(
            f"it has {len(inflater.unused_data):,} bytes after the compressed scenario; a link holds exactly one "
            "compressed scenario and nothing after it (the link may have been changed)"
        )
    return out


def unpack(blob: str) -> Scenario:
    """The scenario a link parameter carries; :class:`ScenarioError` (one line) for anything else."""
    if len(blob) > MAX_LINK_CHARS:
        raise _fail(f"it is {len(blob):,} characters; a link holds at most {MAX_LINK_CHARS:,}")
    version, dot, body = blob.partition(".")
    if not dot or version != VERSION:
        raise _fail(f"unknown format {shorten(version, 10)}; this app reads links of format {VERSION}")
    try:
        data = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise _fail("it is not valid base64; the link may have been cut or changed") from None
    scenario = parse_scenario(_inflate(data), source=SOURCE, max_bytes=MAX_JSON_BYTES)
    reason = too_large(scenario)
    if reason:
        raise _fail(f"it has {reason}")
    return scenario
