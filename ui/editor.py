"""The scenario editor's three steps: start from something, edit it in tables, apply it (all or nothing)."""

from __future__ import annotations

import json
import math

import pandas as pd
import streamlit as st

from core.scenarios.io import parse_upload
from core.scenarios.model import MAX_UPLOAD_BYTES, Scenario, ScenarioError, problem_lines
from core.scenarios.tables import Tables, from_tables, to_tables
from core.scenarios.wide_csv import FIXED_COLUMNS, to_csv
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


def load(scenario: Scenario, label: str) -> None:
    """Make ``scenario`` the working copy (tables reset)."""
    state["e_base"] = scenario
    state["e_tables"] = to_tables(scenario)
    state["e_label"] = label
    state["e_version"] = state.get("e_version", 0) + 1
    for key in ("e_pending", "e_users_now", "e_products_now"):
        state.pop(key, None)


def ensure_started() -> None:
    state.setdefault("e_version", 0)
    if "e_base" not in state:
        load(resources.preset(session.DEFAULT_PRESET), f"preset {session.DEFAULT_PRESET}")


def working_copy() -> Tables:
    """The tables as edited so far (the editors' last output and the metadata inputs)."""
    tables, version = state["e_tables"], state["e_version"]
    meta = {
        "id": state.get(f"e_id_{version}", tables.meta["id"]),
        "title": state.get(f"e_title_{version}", tables.meta["title"]),
        "description": state.get(f"e_desc_{version}", tables.meta["description"]),
    }
    return Tables(meta, state.get("e_users_now", tables.users), state.get("e_products_now", tables.products))


def canonical(tables: Tables) -> str:
    def frame(df: pd.DataFrame) -> list:
        return [
            {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
            for row in df.to_dict("records")
        ]

    return json.dumps([tables.meta, frame(tables.users), frame(tables.products)], sort_keys=True, default=str)


def show_problems(error: ScenarioError) -> None:
    lines = "\n".join(f"- {md_escape(line)}" for line in problem_lines(error))
    st.error(
        f"**{md_escape(error.source)}**: {len(error.problems)} problem(s); nothing was applied.\n\n{lines}",
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


def _pending_from_inputs(choice: str, pressed: bool, uploaded, sources: dict) -> tuple[Scenario, str] | None:
    if pressed:
        if choice == "blank":
            return Scenario.model_validate(BLANK), "a blank scenario"
        if choice.startswith("preset:"):
            preset_id = choice.removeprefix("preset:")
            return resources.preset(preset_id), f"preset {preset_id}"
        return session.uploads()[choice.removeprefix("upload:")], sources[choice]
    if uploaded is not None:
        try:
            return parse_upload(uploaded.name, uploaded.getvalue()), f"upload {uploaded.name}"
        except ScenarioError as error:
            show_problems(error)
    return None


def source_section() -> None:
    """Step 1: pick a preset, a blank scenario, an applied one, or upload a file."""
    st.subheader("1. Start from")
    sources = {"blank": "A blank scenario"}
    sources.update({f"preset:{i.id}": f"Preset: {i.title}" for i in resources.preset_infos()})
    sources.update({f"upload:{k}": f"Applied in this session: {v.title}" for k, v in session.uploads().items()})
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    choice = left.selectbox("Source", list(sources), format_func=sources.get, key="e_choice")
    pressed = right.button("Load", icon=":material/download_for_offline:", width="stretch")
    uploaded = st.file_uploader(
        f"...or upload a file (.json, or .csv in the wide format; at most {MAX_UPLOAD_BYTES // 2**20} MB)",
        type=["json", "csv"],
        key=f"e_upload_{state['e_version']}",
    )
    pending = _pending_from_inputs(choice, pressed, uploaded, sources)
    if pending is not None:
        state["e_pending"] = pending
    if "e_pending" in state:
        _load_pending()


def _load_pending() -> None:
    """Load what was asked for, unless that would discard unapplied edits without asking."""
    scenario, label = state["e_pending"]
    unapplied = canonical(working_copy()) != canonical(to_tables(state["e_base"]))
    if unapplied and not state.get("e_discard_ok"):
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
    try:
        load(scenario, label)
        st.success(md_escape(f"Loaded {label}."), icon=":material/check:")
        html_notice(scenario)
    except ValueError as error:
        state.pop("e_pending", None)
        st.error(md_escape(str(error)))


def _column_forms(tables: Tables, meta: dict, version: int) -> None:
    """Add a feature column, or remove some."""
    add_col, drop_col = st.columns(2)
    with add_col.form(f"e_add_{version}", border=False):
        new_feature = st.text_input("Add a feature column", max_chars=80, placeholder="e.g. live music")
        if st.form_submit_button("Add feature", icon=":material/add:"):
            name = new_feature.strip()
            if not name:
                st.warning("Type a feature name (1 to 80 characters).")
            elif name in tables.features or name in FIXED_COLUMNS:
                st.warning(md_escape(f"'{name}' is already a column."))
            else:
                _replace_tables(meta, lambda df: df.assign(**{name: math.nan}))
    with drop_col.form(f"e_drop_{version}", border=False):
        dropped = st.multiselect("Remove feature columns", tables.features)
        if st.form_submit_button("Remove", icon=":material/delete:") and dropped:
            _replace_tables(meta, lambda df: df.drop(columns=dropped))


def _replace_tables(meta: dict, change) -> None:
    tables = state["e_tables"]
    users = state.get("e_users_now", tables.users)
    products = state.get("e_products_now", tables.products)
    state["e_tables"] = Tables(meta, change(users), change(products))
    state["e_version"] += 1
    st.rerun()


def edit_section() -> tuple[Tables, bool]:
    """Step 2: metadata and the two tables. Returns the working tables and whether they differ from the base."""
    tables: Tables = state["e_tables"]
    version = state["e_version"]
    st.subheader(f"2. Edit {md_escape(state['e_label'])}")
    meta = dict(tables.meta)
    c1, c2 = st.columns([1, 2])
    meta["id"] = c1.text_input("Id", meta["id"], max_chars=100, key=f"e_id_{version}")
    meta["title"] = c2.text_input("Title", meta["title"], max_chars=200, key=f"e_title_{version}")
    meta["description"] = st.text_area(
        "Description: what does this scenario teach?", meta["description"], max_chars=2000, key=f"e_desc_{version}"
    )
    cells = (len(tables.users) + len(tables.products)) * max(len(tables.features), 1)
    if cells > MAX_EDITABLE_CELLS:
        st.info(
            f"This scenario has {cells:,} cells, too many to edit in the browser. Download the CSV, edit it in a "
            "spreadsheet and upload it again.",
            icon=":material/table_view:",
        )
        users_df, products_df = tables.users, tables.products
    else:
        _column_forms(tables, meta, version)
        users_df, products_df = _table_editors(tables, version)
    working = Tables(meta, users_df, products_df)
    return working, canonical(working) != canonical(to_tables(state["e_base"]))


def _table_editors(tables: Tables, version: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    score = st.column_config.NumberColumn(min_value=-1.0, max_value=1.0, step=0.05, format="%.2f")
    config = {
        "id": st.column_config.TextColumn("id", required=True, max_chars=100),
        "name": st.column_config.TextColumn("name", required=True, max_chars=200),
        "description": st.column_config.TextColumn("description", max_chars=2000),
        **{f: score for f in tables.features},
    }
    st.markdown("**Users** (empty cell = feature absent from the profile)")
    users_df = st.data_editor(
        tables.users, num_rows="dynamic", column_config=config, key=f"e_users_{version}", width="stretch"
    )
    st.markdown("**Products**")
    products_df = st.data_editor(
        tables.products, num_rows="dynamic", column_config=config, key=f"e_products_{version}", width="stretch"
    )
    state["e_users_now"], state["e_products_now"] = users_df, products_df
    return users_df, products_df


def apply_section(working: Tables, dirty: bool) -> None:
    """Step 3: validate and apply everything or nothing; then open it, or download it."""
    st.subheader("3. Apply and use")
    if dirty:
        st.caption(":orange[You have edits that are not applied yet.]")
    if st.button("Apply", type="primary", icon=":material/check_circle:"):
        try:
            scenario = from_tables(working, source="the editor")
        except ScenarioError as error:
            show_problems(error)
        else:
            session.uploads()[scenario.id] = scenario
            load(scenario, f"{scenario.title} (applied)")
            state["e_applied"] = scenario.id
            st.rerun()
    applied = state.get("e_applied")
    if applied and applied in session.uploads():
        scenario = session.uploads()[applied]
        st.success(
            md_escape(
                f"'{scenario.title}' is valid: {len(scenario.users)} users, {len(scenario.products)} products, "
                f"{len(scenario.vocabulary)} features."
            ),
            icon=":material/check:",
        )
        html_notice(scenario)
        st.page_link(
            "pages/explorer.py",
            label="Open it in the Explorer",
            icon=":material/compare_arrows:",
            query_params={"upload": scenario.id},
        )
    _downloads(dirty)


def _downloads(dirty: bool) -> None:
    base: Scenario = state["e_base"]
    left, right = st.columns(2)
    left.download_button(
        "Download JSON", base.to_json(), file_name=f"{base.id}.json", mime="application/json", icon=":material/code:"
    )
    right.download_button(
        "Download CSV", to_csv(base), file_name=f"{base.id}.csv", mime="text/csv", icon=":material/table:"
    )
    st.caption(
        "Downloads hold the last loaded or applied version"
        + (" (not your unapplied edits)." if dirty else ".")
        + " In the CSV, text a spreadsheet would run as a formula (starting with =, +, -, @) is prefixed with '."
    )
