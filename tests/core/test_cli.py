"""The CLI: documented JSON, exit code 2 with a short message on bad input, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from core.cli import main
from core.scenarios.presets import load_preset
from core.vectors.methods import METHOD_NAMES


def run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse errors
        code = exc.code
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_presets_json(capsys):
    code, out, _ = run(capsys, "presets", "--json")
    assert code == 0
    presets = json.loads(out)["presets"]
    ids = [p["id"] for p in presets]
    assert "sign-trap" in ids and "bench-10k" in ids
    assert set(presets[0]) == {"id", "title", "description", "users", "products", "features", "generated"}


def test_rank_json_is_exactly_the_documented_schema(capsys):
    code, out, _ = run(capsys, "rank", "--preset", "sign-trap", "--user", "user-a", "--top", "3", "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"scenario", "user", "hard_no_filter", "methods", "divergence"}
    assert data["hard_no_filter"] is None
    assert data["scenario"] == "sign-trap" and data["user"] == "user-a"
    assert list(data["methods"]) == list(METHOD_NAMES)
    for rows in data["methods"].values():
        assert len(rows) == 3
        assert all(set(row) == {"id", "name", "score"} for row in rows)
        scores = [row["score"] for row in rows]
        assert scores == sorted(scores, reverse=True) and all(-1 <= s <= 1 for s in scores)
    for stats in data["divergence"].values():  # against exact, in the engine's own names
        assert set(stats) == {"kendall_tau", "overlap_at_k", "rbo", "hard_no_in_top_k", "disliked_in_top_k"}
    assert data["divergence"]["exact"]["overlap_at_k"] == 1.0 == data["divergence"]["exact"]["rbo"]


def test_set_overrides_and_adds_scores(capsys):
    base = json.loads(run(capsys, "rank", "--preset", "sign-trap", "--user", "user-a", "--json")[1])
    code, out, _ = run(
        capsys,
        "rank",
        "--preset",
        "sign-trap",
        "--user",
        "user-a",
        "--set",
        "anxiety=0.9",
        "--set",
        "horror=1",
        "--methods",
        "exact,weighted",
        "--json",
    )
    assert code == 0
    changed = json.loads(out)
    assert list(changed["methods"]) == ["exact", "weighted"]
    assert changed["methods"]["exact"] != base["methods"]["exact"]


def test_scenario_file(capsys, tmp_path):
    from core.scenarios.presets import load_preset

    path = tmp_path / "mine.json"
    path.write_text(load_preset("wine-synonyms").to_json())
    code, out, _ = run(capsys, "rank", "--scenario", str(path), "--user", "teetotal", "--json", "--top", "2")
    assert code == 0 and json.loads(out)["scenario"] == "wine-synonyms"


def test_compare_json(capsys):
    code, out, _ = run(
        capsys, "compare", "--a", '{"anxiety": -0.9, "adventure": 0.8}', "--b", '{"anxiety": 0.9}', "--json"
    )
    assert code == 0
    cosine = json.loads(out)["cosine"]
    assert list(cosine) == list(METHOD_NAMES)
    assert all(-1.0 <= v <= 1.0 for v in cosine.values())


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["rank", "--preset", "nope", "--user", "x"], "unknown preset 'nope'; choose one of"),
        (["rank", "--preset", "sign-trap", "--user", "nobody"], "unknown user 'nobody'"),
        (["rank", "--preset", "sign-trap", "--user", "user-a", "--set", "anxiety=2"], "score must be in [-1, 1]"),
        (["rank", "--preset", "sign-trap", "--user", "user-a", "--set", "anxiety=nan"], "finite"),
        (["rank", "--preset", "sign-trap", "--user", "user-a", "--set", "anxiety"], "expected FEATURE=SCORE"),
        (["rank", "--preset", "sign-trap", "--user", "user-a", "--set", " =0.5"], "1 to 80 characters"),
        (["rank", "--preset", "sign-trap", "--user", "user-a", "--methods", "naive,nave"], "unknown method 'nave'"),
        (["rank", "--preset", "sign-trap", "--user", "user-a", "--top", "0"], "must be in [1, 1000]"),
        (["rank", "--preset", "sign-trap", "--user", "user-a", "--top", "many"], "expected a whole number"),
        (["rank", "--user", "user-a"], "one of the arguments --preset --scenario is required"),
        (["rank", "--scenario", "/no/such/file.json", "--user", "u"], "no such file"),
        (["compare", "--a", "{not json", "--b", "{}"], "not valid JSON"),
        (["compare", "--a", '{"wine": 3}', "--b", "{}"], "score must be in [-1, 1]"),
        (["compare", "--a", "[1]", "--b", "{}"], "profile must be an object"),
        (["rank", "--preset", "sign-trap", "--user", "user-a", "--set", "nosuchfeature=0.5"], "unknown feature"),
        (
            ["rank", "--preset", "sign-trap", "--user", "user-a", "--set", "anxiety=1" + "0" * 400],
            "score must be in [-1, 1], got a 401-digit number",
        ),
        (["compare", "--a", '{"wine": 1' + "0" * 5000 + "}", "--b", "{}"], "5,001-digit number"),
        (["compare", "--a", '{"wine": 0.5, "wine": 5}', "--b", "{}"], "duplicate key 'wine'"),
        (["compare", "--a", "@/dev/zero", "--b", "{}"], "not a regular file"),
        (["rank", "--scenario", "/dev/zero", "--user", "u"], "not a regular file"),
        (["rank", "--scenario", "/tmp", "--user", "u"], "is a directory"),
        (["frobnicate"], "invalid choice"),
        (["rank", "--preset", "sign-trap", "--user", "user-a", "--model", "gpt-9"], "unknown model 'gpt-9'"),
        (["compare", "--a", "{}", "--b", "{}", "--model", "<script>"], "choose one of: minilm"),
        (["diagnose", "--preset", "sign-trap", "--model", ""], "unknown model ''"),
        (["negation", "--pairs", "/no/such/pairs.tsv"], "no such file"),
        (["negation", "--pairs", "/dev/zero"], "not a regular file"),
        (["negation", "--model", "x" * 500], "(500 characters)"),
        (["compare", "--a", '{"w\udcffine": 0.5}', "--b", "{}"], "not UTF-8 text (bad byte 0xff"),
        (["compare", "--a", '{"w\\udc80ine": 0.5}', "--b", "{}"], "lone surrogate"),
    ],
)
def test_bad_input_exits_2_with_a_message(capsys, argv, message):
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert message in err


def test_bad_scenario_file_exits_2(capsys, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"id": "x", "users": [')
    code, _, err = run(capsys, "rank", "--scenario", str(path), "--user", "u")
    assert code == 2 and "truncated" in err and str(path) in err


@pytest.mark.slow
def test_real_process_exit_codes(root):
    env = {**os.environ, "PYTHONPATH": str(root)}

    def cli(*argv):
        return subprocess.run([sys.executable, "-m", "core", *argv], cwd=root, env=env, capture_output=True, text=True)

    ok = cli("rank", "--preset", "sign-trap", "--user", "user-b", "--json", "--quiet")
    assert ok.returncode == 0 and json.loads(ok.stdout)["user"] == "user-b"
    bad = cli("rank", "--preset", "sign-trap", "--user", "user-b", "--set", "x=9")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "score must be in [-1, 1]" in bad.stderr


def presets_failing_with(error: Exception, capsys, monkeypatch, tmp_path):
    """Run `presets` with its command raising ``error`` (an internal bug); crash logs go to ``tmp_path``."""
    import core.cli as cli

    def broken(args):
        raise error

    monkeypatch.setattr(cli, "cmd_presets", broken)
    monkeypatch.setattr(cli.tempfile, "gettempdir", lambda: str(tmp_path))
    return run(capsys, "presets")


def test_a_bug_is_not_reported_as_bad_input(capsys, monkeypatch, tmp_path):
    """Only the project's own input errors exit 2; anything else is a bug: exit 1, one line, the traceback kept."""
    bug = ValueError("cannot reshape array of size 0 into shape (3,)")
    code, _, err = presets_failing_with(bug, capsys, monkeypatch, tmp_path)
    assert code == 1
    assert err.startswith("internal error (ValueError): cannot reshape") and "This is a bug" in err
    logs = list(tmp_path.glob("signed-explorer-cli-*.log"))
    assert len(logs) == 1 and "Traceback" in logs[0].read_text() and str(logs[0]) in err
    assert logs[0].stat().st_mode & 0o077 == 0, "only its owner may read the traceback"
    with pytest.raises(AssertionError, match="Traceback"):  # --debug prints it instead
        run(capsys, "--debug", "presets")


def test_rank_json_counts_both_marks_on_the_peanut_preset(capsys):
    code, out, _ = run(capsys, "rank", "--preset", "peanut-allergy", "--user", "peanut-allergic", "--json", "--quiet")
    assert code == 0
    divergence = json.loads(out)["divergence"]
    assert divergence["naive"]["hard_no_in_top_k"] == 4 and divergence["naive"]["disliked_in_top_k"] == 1
    assert divergence["weighted"]["hard_no_in_top_k"] == 0 and divergence["exact"]["hard_no_in_top_k"] == 0
    code, out, _ = run(capsys, "rank", "--preset", "peanut-allergy", "--user", "peanut-allergic", "--quiet")
    assert "breaks a hard no" in out and "Peanut butter cups" in out


@pytest.mark.parametrize(
    ("edge", "same", "other"), [(0.2, 0.15, 0.25), (-0.2, -0.25, -0.15), (0.7, 0.5, 0.75), (-0.7, -0.9, -0.65)]
)
def test_prefix_edges_through_the_cli(capsys, edge, same, other):
    """A score exactly on an edge ranks like a score inside the bucket below it, not the one above."""

    def prefix_scores(score):
        argv = ["rank", "--preset", "sign-trap", "--user", "user-a", "--methods", "prefix", "--quiet", "--json"]
        code, out, _ = run(capsys, *argv, "--top", "24", "--set", f"adventure={score}")
        assert code == 0
        return {row["id"]: row["score"] for row in json.loads(out)["methods"]["prefix"]}

    at_edge = prefix_scores(edge)
    assert at_edge == prefix_scores(same)
    assert at_edge != prefix_scores(other)


def test_a_fifo_is_refused_without_blocking(capsys, tmp_path):
    fifo = tmp_path / "scenario.json"
    os.mkfifo(fifo)
    for argv in (["rank", "--scenario", str(fifo), "--user", "u"], ["compare", "--a", f"@{fifo}", "--b", "{}"]):
        code, _, err = run(capsys, *argv)
        assert code == 2 and "not a regular file" in err


def test_a_huge_score_in_a_scenario_file_is_one_line(capsys, tmp_path):
    data = json.loads(load_preset("sign-trap").to_json())
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(data).replace('"anxiety": -0.9', '"anxiety": 1' + "0" * 400, 1))
    for command in ("rank", "diagnose"):
        argv = [command, "--scenario", str(path)] + (["--user", "user-a"] if command == "rank" else [])
        code, _, err = run(capsys, *argv)
        assert code == 2 and "401-digit number" in err and len(err) < 400


# -- models -----------------------------------------------------------------------------------------------

SEED_A, SEED_B = '{"anxiety": -0.9, "adventure": 0.8}', '{"anxiety": 0.9, "adventure": 0.7}'


def installed_ids() -> list[str]:
    from core.embedding.models import installed

    return [m.id for m in installed()]


def test_models_json_lists_every_model_and_at_least_four_installed(capsys):
    code, out, _ = run(capsys, "models", "--json")
    data = json.loads(out)
    assert code == 0 and data["default"] == "minilm"
    listed = {m["id"]: m for m in data["models"]}
    assert {"minilm", "mpnet", "paraphrase-l3", "m2v", "e5-small"} <= set(listed)
    assert sum(m["installed"] for m in listed.values()) >= 4, "make models installs them (make test runs it)"
    for m in listed.values():
        assert set(m) == {"id", "name", "family", "dim", "licence", "source", "prefix", "installed", "install", "note"}
        assert m["install"] == ("" if m["installed"] else "make models")


def test_compare_with_every_model_prints_one_row_per_installed_model(capsys):
    code, out, _ = run(capsys, "compare", "--a", SEED_A, "--b", SEED_B, "--model", "all", "--json")
    rows = json.loads(out)["models"]
    assert code == 0 and list(rows) == installed_ids()
    for model, row in rows.items():
        cosine = row["cosine"]
        assert list(cosine) == list(METHOD_NAMES) and all(-1.0 <= c <= 1.0 for c in cosine.values()), model
        assert cosine["naive"] > cosine["weighted"], f"{model}: the weighted sum separates the pair more than naive"
    text = run(capsys, "compare", "--a", SEED_A, "--b", SEED_B, "--model", "all")[1]
    assert len(text.strip().splitlines()) == 1 + len(rows)


def test_negation_runs_for_every_installed_model(capsys, negation_subset):
    code, out, _ = run(capsys, "negation", "--pairs", negation_subset, "--model", "all", "--json", "--quiet")
    data = json.loads(out)
    assert code == 0 and list(data["models"]) == installed_ids() and data["reading"]
    for model, r in data["models"].items():
        assert r["pairs"] == 200, model
        assert -1 <= r["p10"] <= r["median"] <= r["p90"] <= 1 and 0 <= r["share_above_0.8"] <= 1, model
        assert r["median"] > r["random_median"], f"{model}: a sentence is closer to its negation than to another"


@pytest.mark.slow
@pytest.mark.parametrize("model", installed_ids())
def test_eval_movielens_runs_for_every_installed_model(capsys, model):
    code, out, _ = run(capsys, "eval", "movielens", "--features", "genres", "--model", model, "--json")
    data = json.loads(out)
    assert code == 0 and data["users"] > 100
    for method, r in data["methods"].items():
        lo, hi = r["auc_ci95"]
        assert 0 <= lo <= r["auc"] <= hi <= 1, (model, method)
    assert data["methods"]["exact"]["auc"] > data["methods"]["random"]["auc"], model


# -- Qdrant's strategies and the hard-no filter ---------------------------------------------------------


@pytest.mark.parametrize("store", ["numpy", "qdrant"])
def test_rank_with_qdrant_strategies_and_the_hard_no_filter(capsys, store):
    scenario = load_preset("peanut-allergy")
    base = ["rank", "--preset", "peanut-allergy", "--user", "peanut-allergic", "--json", "--quiet", "--store", store]
    methods = ["--methods", "weighted,qdrant-best,qdrant-feedback,exact"]  # the command, on the engine
    code, out, _ = run(capsys, *base, *methods)
    unfiltered = json.loads(out)
    assert code == 0 and list(unfiltered["methods"]) == ["weighted", "qdrant-best", "qdrant-feedback", "exact"]
    carries = {p.id for p in scenario.products if p.profile.get("peanuts", 0) > 0}
    assert {item["id"] for item in unfiltered["methods"]["qdrant-best"]} & carries  # best_score lets peanuts in
    code, out, _ = run(capsys, *base, *methods, "--hard-no", "-0.9")
    filtered = json.loads(out)
    assert code == 0 and filtered["hard_no_filter"]["removed"] == len(carries)
    assert set(filtered["hard_no_filter"]["removed_ids"]) == carries
    for method, top in filtered["methods"].items():
        assert len(top) == 5 and not {item["id"] for item in top} & carries, method
        assert filtered["divergence"][method]["hard_no_in_top_k"] == 0


@pytest.mark.parametrize("value", ["0.1", "-2", "nan", "inf", "", "x", "1" + "0" * 400])
def test_a_bad_hard_no_threshold_is_one_line(capsys, value):
    code, _, err = run(capsys, "rank", "--preset", "peanut-allergy", "--user", "peanut-allergic", "--hard-no", value)
    assert code == 2 and "--hard-no: expected a score from -1 to -0.05" in err and len(err) < 800


def test_an_unknown_store_or_method_is_one_line(capsys):
    code, _, err = run(capsys, "rank", "--preset", "sign-trap", "--user", "user-a", "--store", "redis")
    assert code == 2 and "invalid choice: 'redis'" in err
    code, _, err = run(capsys, "rank", "--preset", "sign-trap", "--user", "user-a", "--methods", "qdrant-mean")
    assert code == 2 and "qdrant-avg, qdrant-best, qdrant-sum, qdrant-feedback" in err


def test_a_bad_qdrant_location_is_one_line(capsys, tmp_path, monkeypatch):
    (tmp_path / "f").write_text("x")
    monkeypatch.setenv("SIGNED_EXPLORER_QDRANT", str(tmp_path / "f"))
    code, _, err = run(
        capsys, "rank", "--preset", "sign-trap", "--user", "user-a", "--methods", "qdrant-sum", "--quiet"
    )
    assert code == 2 and err.count("\n") == 1 and "SIGNED_EXPLORER_QDRANT" in err and "is a file, not a folder" in err


RANK = ["rank", "--preset", "sign-trap", "--user", "user-a"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([*RANK, "--set", "anxiety=0.9", "--set", "anxiety=-0.9"], "--set gives the feature 'anxiety' twice"),
        ([*RANK, "--set", "anxiety=0.5", "--set", "anxiety=0.5"], "give each feature once"),
        ([*RANK, "--top", "3", "--top", "5"], "argument --top: given twice ('3' and '5')"),
        ([*RANK, "--hard-no", "-0.9", "--hard-no", "-0.5"], "argument --hard-no: given twice"),
        ([*RANK, "--user", "user-b"], "argument --user: given twice"),
        (["compare", "--a", "{}", "--b", "{}", "--model", "all", "--model", "minilm"], "--model: given twice"),
        (["rank", "--preset", "sign-trap", "--preset", "wine-synonyms", "--user", "u"], "--preset: given twice"),
    ],
)
def test_repeats_and_conflicts_are_refused_never_resolved_silently(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and message in err and out == "", err
    assert len([line for line in err.splitlines() if "error" in line]) == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([*RANK, "--set", "anxiety=0_5"], "score must be a number in [-1, 1], got '0_5'"),
        ([*RANK, "--set", "anxiety=0.5_0"], "got '0.5_0'"),
        ([*RANK, "--set", "anxiety=0x0"], "got '0x0'"),
        ([*RANK, "--set", "anxiety=٠.٥"], "got '٠.٥'"),
        ([*RANK, "--set", "anxiety=-inf"], "not a finite number"),
        ([*RANK, "--top", "1_0"], "expected a whole number in [1, 1000], got '1_0'"),
        ([*RANK, "--top", "٣"], "expected a whole number"),
        ([*RANK, "--top", "1" * 400], "got a 400-digit number"),
        ([*RANK, "--hard-no=-0.5_0"], "expected a score from -1 to -0.05, got '-0.5_0'"),
        ([*RANK, "--hard-no=-NaN"], "expected a score from -1 to -0.05"),
    ],
)
def test_numbers_in_arguments_follow_the_one_strict_rule(capsys, argv, message):
    code, _, err = run(capsys, *argv)
    assert code == 2 and message in err, err


@pytest.mark.parametrize(
    "argv",
    [
        ["negation", "--pairs", ""],
        ["rank", "--scenario", " ", "--user", "u"],
        ["eval", "movielens", "--data", ""],
        ["labs", "ease", "--data", ""],
        ["data", "movielens", "--download", "--target", ""],
        ["diagnose", "--scenario", ""],
    ],
)
def test_an_empty_path_is_refused_everywhere(capsys, argv):
    code, _, err = run(capsys, *argv)
    assert code == 2 and "the path is empty" in err, err


def test_an_empty_profile_file_name_is_refused(capsys):
    code, _, err = run(capsys, "compare", "--a", "@", "--b", "{}")
    assert code == 2 and "the file name is empty" in err


@pytest.mark.parametrize("hidden", ["\u202e", "\u2067", "\u200f", "\x1b", "\u2028", "\u2066"])
def test_hidden_characters_in_arguments_are_escaped_in_the_error_line(capsys, hidden):
    for argv in (
        ["compare", "--a", json.dumps({f"a{hidden}b": 1}, ensure_ascii=False), "--b", '{"a": 1}'],
        [*RANK, "--set", f"a{hidden}b=0.5"],
        ["rank", "--preset", f"x{hidden}y", "--user", "u"],
        ["rank", "--scenario", f"/no/such/{hidden}.json", "--user", "u"],
        [*RANK, "--methods", f"naive,n{hidden}"],
    ):
        code, _, err = run(capsys, *argv)
        assert code == 2 and hidden not in err, (argv, err)


def test_a_negation_file_with_a_huge_cell_is_bad_input_not_a_bug(capsys, tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("sentence,negated\n" + "x" * 150_000 + ",y\nIt works.,It does not.\n")
    code, _, err = run(capsys, "negation", "--pairs", str(path))
    assert code == 2 and "line 2: a cell is longer than 131,072 characters" in err and "internal" not in err


def test_a_negation_file_of_repeated_pairs_prints_no_made_up_number(capsys, tmp_path):
    path = tmp_path / "same.csv"
    path.write_text("sentence,negated\nIt works.,It does not work.\nIt works.,It does not work.\n")
    code, out, _ = run(capsys, "negation", "--pairs", str(path), "--quiet")
    assert code == 0 and "n/a" in out and "not defined" in out and "least" not in out
    code, out, _ = run(capsys, "negation", "--pairs", str(path), "--quiet", "--json")
    result = json.loads(out)["models"]["minilm"]
    assert result["random_median"] is None and result["rescaled_median"] is None


def test_an_internal_error_summary_ends_with_one_mark(capsys, monkeypatch, tmp_path):
    code, _, err = presets_failing_with(RuntimeError("was it cut?"), capsys, monkeypatch, tmp_path)
    assert code == 1 and "was it cut? This is a bug" in err and "?." not in err


def test_compare_reports_a_cosine_with_no_vector_as_null_not_zero(capsys):
    code, out, _ = run(capsys, "compare", "--a", '{"wine": 0}', "--b", '{"wine": 0.8}', "--json")
    cosine = json.loads(out)["cosine"]
    assert code == 0 and cosine["weighted"] is None and cosine["exact"] is None  # an all-zero profile has no vector
    code, out, _ = run(capsys, "compare", "--a", '{"wine": 0}', "--b", '{"wine": 0.8}')
    assert code == 0 and "weighted  n/a" in out


SAMPLE_VALUES = {
    "--preset": "sign-trap",
    "--scenario": "s.json",
    "--user": "user-a",
    "--methods": "naive",
    "--top": "3",
    "--hard-no": "-0.9",
    "--store": "numpy",
    "--model": "minilm",
    "--a": "{}",
    "--b": "{}",
    "--data": "folder",
    "--features": "genres",
    "--target": "folder",
    "--url": "http://127.0.0.1:9/x.zip",
    "--md5": "0" * 32,
    "--pairs": "pairs.tsv",
}


def _single_options():
    """(command words, option, value or None for a switch) for every option that may be given once."""
    from core.cli import _Once, _SwitchOnce, build_parser

    found = []

    def walk(parser, words):
        for action in parser._actions:
            if action.choices and isinstance(action.choices, dict):  # subcommands
                for name, sub in action.choices.items():
                    walk(sub, [*words, name])
            elif isinstance(action, _Once | _SwitchOnce) and action.option_strings:
                option = action.option_strings[0]
                found.append((words, option, None if isinstance(action, _SwitchOnce) else SAMPLE_VALUES[option]))

    walk(build_parser(), [])
    return found


@pytest.mark.parametrize(
    ("words", "option", "value"), _single_options(), ids=lambda v: " ".join(v) if isinstance(v, list) else v
)
def test_every_option_given_twice_is_refused_even_with_the_same_value(capsys, words, option, value):
    given = [option] if value is None else [option, value]
    code, _, err = run(capsys, *words, *given, *given)
    assert code == 2 and f"argument {option}: given twice" in err, err
