"""The shape of the tree, held by tests: core is pure, imports go one way, pages are thin, functions short.

Layers of ``core`` (a module may import its own package and any lower layer, never a higher one or a
sibling package of the same layer):

    0  core.numeric, core.errors, core.wording, core.jobs, core.textfiles
  0.5  core.settings (every environment variable; reads core.errors and core.numeric, read by every package)
    1  core.scenarios
    2  core.embedding
    3  core.vectors
    4  core.retrieval
    5  core.maps
    6  core.explorer, core.diagnostics, core.movielens
    7  core.movielens.labs
  7.5  core.runtime (what an entry point sets up, and the door: the configuration checked before any work)
    8  core.cli
    9  core.__main__
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_PAGE_LINES = 150
MAX_FUNCTION_LINES = 60
LAYERS = {
    "core.numeric": 0,
    "core.errors": 0,
    "core.wording": 0,
    "core.jobs": 0,
    "core.textfiles": 0,
    "core.settings": 0.5,
    "core.scenarios": 1,
    "core.embedding": 2,
    "core.vectors": 3,
    "core.retrieval": 4,
    "core.maps": 5,
    "core.explorer": 6,
    "core.diagnostics": 6,
    "core.movielens": 6,
    "core.movielens.labs": 7,
    "core.cli": 8,
    "core.runtime": 7.5,
    "core.__main__": 9,
}


def python_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imported_modules(path: Path) -> list[str]:
    """Every module a file imports, at any depth (imports inside functions count too)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def package_of(module: str) -> str:
    """The longest layer prefix of a core module name (``core.movielens.labs.ease`` -> ``core.movielens.labs``)."""
    matches = [p for p in LAYERS if module == p or module.startswith(p + ".")]
    assert matches, f"{module} is in no layer; add its package to LAYERS"
    return max(matches, key=len)


def test_no_module_in_core_imports_streamlit():
    for path in python_files("core"):
        bad = [n for n in imported_modules(path) if n == "streamlit" or n.startswith("streamlit.")]
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_importing_all_of_core_loads_no_streamlit():
    modules = [module_name(p) for p in python_files("core") if p.stem != "__main__"]
    code = f"import sys\nfor m in {modules!r}: __import__(m)\nprint('streamlit' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_core_imports_go_one_way():
    wrong = []
    for path in python_files("core"):
        if module_name(path) == "core":
            continue  # the package's docstring
        here = package_of(module_name(path))
        for target in imported_modules(path):
            if target == "core" or not target.startswith("core."):
                continue
            there = package_of(target)
            if there != here and LAYERS[there] >= LAYERS[here]:
                wrong.append(f"{module_name(path)} -> {target}")
    assert not wrong, "imports against the data flow:\n" + "\n".join(wrong)


def test_ui_and_pages_do_not_import_each_other_backwards():
    """ui never imports pages (pages are scripts run by st.navigation); core never imports ui."""
    for path in python_files("ui", "core"):
        bad = [n for n in imported_modules(path) if n.split(".")[0] == "pages"]
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"
    for path in python_files("core"):
        bad = [n for n in imported_modules(path) if n.split(".")[0] in ("ui", "bench", "scripts", "tests")]
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


@pytest.mark.parametrize("path", python_files("pages"), ids=lambda p: p.name)
def test_pages_are_thin(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_PAGE_LINES, f"{path.name} has {lines} lines; move computation into core or ui"


def test_no_function_is_longer_than_the_limit():
    long = []
    for path in python_files("core", "ui", "pages"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)")
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(long)


def test_the_layer_table_names_every_core_package():
    packages = {module_name(p.parent) for p in python_files("core") if p.name == "__init__.py"} - {"core"}
    assert packages <= set(LAYERS), f"packages missing from LAYERS: {packages - set(LAYERS)}"


def test_tests_mirror_the_core_package():
    """Every core module has its own test file, at the mirrored path (doctests alone do not count)."""
    missing = []
    for path in python_files("core"):
        if path.name in ("__init__.py", "__main__.py"):
            continue
        relative = path.relative_to(ROOT / "core")
        expected = ROOT / "tests" / "core" / relative.parent / f"test_{relative.name}"
        if not expected.exists():
            missing.append(str(expected.relative_to(ROOT)))
    assert not missing, "core modules without a test file:\n" + "\n".join(missing)


def test_charts_are_drawn_only_through_the_escaping_helper():
    """Plotly renders <a href>, <b> and <br> in every string: ui.plots.show escapes data before drawing."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in python_files("ui", "pages")
        if path.name != "plots.py" and "plotly_chart(" in path.read_text(encoding="utf-8")
    ]
    assert not offenders, f"use ui.plots.show(figure) instead of plotly_chart in: {offenders}"


CAMEL = re.compile(r"^[a-z]+[A-Z][A-Za-z]*$")
DATASET_COLUMNS = {"userId", "movieId", "imdbId", "tmdbId"}  # MovieLens's own column names, read as they are


def test_no_module_in_core_builds_camel_case_keys():
    """The browser's names are made in one place (ui/live/props.py): core speaks Python's."""
    found = []
    for path in python_files("core"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            keys = node.keys if isinstance(node, ast.Dict) else []
            for key in keys:
                if isinstance(key, ast.Constant) and isinstance(key.value, str) and CAMEL.match(key.value):
                    if key.value not in DATASET_COLUMNS:
                        found.append(f"{path.relative_to(ROOT)}:{key.lineno} {key.value!r}")
    assert not found, "camelCase keys built in core:\n" + "\n".join(found)


# Plotly's own config option names (ui/plots.export_config): Plotly's API, not a name of ours crossing to the browser.
PLOTLY_CONFIG = {"toImageButtonOptions", "modeBarButtonsToRemove"}


def test_camel_case_keys_in_ui_are_built_only_at_the_browser_boundary():
    allowed = {ROOT / "ui" / "live" / "props.py"}
    found = []
    for path in python_files("ui", "pages"):
        if path in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            for key in node.keys if isinstance(node, ast.Dict) else []:
                plotly_option = path == ROOT / "ui" / "plots.py" and getattr(key, "value", None) in PLOTLY_CONFIG
                if isinstance(key, ast.Constant) and isinstance(key.value, str) and CAMEL.match(key.value):
                    if plotly_option:
                        continue
                    found.append(f"{path.relative_to(ROOT)}:{key.lineno} {key.value!r}")
    assert not found, "camelCase keys outside ui/live/props.py:\n" + "\n".join(found)
