"""Per-session scenario state shared by the pages: this session's applied scenarios, and picking a scenario."""

from __future__ import annotations

import functools

import streamlit as st

from core.embedding import models
from core.explorer.links import read_model, read_scenario
from core.jobs import Once
from core.scenarios import link
from core.scenarios.model import Scenario
from core.scenarios.presets import DEFAULT_PRESET
from ui import resources
from ui.text import md_escape

UPLOADS = "uploads"  # session_state: {scenario id: Scenario}, filled by the Scenarios page and by links
UPLOAD_PREFIX = "upload:"
MAX_SESSION_SCENARIOS = 8  # a session keeps this many applied scenarios (bounded memory); linked ones go first
LINKED = "uploads_from_links"  # session_state: ids of the kept scenarios that came from links


def uploads() -> dict[str, Scenario]:
    """This session's applied (uploaded, edited or linked) scenarios, by id."""
    return st.session_state.setdefault(UPLOADS, {})


def add_upload(scenario: Scenario, *, from_link: bool = False) -> tuple[str, list[str]]:
    """Keep ``scenario`` for this session; returns (the id it is kept under, what had to go to make room).

    The session's own work (applied in the editor) replaces an older version with the same id. A scenario
    from a link never replaces anything: the same content is found again, and a different scenario with a
    taken id is kept under a new one (``my-scenario (link)``). Beyond the cap, scenarios from links go first,
    oldest first; the caller says what went.
    """
    kept, origin = uploads(), st.session_state.setdefault(LINKED, set())
    if from_link:
        same = next((sid for sid, s in kept.items() if s.fingerprint == scenario.fingerprint), None)
        if same is not None:
            return same, []
        new_id, n = scenario.id, 1
        while new_id in kept:
            n += 1
            new_id = f"{scenario.id[:80]} (link{'' if n == 2 else f' {n - 1}'})"
        scenario = scenario if new_id == scenario.id else Scenario.model_validate({**scenario.to_dict(), "id": new_id})
        origin.add(new_id)
    else:
        kept.pop(scenario.id, None)
        origin.discard(scenario.id)
    kept[scenario.id] = scenario
    dropped = []
    while len(kept) > MAX_SESSION_SCENARIOS:
        others = [sid for sid in kept if sid != scenario.id]
        victim = next((sid for sid in others if sid in origin), others[0])
        dropped.append(kept.pop(victim).title)
        origin.discard(victim)
    return scenario.id, dropped


def dropped_note(dropped: list[str]) -> str:
    return (
        f"This session keeps {MAX_SESSION_SCENARIOS} scenarios of its own; to make room it let go of: "
        + ", ".join(repr(t) for t in dropped)
        + ". Download a scenario on the Scenarios page to keep it."
    )


@functools.lru_cache(maxsize=32)
def linked(blob: str) -> Scenario:
    """The scenario a link carries (validated like an upload; decode() has already checked it)."""
    return link.unpack(blob)


_PACKED = Once(max_entries=64)  # by scenario fingerprint: a slider move must not compress the scenario again


def packed(scenario: Scenario) -> str | None:
    """The scenario as a link parameter, or None when it is too large (packed once per content)."""
    return _PACKED.get(scenario.fingerprint, lambda: link.pack(scenario))


def scenario_options() -> dict[str, str]:
    """Selectbox option -> label: presets, then this session's uploads (``upload:<id>``)."""
    options = {info.id: info.title for info in resources.preset_infos()}
    for sid, scenario in uploads().items():
        options[UPLOAD_PREFIX + sid] = f"{scenario.title} (uploaded)"
    return options


def scenario_for(choice: str) -> Scenario:
    """The scenario behind a selectbox option (a preset id or ``upload:<id>``)."""
    if choice.startswith(UPLOAD_PREFIX):
        return uploads()[choice.removeprefix(UPLOAD_PREFIX)]
    return resources.preset(choice)


def is_upload(choice: str) -> bool:
    return choice.startswith(UPLOAD_PREFIX)


K_LINK_WARNINGS = "s_link_warnings"
URL_KEY, DATA_KEY, MODEL_KEY = "scenario", "data", "model"


def _from_link(key: str) -> None:
    """Select what the link names, once per link: ``?data=`` (the scenario itself) or ``?scenario=<preset id>``.
    Read by the Explorer's own codec (:func:`core.explorer.links.read_scenario`): the same rules, the same
    warnings."""
    state = st.session_state
    blob, wanted = st.query_params.get(DATA_KEY), st.query_params.get(URL_KEY)
    seen = (blob, wanted)
    if seen == state.get(f"{key}_from_url") or seen == (None, None):
        return
    state[f"{key}_from_url"] = seen
    params = {k: v for k, v in ((DATA_KEY, blob), ("preset", wanted)) if v is not None}
    view, scenario, warnings = read_scenario(params, lookup=_preset_or_none, uploads=uploads())
    if view.data is not None and scenario is not None:
        kept_as, dropped = add_upload(scenario, from_link=True)
        state[key] = UPLOAD_PREFIX + kept_as
        warnings = [*warnings, dropped_note(dropped)] if dropped else warnings
    elif view.upload is None and wanted is not None and view.preset == wanted:
        state[key] = wanted
    state[K_LINK_WARNINGS] = [w.replace("Unknown preset", "Unknown scenario") for w in warnings]


def _preset_or_none(preset_id: str) -> Scenario | None:
    return resources.preset(preset_id) if preset_id in {i.id for i in resources.preset_infos()} else None


def _changed(key: str) -> None:
    st.session_state[f"{key}_changed"] = True


def _link_is_quiet(key: str) -> bool:
    """Whether a picker leaves the address bar as it is: it is bare (the page was reached by the sidebar, or opened
    without a link) and the reader has not changed this picker on this page yet. Writing the link on arrival would
    add a second history entry, which races Streamlit's own entry for the page change: when the bare one lands
    second-to-last, the browser's Back stays on this page instead of returning to the page before. The first
    choice made on the page writes the link, as a move in the Explorer does."""
    return not len(st.query_params) and not st.session_state.pop(f"{key}_changed", False)


def scenario_picker(key: str) -> Scenario:
    """A scenario selectbox that a link can set and that writes the link back: ``?scenario=<preset id>``, or for
    this session's own scenario ``?data=<the scenario packed>`` when it is small enough to travel."""
    _from_link(key)
    options = scenario_options()
    state = st.session_state
    if state.get(key) not in options:
        state[key] = state.get("x_preset") if state.get("x_preset") in options else DEFAULT_PRESET
    choice = st.selectbox("Scenario", list(options), format_func=options.get, key=key, on_change=_changed, args=(key,))
    scenario = scenario_for(choice)
    blob = packed(scenario) if is_upload(choice) else None
    wanted = {DATA_KEY: blob} if blob else {} if is_upload(choice) else {URL_KEY: choice}
    if _link_is_quiet(key):
        return scenario
    if {k: st.query_params.get(k) for k in (URL_KEY, DATA_KEY) if k in st.query_params} != wanted:
        for k in (URL_KEY, DATA_KEY):
            st.query_params.pop(k, None)
        st.query_params.update(wanted)
        state[f"{key}_from_url"] = (wanted.get(DATA_KEY), wanted.get(URL_KEY))
    return scenario


def show_link_warnings() -> None:
    warnings = st.session_state.pop(K_LINK_WARNINGS, [])
    if warnings:
        st.warning("\n".join(f"- {md_escape(w)}" for w in warnings), icon=":material/link_off:")


def model_picker(key: str, *, link: bool = True) -> str:
    """The embedding model: a selectbox of the installed models (the others listed with the command that
    installs them). With ``link``, ``?model=<id>`` sets it once and the choice is written back."""
    state = st.session_state
    installed = {m.id: m for m in models.installed()}
    if link:
        _model_from_link(key, installed)
    if state.get(key) not in installed:
        state[key] = state.get("x_model") if state.get("x_model") in installed else models.default_id()
    st.selectbox(
        "Embedding model",
        list(installed),
        format_func=lambda i: f"{installed[i].name} ({installed[i].dim or '?'}-d)",
        key=key,
        help="Every method embeds with this model. Diagnostics → Across models compares all of them.",
        on_change=_changed,
        args=(key,),
    )
    missing = [m.name for m in models.registry() if not m.installed]
    if missing:
        st.caption(f"Not installed: {', '.join(missing)}. `{models.INSTALL}` adds them.")
    choice = state[key]
    if link and not _link_is_quiet(key):
        wanted = None if choice == models.default_id() else choice
        if st.query_params.get(MODEL_KEY) != wanted:
            st.query_params.pop(MODEL_KEY, None)
            if wanted:
                st.query_params[MODEL_KEY] = wanted
            state[f"{key}_from_url"] = wanted
    return choice


def _model_from_link(key: str, installed: dict) -> None:
    state = st.session_state
    wanted = st.query_params.get(MODEL_KEY)
    if wanted is None or wanted == state.get(f"{key}_from_url"):
        return
    state[f"{key}_from_url"] = wanted
    match, warning = read_model(wanted, list(installed))
    if match:
        state[key] = match
    else:
        state[K_LINK_WARNINGS] = [*state.get(K_LINK_WARNINGS, []), warning]
