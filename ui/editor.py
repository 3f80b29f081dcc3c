"""The scenario editor's three steps: start from something, edit it in tables, apply it (all or nothing).

State (``st.session_state``), always replaced together by :func:`load`:

- ``e_base``: the scenario last loaded or applied (valid by construction);
- ``e_tables``: its tables as loaded (None when it is too large to edit in the browser);
- ``e_label``: what it is ("preset sign-trap", "upload my.csv", ...), ``e_applied``: whether it is applied;
- ``e_version``: bumped on every load, so the editors start from the new tables.
"""

from __future__ import annotations

import math

import streamlit as st
from streamlit.errors import StreamlitAPIException

from core.scenarios.io import parse_upload
from core.scenarios.model import MAX_UPLOAD_BYTES, Scenario, ScenarioError, problem_lines, size_text
from core.scenarios.presets import DEFAULT_PRESET, own_names
from core.scenarios.tables import (
    DESCRIPTION,
    ID,
    LABELS,
    NAME,
    Tables,
    bad_cells,
    cells,
    column_labels,
    from_tables,
    scores_as_text,
    scores_from_text,
    to_tables,
)
from core.scenarios.wide_csv import to_csv
from core.vectors.methods import METHOD_NAMES
from core.vectors.space import DEFAULT_PARAMS
from ui import resources, session
from ui.text import html_like, md_escape

MAX_EDITABLE_CELLS = 400_000  # a bigger table is sluggish in the browser: edit it as a file instead
BLANK = {
    "id": "my-scenario",
    "title": "My scenario",
    "description": "What this scenario teaches.",
    "features": ["wine", "crowds"],
    "users": [{"id": "u1", "name": "First user", "profile": {"wine": 0.8, "crowds": -0.6}}],
    "products": [
        {"id": "p1", "name": "Quiet wine bar", "description": "", "profile": {"wine": 1.0, "crowds": -0.5}},
        {"id": "p2", "name": "Beer festival", "description": "", "profile": {"crowds": 1.0}},
    ],
}
INTRO = (
    "Start from a preset, a blank scenario or a file; edit users, products and scores in the tables; "
    "**Apply** checks everything and, if it is valid, makes it available in the Explorer and Diagnostics for "
    "this session. Nothing is applied halfway: with any error, the last applied version stays as it was."
)

state = st.session_state


def load(scenario: Scenario, label: str, *, applied: bool = False) -> None:
    """Make ``scenario`` the working copy. Everything is computed first, then the state changes at once."""
    tables = to_tables(scenario) if cells(scenario) <= MAX_EDITABLE_CELLS else None
    for key in ("e_pending", "e_users_now", "e_products_now"):
        state.pop(key, None)
    state.update(
        {
            "e_base": scenario,
            "e_tables": tables,
            "e_label": label,
            "e_applied": scenario.id if applied else None,
            "e_version": state.get("e_version", 0) + 1,
        }
    )


def ensure_started() -> None:
    if "e_base" not in state:
        state["e_choice"] = f"preset:{DEFAULT_PRESET}"
        load(resources.preset(DEFAULT_PRESET), f"preset {DEFAULT_PRESET}")


def working_copy() -> Tables | None:
    """The tables as edited so far (the editors' last output and the metadata inputs); None if not editable."""
    tables, version = state["e_tables"], state["e_version"]
    if tables is None:
        return None
    meta = {
        "id": state.get(f"e_id_{version}", tables.meta["id"]),
        "title": state.get(f"e_title_{version}", tables.meta["title"]),
        "description": state.get(f"e_desc_{version}", tables.meta["description"]),
    }
    return Tables(meta, state.get("e_users_now", tables.users), state.get("e_products_now", tables.products))


def unapplied_edits() -> bool:
    working = working_copy()
    return working is not None and not working.same_as(state["e_tables"])


def show_problems(error: ScenarioError) -> None:
    lines = "\n".join(f"- {md_escape(line)}" for line in problem_lines(error))
    st.error(
        f"**{md_escape(error.source)}**: {error.count:,}{'+' if error.stopped else ''} problem(s); nothing was "
        f"applied.\n\n{lines}",
        icon=":material/error:",
    )


def html_notice(scenario: Scenario) -> None:
    texts = [scenario.title, scenario.description] + [
        t for item in (*scenario.users, *scenario.products) for t in (item.name, getattr(item, "description", ""))
    ]
    suspicious = html_like(texts)
    if suspicious:
        st.info(
            md_escape(
                f"{len(suspicious)} name(s) or description(s) contain HTML-like text (e.g. {suspicious[0][:60]!r}). "
                "It is kept as plain text and never rendered as HTML."
            ),
            icon=":material/code_off:",
        )


def _new_upload(uploaded) -> tuple[Scenario, str] | None:
    """A file from the uploader, parsed once per file (the uploader keeps its key, so every file counts)."""
    if uploaded is None or state.get("e_upload_done") == uploaded.file_id:
        return None
    state["e_upload_done"] = uploaded.file_id
    try:
        return parse_upload(uploaded.name, uploaded.getvalue()), f"upload {uploaded.name}"
    except ScenarioError as error:
        show_problems(error)
        return None


def _chosen(choice: str, sources: dict) -> tuple[Scenario, str]:
    if choice == "blank":
        return Scenario.model_validate(BLANK), "a blank scenario"
    if choice.startswith("preset:"):
        preset_id = choice.removeprefix("preset:")
        return resources.preset(preset_id), f"preset {preset_id}"
    return session.uploads()[choice.removeprefix("upload:")], sources[choice]


def source_section() -> None:
    """Step 1: load a preset, a blank scenario or an applied one, or upload a file."""
    st.subheader("1. Start from")
    sources = {"blank": "A blank scenario"}
    sources.update({f"preset:{i.id}": f"Preset: {i.title}" for i in resources.preset_infos()})
    sources.update({f"upload:{k}": f"Applied in this session: {v.title}" for k, v in session.uploads().items()})
    if "e_choice_next" in state:  # what was just applied: the picker says what the editor holds
        state["e_choice"] = state.pop("e_choice_next")
    if state.get("e_choice") not in sources:
        state["e_choice"] = "blank"
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    choice = left.selectbox("Load a scenario into the editor", list(sources), format_func=sources.get, key="e_choice")
    pressed = right.button("Load", icon=":material/download_for_offline:", width="stretch")
    uploaded = st.file_uploader(
        f"...or upload a file (.json, or .csv in the wide format; at most {size_text(MAX_UPLOAD_BYTES)}, "
        f"{MAX_UPLOAD_BYTES:,} bytes)",
        type=["json", "csv"],
        key="e_upload",
    )
    pending = _chosen(choice, sources) if pressed else _new_upload(uploaded)
    if pending is not None:
        state["e_pending"] = pending
    if "e_pending" in state:
        _load_pending()


def _load_pending() -> None:
    """Load what was asked for, unless that would discard unapplied edits without asking."""
    scenario, label = state["e_pending"]
    if unapplied_edits() and not state.get("e_discard_ok"):
        st.warning(
            md_escape(
                f"You have edits to {state['e_label']} that are not applied. Loading {label} would discard them."
            ),
            icon=":material/warning:",
        )
        keep, discard = st.columns(2)
        if keep.button("Keep editing", width="stretch"):
            state.pop("e_pending")
            st.rerun()
        if discard.button("Discard my edits and load", type="primary", width="stretch"):
            state["e_discard_ok"] = True
            st.rerun()
        return
    state.pop("e_discard_ok", None)
    load(scenario, label)
    done = f"Loaded {label} into the editor."
    if label.startswith("upload "):
        done += " It is not applied yet: check the tables below, then press Apply (step 3)."
    st.success(md_escape(done), icon=":material/check:")
    html_notice(scenario)


def _column_forms(tables: Tables, meta: dict, version: int) -> None:
    """Add a feature column, or remove some."""
    add_col, drop_col = st.columns(2)
    with add_col.form(f"e_add_{version}", border=False):
        new_feature = st.text_input("Add a feature column", max_chars=80, placeholder="e.g. live music")
        if st.form_submit_button("Add feature", icon=":material/add:"):
            name = new_feature.strip()
            if not name:
                st.warning("Type a feature name (1 to 80 characters).")
            elif name in tables.features:
                st.warning(md_escape(f"'{name}' is already a column."))
            else:
                _replace_tables(meta, lambda df: df.assign(**{name: math.nan}))
    with drop_col.form(f"e_drop_{version}", border=False):
        dropped = st.multiselect("Remove feature columns", tables.features)
        if st.form_submit_button("Remove", icon=":material/delete:") and dropped:
            _replace_tables(meta, lambda df: df.drop(columns=dropped))


def _replace_tables(meta: dict, change) -> None:
    """Add or drop columns: the edits so far are kept, the editors restart from the changed tables."""
    working = working_copy()
    state["e_tables"] = Tables(meta, change(working.users), change(working.products))
    state["e_version"] += 1
    st.rerun()


def edit_section() -> Tables | None:
    """Step 2: metadata and the two tables. Returns the working tables (None when too large to edit here)."""
    tables: Tables | None = state["e_tables"]
    version = state["e_version"]
    applied = " (applied)" if state.get("e_applied") else " (not applied yet)"
    st.subheader(f"2. Edit {md_escape(state['e_label'])}{applied}")
    if tables is None:
        base: Scenario = state["e_base"]
        st.info(
            f"This scenario has {cells(base):,} cells, too many to edit in the browser (the limit is "
            f"{MAX_EDITABLE_CELLS:,}). Download the CSV below, edit it in a spreadsheet and upload it again; "
            "Apply uses it as it is.",
            icon=":material/table_view:",
        )
        return None
    meta = dict(tables.meta)
    c1, c2 = st.columns([1, 2])
    meta["id"] = c1.text_input("Id", meta["id"], max_chars=100, key=f"e_id_{version}")
    meta["title"] = c2.text_input("Title", meta["title"], max_chars=200, key=f"e_title_{version}")
    meta["description"] = st.text_area(
        "Description: what does this scenario teach?", meta["description"], max_chars=2000, key=f"e_desc_{version}"
    )
    _column_forms(tables, meta, version)
    users, products = _table_editors(tables, version)
    return Tables(meta, users, products)


def _column_key(index: int) -> str:
    """The editor's key for a feature column. Never the feature's name: Streamlit reserves some (``_index``);
    a leading space can never start a feature name (names are stripped), as with the fixed columns."""
    return f" feature {index}"


def _column_config(features: list[str]) -> dict:
    # Scores are edited as text so that an absent score is an empty cell (a number column shows "None");
    # Apply checks every cell and names any that is not a number in [-1, 1].
    score = {
        _column_key(i): st.column_config.TextColumn(label, max_chars=24)
        for i, label in enumerate(column_labels(features))
    }
    text = {
        ID: st.column_config.TextColumn(LABELS[ID], max_chars=100),
        NAME: st.column_config.TextColumn(LABELS[NAME], max_chars=200),
        DESCRIPTION: st.column_config.TextColumn(LABELS[DESCRIPTION], max_chars=2000),
    }
    return {**text, **score}


def _table_editor(frame, features: list[str], key: str):
    """One table in st.data_editor, feature columns under safe keys; returns it with the feature names back."""
    keys = {f: _column_key(i) for i, f in enumerate(features)}
    shown = scores_as_text(frame, features).rename(columns=keys)
    try:
        edited = st.data_editor(
            shown, num_rows="dynamic", column_config=_column_config(features), key=key, width="stretch"
        )
    except StreamlitAPIException:  # edits the table cannot apply (a forged message): drop them, keep the page
        state.pop(key, None)
        st.warning("This table's pending edits could not be read and were discarded.", icon=":material/undo:")
        edited = shown
    return scores_from_text(edited.rename(columns={k: f for f, k in keys.items()}), features)


def _table_editors(tables: Tables, version: int):
    features = tables.features
    st.markdown("**Users** (an empty score cell means the feature is absent from the profile)")
    users = _table_editor(tables.users, features, f"e_users_{version}")
    st.markdown("**Products** (every row needs an id and a name; Apply names any row that lacks one)")
    products = _table_editor(tables.products, features, f"e_products_{version}")
    state["e_users_now"], state["e_products_now"] = users, products
    return users, products


def apply_section(working: Tables | None) -> None:
    """Step 3: validate and apply everything or nothing; then open it, or download it."""
    st.subheader("3. Apply and use")
    dirty = working is not None and not working.same_as(state["e_tables"])
    if dirty:
        st.caption(":orange[You have edits that are not applied yet.]")
    if st.button("Apply", type="primary", icon=":material/check_circle:"):
        try:
            scenario = state["e_base"] if working is None else from_tables(working, source="the editor")
        except ScenarioError as error:
            show_problems(error)
            _highlight(working, bad_cells(error.problems))
        else:
            _applied(own_names(scenario))
    applied = state.get("e_applied")
    if applied and applied in session.uploads():
        _applied_notice(session.uploads()[applied])
    _downloads(dirty)


def _applied(scenario: Scenario) -> None:
    """Keep it for the session under names of its own, start preparing its vectors and maps (so the Explorer
    opens on progress, never on a blank panel), and show it in the Load picker."""
    kept, dropped = session.add_upload(scenario)
    if dropped:
        st.toast(md_escape(session.dropped_note(dropped)), icon=":material/info:")
    if resources.serving():  # the Explorer's default view, the same build it joins (AppTest leaves the cores free)
        resources.start_prepare(resources.recommender(scenario), list(METHOD_NAMES), DEFAULT_PARAMS, maps=True)
    load(scenario, f"{scenario.title}", applied=True)
    state["e_choice_next"] = f"upload:{kept}"
    st.rerun()


def _highlight(working: Tables | None, cells: dict) -> None:
    """The rows a validation names, with each named cell highlighted, under the error (a cell being edited
    cannot be coloured inside st.data_editor, so the rows are shown again, read-only)."""
    if working is None:
        return
    for name, frame in (("users", working.users), ("products", working.products)):
        rows = cells.get(name)
        if not rows:
            continue
        shown = frame.loc[[r for r in sorted(rows) if r < len(frame)]].rename(columns=LABELS)
        shown.index = [f"row {r + 1}" for r in shown.index]
        marked = {(f"row {r + 1}", LABELS.get(c, c)): m for r, columns in rows.items() for c, m in columns.items()}

        def colour(column, marked=marked):
            return ["background-color: #ffc9c9" if (row, column.name) in marked else "" for row in column.index]

        st.markdown(f"**Cells to fix in the {name} table** (highlighted; the rows as numbered in the grid above)")
        st.dataframe(shown.astype(str).replace({"nan": "", "None": ""}).style.apply(colour), width="stretch")


def _applied_notice(scenario: Scenario) -> None:
    st.success(
        md_escape(
            f"'{scenario.title}' is valid and applied: {len(scenario.users)} users, {len(scenario.products)} products, "
            f"{len(scenario.vocabulary)} features."
        ),
        icon=":material/check:",
    )
    html_notice(scenario)
    blob = session.packed(scenario)  # a link that works in any browser when the scenario fits in one
    st.page_link(
        "pages/explorer.py",
        label="Open it in the Explorer",
        icon=":material/compare_arrows:",
        query_params={"data": blob} if blob else {"upload": scenario.id},
    )


def _downloads(dirty: bool) -> None:
    base: Scenario = state["e_base"]
    left, right = st.columns(2)
    # Callables: the files are written when someone clicks, not on every rerun (a large scenario is megabytes).
    left.download_button(
        "Download JSON", base.to_json, file_name=f"{base.id}.json", mime="application/json", icon=":material/code:"
    )
    right.download_button(
        "Download CSV", lambda: to_csv(base), file_name=f"{base.id}.csv", mime="text/csv", icon=":material/table:"
    )
    st.caption(
        "Downloads hold the last loaded or applied version"
        + (" (not your unapplied edits)." if dirty else ".")
        + " In the CSV, text a spreadsheet would run as a formula (starting with =, +, -, @) is prefixed with '."
    )
