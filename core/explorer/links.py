"""The Explorer's view state <-> URL query parameters. Pure: no streamlit.

A link reproduces a view: preset, user, score overrides, methods, k, the
whitening settings, map alignment, the embedding model and the hard-no
filter. Decoding never raises: every bad value
becomes a warning (what was wrong, what we used instead) and a default.
Warnings quote the offending value shortened and with ``repr`` (invisible
characters escaped); the page shows them as plain text, never as HTML. Numbers
are read with the one strict rule (:func:`core.numeric.parse_number`) and
written exactly (:func:`core.numeric.number_text`), so a link reproduces the
view it was copied from. A parameter given twice, or two that contradict each
other, is never resolved silently: a warning says which value is used.

>>> view = ViewState(preset="wine-synonyms", user="granular", overrides={"white wine": -0.5}, k=7)
>>> params = encode(view)
>>> params
{'preset': 'wine-synonyms', 'user': 'granular', 'set': ['white wine:-0.5'], 'k': '7'}
>>> decode(params)[0] == view
True
>>> for warning in decode({"preset": "<script>alert(1)</script>", "k": "99"})[1]:
...     print(warning)
Unknown preset '<script>alert(1)</script>' in the link; showing 'sign-trap'.
Ignored k='99': it must be a whole number from 1 to 20.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from core.embedding.models import installed
from core.errors import quoted, sentence, visible
from core.explorer.state import (
    DEFAULT_PRESET,
    DEFAULT_VIEW,
    HARD_NO_RANGE,
    K_RANGE,
    STRENGTH_RANGE,
    VARIANCE_RANGE,
    ViewState,
)
from core.numeric import NumberError, number_text, parse_number
from core.scenarios.link import unpack
from core.scenarios.model import Scenario, ScenarioError
from core.vectors.methods import ALL_METHOD_NAMES, METHOD_NAMES

MAX_VALUE_CHARS = 200
MAX_OVERRIDES = 1_000
MAX_WARNINGS = 8

Params = Mapping[str, str | Sequence[str]]


@dataclass(frozen=True)
class NumberParam:
    """A parameter that carries one number in a range: how it is read, written and refused, in one place."""

    key: str  # in the link
    field: str  # of ViewState
    bounds: tuple[float, float]
    what: str  # "a whole number", "a number", "a score"
    then: str = ""  # what the view does instead, when it is not the default's value

    def rule(self) -> str:
        lo, hi = self.bounds
        return f"{self.what} from {lo:g} to {hi:g}"


NUMBERS = (
    NumberParam("k", "k", K_RANGE, "a whole number"),
    NumberParam("var", "variance", VARIANCE_RANGE, "a number"),
    NumberParam("alpha", "strength", STRENGTH_RANGE, "a number"),
    NumberParam("hardno", "hard_no", HARD_NO_RANGE, "a score", "; showing the view without the hard-no filter"),
)


KEYS = frozenset({"preset", "data", "upload", "user", "set", "methods", "align", "model", *(p.key for p in NUMBERS)})
"""Every parameter an Explorer link may carry (another page's, such as ``scenario``, are not the Explorer's)."""


def encode(view: ViewState) -> dict[str, str | list[str]]:
    """Query parameters for a view; defaults are left out to keep links short."""
    out: dict[str, str | list[str]] = {}
    if view.data is not None:
        out["data"] = view.data
    elif view.upload is not None:
        out["upload"] = view.upload
    elif view.preset != DEFAULT_VIEW.preset:
        out["preset"] = view.preset
    if view.user is not None:
        out["user"] = view.user
    if view.overrides:
        out["set"] = [f"{feature}:{number_text(score)}" for feature, score in view.overrides.items()]
    if view.methods != DEFAULT_VIEW.methods:
        out["methods"] = ",".join(view.methods)
    for param in NUMBERS:
        value = getattr(view, param.field)
        if value is not None and value != getattr(DEFAULT_VIEW, param.field):
            out[param.key] = str(value) if param.what == "a whole number" else number_text(value)
    if view.aligned:
        out["align"] = "1"
    if view.model is not None:
        out["model"] = view.model
    return out


def shown(value: str, limit: int = 40) -> str:
    """A value from the URL, shortened and quoted, safe to show as plain text."""
    text = value if len(value) <= limit else value[:limit] + "..."
    return quoted(text)


def _values(params: Params, key: str) -> list[str]:
    raw = params.get(key)
    if raw is None:
        return []
    return [raw] if isinstance(raw, str) else list(raw)


def _number(text: str, lo: float, hi: float) -> float | None:
    """The number in ``text`` if it is one (decimal notation, :func:`core.numeric.parse_number`) within [lo, hi]."""
    try:
        value = parse_number(text)
    except NumberError:
        return None
    return value if lo <= value <= hi else None


def preset_lookup(preset_id: str) -> Scenario | None:
    """The preset with that id, or None."""
    from core.scenarios.presets import load_preset, preset_ids

    return load_preset(preset_id) if preset_id in preset_ids() else None


class _Reader:
    """Reads one parameter at a time; every problem becomes a warning and the default stays."""

    def __init__(self, params: Params) -> None:
        self.params = params
        self.warnings: list[str] = []

    def last(self, key: str, *, check_length: bool = True) -> str | None:
        """The parameter's last value, or None when absent or too long (with a warning). A parameter given more than
        once with different values warns which one is used."""
        values = _values(self.params, key)
        if not values:
            return None
        value = values[-1]
        if len(set(values)) > 1:
            listed = ", ".join(shown(v) for v in dict.fromkeys(values[:5]))
            self.warnings.append(
                f"The link gives '{key}' {len(values):,} times ({listed}); using the last, {shown(value)}."
            )
        return None if check_length and self.too_long(key, value) else value

    def too_long(self, key: str, value: str) -> bool:
        if len(value) > MAX_VALUE_CHARS:
            self.warnings.append(
                f"Ignored '{key}' from the link: the value is longer than {MAX_VALUE_CHARS} characters."
            )
            return True
        return False

    def scenario(self, view: ViewState, lookup, uploads) -> tuple[ViewState, Scenario | None]:
        data = self.last("data", check_length=False)  # a packed scenario is long by nature: its own limits apply
        upload, preset = self.last("upload"), self.last("preset")
        if data is not None:
            try:
                linked = unpack(data)
            except ScenarioError as error:
                self.warnings.append(sentence(f"Ignored the scenario in the link: {error.problems[0][1]}"))
            else:
                self.overruled("data", "the scenario in 'data'", upload=upload, preset=preset)
                return replace(view, upload=linked.id, data=data), linked
        if upload is not None:
            if uploads and upload in uploads:
                self.overruled("upload", "the uploaded scenario", preset=preset)
                return replace(view, upload=upload), uploads[upload]
            instead = preset if preset is not None and lookup(preset) is not None else DEFAULT_PRESET
            unknown = f" (its preset {shown(preset)} is unknown)" if preset not in (None, instead) else ""
            self.warnings.append(
                f"The link points to a scenario ({shown(upload)}) that exists only in the sender's session: it was "
                f"too large to travel in the link. Showing the {instead!r} preset{unknown}; ask for the file."
            )
            view = replace(view, preset=instead) if instead != DEFAULT_PRESET else view
        elif preset is not None:
            found = lookup(preset)
            if found is not None:
                return replace(view, preset=preset), found
            self.warnings.append(f"Unknown preset {shown(preset)} in the link; showing {DEFAULT_PRESET!r}.")
        return view, lookup(view.preset)

    def overruled(self, winner: str, what: str, **others: str | None) -> None:
        """Warn that ``winner`` decides the scenario although the link also gives ``others`` (never silently)."""
        given = [f"{key}={shown(value)}" for key, value in others.items() if value is not None]
        if given:
            self.warnings.append(
                f"The link gives both '{winner}' and {' and '.join(given)}; showing {what} ('{winner}' wins)."
            )

    def user(self, view: ViewState, scenario: Scenario | None) -> ViewState:
        user = self.last("user")
        if user is None:
            return view
        found = None if scenario is None else scenario.find_user(user)  # typed in either Unicode normal form
        if scenario is None or found is not None:  # None: the default preset is missing
            return replace(view, user=user if found is None else found.id)
        first = scenario.users[0]
        self.warnings.append(
            f"Unknown user {shown(user)} in the link; showing {shown(first.name)} ({visible(first.id)})."
        )
        return view

    def overrides(self, view: ViewState, scenario: Scenario | None) -> ViewState:
        given: dict[str, list[float]] = {}
        vocabulary = set(scenario.vocabulary) if scenario is not None else None
        values = _values(self.params, "set")
        if len(values) > MAX_OVERRIDES:
            self.warnings.append(
                f"Ignored the last {len(values) - MAX_OVERRIDES:,} of {len(values):,} 'set' values from the link: "
                f"a link carries at most {MAX_OVERRIDES:,}."
            )
        for item in values[:MAX_OVERRIDES]:
            found = None if self.too_long("set", item) else self.override(item, vocabulary)
            if found is not None:
                given.setdefault(found[0], []).append(found[1])
        for feature, scores in given.items():
            if len(set(scores)) > 1:
                listed = ", ".join(number_text(score) for score in dict.fromkeys(scores[:5]))
                self.warnings.append(
                    f"The link sets {shown(feature)} {len(scores):,} times ({listed}); "
                    f"using the last, {number_text(scores[-1])}."
                )
        overrides = {feature: scores[-1] for feature, scores in given.items()}
        return replace(view, overrides=overrides) if overrides else view

    def override(self, item: str, vocabulary: set[str] | None) -> tuple[str, float] | None:
        """One ``FEATURE:SCORE`` value, or None (with a warning) when it cannot be used."""
        feature, sep, raw = item.rpartition(":")
        feature = feature.strip()
        if not sep or not feature:
            self.warnings.append(f"Ignored score {shown(item)} from the link: expected FEATURE:SCORE.")
            return None
        if vocabulary is not None and feature not in vocabulary:
            self.warnings.append(f"Ignored score for {shown(feature)}: that feature is not in this scenario.")
            return None
        score = _number(raw, -1.0, 1.0)
        if score is None:
            self.warnings.append(f"Ignored score {shown(raw)} for {shown(feature)}: scores are numbers in [-1, 1].")
            return None
        return feature, score

    def methods(self, view: ViewState) -> ViewState:
        methods = self.last("methods")
        if methods is None:
            return view
        names = [m.strip() for m in methods.split(",") if m.strip()]
        if not names:
            self.warnings.append(f"Ignored an empty 'methods' in the link; showing all of: {', '.join(METHOD_NAMES)}.")
            return view
        valid = tuple(dict.fromkeys(m for m in names if m in ALL_METHOD_NAMES))
        unknown = [m for m in names if m not in ALL_METHOD_NAMES]
        if unknown:
            self.warnings.append(
                f"Ignored unknown methods {', '.join(shown(m) for m in unknown[:5])}; "
                f"valid: {', '.join(ALL_METHOD_NAMES)}."
            )
        return replace(view, methods=valid) if valid else view

    def number(self, view: ViewState, param: NumberParam) -> ViewState:
        raw = self.last(param.key)
        if raw is None:
            return view
        number = _number(raw, *param.bounds)
        if number is None or (param.what == "a whole number" and number != int(number)):
            self.warnings.append(f"Ignored {param.key}={shown(raw)}: it must be {param.rule()}{param.then}.")
            return view
        return replace(view, **{param.field: int(number) if param.what == "a whole number" else number})

    def model(self, view: ViewState, installed: Sequence[str]) -> ViewState:
        raw = self.last("model")
        if raw is None:
            return view
        model, warning = read_model(raw, installed)
        if warning:
            self.warnings.append(warning)
        return replace(view, model=model) if model else view

    def align(self, view: ViewState) -> ViewState:
        align = self.last("align")
        if align is None:
            return view
        if align.lower() in ("1", "true", "yes"):
            return replace(view, aligned=True)
        if align.lower() not in ("0", "false", "no"):
            self.warnings.append(f"Ignored align={shown(align)}: use 1 or 0.")
        return view


def decode(
    params: Params,
    *,
    lookup: Callable[[str], Scenario | None] = preset_lookup,
    uploads: Mapping[str, Scenario] | None = None,
    models: Sequence[str] | None = None,
) -> tuple[ViewState, list[str]]:
    """Read a view from query parameters. Never raises; returns (view, warnings).

    ``lookup(preset_id)`` returns a preset's scenario, or None if there is no such
    preset. ``uploads`` holds this session's uploaded scenarios by id; ``models`` the
    ids of the models installed here (default: asked of :mod:`core.embedding.models`).
    """
    reader = _Reader(params)
    view, scenario = reader.scenario(DEFAULT_VIEW, lookup, uploads)
    view = reader.user(view, scenario)
    view = reader.overrides(view, scenario)
    view = reader.align(reader.methods(view))
    for param in NUMBERS:
        view = reader.number(view, param)
    view = reader.model(view, [m.id for m in installed()] if models is None else models)
    return view, summarised(reader.warnings)


def read_model(raw: str, installed: Sequence[str]) -> tuple[str | None, str | None]:
    """A model id from a link, matched in any case: (the installed id, None), or (None, the warning)."""
    known = {m.lower(): m for m in installed}
    if raw.lower() in known:
        return known[raw.lower()], None
    return (
        None,
        f"Unknown model {shown(raw)} in the link (installed here: {', '.join(installed)}); showing the default model.",
    )


def read_scenario(
    params: Params, *, lookup: Callable[[str], Scenario | None], uploads: Mapping[str, Scenario] | None = None
) -> tuple[ViewState, Scenario | None, list[str]]:
    """Only the scenario a link names (``data``, ``upload`` or ``preset``): what the other pages read."""
    reader = _Reader(params)
    view, scenario = reader.scenario(DEFAULT_VIEW, lookup, uploads)
    return view, scenario, reader.warnings


def summarised(warnings: list[str], limit: int = MAX_WARNINGS) -> list[str]:
    """At most ``limit`` warnings, then one line counting the rest (a link with 1,000 bad values gets 9 lines).

    >>> summarised(["a", "b", "c"], limit=2)
    ['a', 'b', '... and 1 more problem with the link.']
    """
    if len(warnings) <= limit:
        return warnings
    rest = len(warnings) - limit
    return [*warnings[:limit], f"... and {rest:,} more problem{'s' if rest != 1 else ''} with the link."]
