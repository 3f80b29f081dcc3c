"""The README says what the code does: each documented range or limit is held against the constant it states."""

from __future__ import annotations

import re
import tomllib

import pytest

from core.cli import build_parser
from core.embedding.cache import NORM_TOLERANCE
from core.explorer.links import MAX_WARNINGS
from core.explorer.state import K_RANGE
from core.movielens import data
from core.retrieval.marks import HARD_NO, HARD_NO_RANGE
from core.scenarios import link, model, wide_csv
from core.settings import MAX_ADDED_MODELS, PROBE_SECONDS
from core.vectors.space import STRENGTH_RANGE, VARIANCE_RANGE
from tests.conftest import ROOT


def readme() -> str:
    """The README with line breaks as spaces (a statement may wrap)."""
    return re.sub(r"\s+", " ", (ROOT / "README.md").read_text(encoding="utf-8"))


def size(n: int) -> str:
    return model.size_text(n)


def _range(pair: tuple[float, float]) -> str:
    return f"{pair[0]:g} to {pair[1]:g}"


STATEMENTS = {
    "link: k": f"| `k` | top k | {K_RANGE[0]} to {K_RANGE[1]} (default 5) |",
    "link: var": f"| `var` | whitening: variance kept | {_range(VARIANCE_RANGE)} (default 0.95) |",
    "link: alpha": f"| `alpha` | whitening strength | {_range(STRENGTH_RANGE)} (default 1) |",
    "link: hardno": f"| `hardno` | the hard-no filter, on, with this threshold | a score from {_range(HARD_NO_RANGE)} ",
    "cli: --hard-no": f"turns the hard-no filter on with that threshold ({_range(HARD_NO_RANGE)};",
    "the hard no": f"a feature the user scores at or below {HARD_NO:g} (`HARD_NO` in `core/retrieval/marks.py`)",
    "link warnings": f"at most {MAX_WARNINGS} warnings are listed",
    "link size": f"for scenarios of at most {link.LINK_LIMITS['products']} products, "
    f"{link.LINK_LIMITS['users']} users and {link.LINK_LIMITS['features']} features",
    "link chars": f"at most {link.MAX_LINK_CHARS:,} characters, decompressed into at most "
    f"{link.MAX_JSON_BYTES:,} bytes",
    "feature names": f"Feature names are stripped, 1 to {model.MAX_FEATURE_CHARS} characters",
    "text lengths": f"Ids are 1 to {model.MAX_ID_CHARS} characters, names 1 to {model.MAX_NAME_CHARS}, descriptions "
    f"up to {model.MAX_DESCRIPTION_CHARS:,}",
    "scenario size": f"At most {model.MAX_FEATURES:,} distinct features, {model.MAX_PRODUCTS:,} products and "
    f"{model.MAX_USERS:,} users",
    "nesting": f"nested more than {model.MAX_JSON_DEPTH} levels deep",
    "problems": f"At most {model.MAX_LISTED_PROBLEMS} problems are listed and the rest counted; reading stops at "
    f"{model.MAX_COUNTED_PROBLEMS:,} problems",
    "upload": f"at most {size(model.MAX_UPLOAD_BYTES)} ({model.MAX_UPLOAD_BYTES:,} bytes), uploaded or given to "
    "the CLI",
    "parse memory": f"Parsing stays within {model.PARSE_MEMORY[0]} × the file's size + "
    f"{model.PARSE_MEMORY[1] // 10**6} MB",
    "containers": f"a scenario needs at most {model.MAX_CONTAINERS:,}",
    "csv rows": f"stops after {wide_csv.MAX_ROWS:,} rows (or {wide_csv.MAX_RECORDS:,} records, blank lines included)",
    "download": f"The download is capped at {size(data.MAX_DOWNLOAD_BYTES)}",
    "zip": f"and the zip at {data.MAX_MEMBERS} members (it holds 6, counted from its directory before anything is "
    f"read) and {size(data.MAX_UNPACKED_BYTES)} unpacked",
    "pack norm": f"unit length (within {NORM_TOLERANCE:g};",
    "added models": f"(at most {MAX_ADDED_MODELS}; more are refused)",
    "qdrant probe": f"tried for {PROBE_SECONDS:g} s at start",
}


@pytest.mark.parametrize("name", STATEMENTS)
def test_each_documented_limit_is_the_code_s(name):
    assert STATEMENTS[name] in readme(), f"README lost or changed: {STATEMENTS[name]!r}"


def test_the_upload_label_the_widget_and_the_check_agree():
    """Streamlit's uploader counts maxUploadSize in units of 1,000,000 bytes (10 MB = 10,000,000 bytes)."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 1_000_000 == model.MAX_UPLOAD_BYTES
    assert size(model.MAX_UPLOAD_BYTES) == f"{config['server']['maxUploadSize']} MB"
    editor = (ROOT / "ui" / "editor.py").read_text()
    assert "size_text(MAX_UPLOAD_BYTES)" in editor, "the label states the limit from the one constant"


def test_the_cli_s_help_states_the_hard_no_range():
    help_text = re.sub(r"\s+", " ", build_parser()._subparsers._group_actions[0].choices["rank"].format_help())
    assert f"({_range(HARD_NO_RANGE)};" in help_text


def test_the_options_the_readme_calls_repeatable_are_the_only_repeatable_ones():
    repeatable = set()
    for command, sub in build_parser()._subparsers._group_actions[0].choices.items():
        for action in sub._actions:
            if type(action).__name__ == "_AppendAction":
                repeatable.add((command, action.option_strings[0]))
    assert repeatable == {("rank", "--set"), ("prepare", "--preset")}
    assert "only `--set` and `prepare --preset` repeat" in readme()
