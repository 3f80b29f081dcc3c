"""Command line: ``python -m core <command>``. Scriptable; ``--json`` prints the documented schema.

A thin argument layer over the functions the pages call. Bad input (an
argument, a file, a data folder) exits with code 2 and one line naming what is
wrong; anything else is a bug: exit code 1, a one-line summary, and the
traceback in a log file (or on stderr with ``--debug``). Progress goes to
stderr, so stdout stays clean for ``--json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from core.embedding.embedder import ModelLoadError
from core.errors import InputError, UnknownName, sentence, shorten, visible, visible_lines
from core.numeric import NumberError, finite_or_none, json_ready, parse_integer, parse_number
from core.wording import NOT_DEFINED, fixed, signed

EXIT_OK, EXIT_BUG, EXIT_USAGE = 0, 1, 2


class UsageError(InputError):
    """Bad input from the command line: printed as one line, exit code 2."""


def _once(action: argparse.Action, namespace: argparse.Namespace, values: Any) -> None:
    """Refuse an option given a second time (with the same value or another): the last one would silently win."""
    given = namespace.__dict__.setdefault("_given", {})
    if action.dest in given:
        first, second = (shorten(v, 40) for v in (given[action.dest], values))
        twice = f"({first} and {second})" if values is not None else "(a switch)"
        raise argparse.ArgumentError(action, f"given twice {twice}; give it once")
    given[action.dest] = values


class _Once(argparse._StoreAction):
    """An option that takes one value: given twice, it is refused instead of the last one silently winning."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        _once(self, namespace, values)
        super().__call__(parser, namespace, values, option_string)


class _SwitchOnce(argparse._StoreTrueAction):
    """A switch (``--json``): given twice, it is refused like any other option."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        _once(self, namespace, None)
        super().__call__(parser, namespace, values, option_string)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register("action", None, _Once)
        self.register("action", "store", _Once)
        self.register("action", "store_true", _SwitchOnce)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {visible(message)}\n")


def _stderr(message: str) -> None:
    print(visible_lines(message), file=sys.stderr, flush=True)


def _emit(args: argparse.Namespace, payload: dict[str, Any], render: Callable[[], str]) -> None:
    if args.json:  # the NaN rule once more at the door: a number that is not defined is null
        print(json.dumps(json_ready(payload), indent=2, ensure_ascii=False, allow_nan=False))
    else:
        print(render())


def _stage_logger(quiet: bool = False) -> Callable[[str, float], None] | None:
    if quiet:
        return None
    last = {"stage": None}

    def report(stage: str, fraction: float) -> None:
        step = stage.split(":")[0]  # 'Asking Qdrant: 10 of 270 users' is one step, logged once
        if step != last["stage"]:
            _stderr(f"... {stage}")
            last["stage"] = step

    return report


# -- argument types ---------------------------------------------------------


def bounded_int(lo: int, hi: int) -> Callable[[str], int]:
    """An argparse type: a whole number in [lo, hi] (also used by bench/ and scripts/)."""

    def parse(text: str) -> int:
        try:
            value = parse_integer(text)
        except NumberError as exc:
            got = exc.got or shorten(text, 40)
            raise argparse.ArgumentTypeError(f"expected a whole number in [{lo}, {hi}], got {got}") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"must be in [{lo}, {hi}], got {value}")
        return value

    return parse


def parse_assignment(text: str) -> tuple[str, float]:
    """``FEATURE=SCORE`` -> (feature, score); the feature may itself contain '='."""
    from pydantic_core import PydanticCustomError

    from core.scenarios.model import check_feature_name, check_score, score_cell, score_problem

    feature, sep, raw = text.rpartition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected FEATURE=SCORE, got {shorten(text)}")
    number = score_cell(raw)  # the one strict number rule, as for a CSV cell: "0_5" is refused, never 5
    if not isinstance(number, float):
        raise argparse.ArgumentTypeError(f"{shorten(text)}: {score_problem(number)}")
    try:
        return check_feature_name(feature), check_score(number)
    except PydanticCustomError as exc:  # the rule, as the scenario files state it
        raise argparse.ArgumentTypeError(f"{shorten(text)}: {exc}") from None


def _methods(text: str) -> tuple[str, ...]:
    from core.vectors.methods import parse_methods

    try:
        return parse_methods(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


MAX_PROFILE_BYTES = 1_000_000


def _profile_json(text: str) -> dict[str, float]:
    """A profile as JSON text, or ``@file.json``: the same reading rules as a scenario file."""
    from core.scenarios.io import parse_json_bytes, read_bytes
    from core.scenarios.model import ScenarioError, validate_profile

    try:
        if text.startswith("@"):
            source = text[1:]
            data = read_bytes(source, max_bytes=MAX_PROFILE_BYTES)
        else:
            source, data = "profile", text.encode("utf-8", "surrogateescape")  # argv bytes that are not UTF-8
        value = parse_json_bytes(data, source=source, max_bytes=MAX_PROFILE_BYTES)
        return validate_profile(value, source=source)
    except ScenarioError as exc:
        message = str(exc).replace("\n", "; ")
        if any("JSON" in problem for _, problem in exc.problems):
            message = f'not valid JSON ({message}); expected an object like {{"wine": 0.8}}'
        raise argparse.ArgumentTypeError(message) from None


def _add_scenario_source(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--preset", metavar="ID", help="a preset id (see `presets`)")
    group.add_argument(
        "--scenario", metavar="PATH", type=path_argument, help="a scenario file: JSON, or the wide CSV (a .csv file)"
    )


def load_source(args: argparse.Namespace):
    """The scenario named by ``--preset`` or ``--scenario``."""
    from core.scenarios.io import load_scenario_file
    from core.scenarios.presets import load_preset

    if args.scenario is not None:
        return load_scenario_file(args.scenario)
    return load_preset(args.preset)


def _embedder(model: str | None = None):
    from core.embedding.cache import get_embedder

    return get_embedder(model)


def _model_ids(choice: str | None) -> list[str]:
    """``--model all`` -> every installed model's id; a name -> [that id]; None -> [the default]."""
    from core.embedding import models

    if choice == "all":
        return [spec.id for spec in models.installed()]
    return [models.require_installed(models.spec(choice)).id]


# -- commands ---------------------------------------------------------------


def cmd_presets(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from core.scenarios.presets import list_presets

    infos = list_presets()
    payload = {"presets": [asdict(p) for p in infos]}

    def render() -> str:
        return "\n".join(
            f"{p.id:<20} {p.title}  ({p.users} users, {p.products:,} products, {p.features} features)" for p in infos
        )

    _emit(args, payload, render)
    return EXIT_OK


def _rank_payload(scenario, user, recommender, result, top: int) -> dict[str, Any]:
    removed = None
    if result.removed is not None:
        ids = [recommender.product_ids[i] for i, gone in enumerate(result.removed) if gone]
        removed = {"threshold": result.marks.threshold, "removed": len(ids), "removed_ids": ids}
    return {
        "scenario": scenario.id,
        "user": user.id,
        "hard_no_filter": removed,
        "methods": {
            m: [
                {
                    "id": recommender.product_ids[i],
                    "name": recommender.product_names[i],
                    "score": round(float(r.scores[i]), 6),
                }
                for i in r.top(top)
            ]
            for m, r in result.rankings.items()
        },
        "divergence": {m: {**result.agreement.vs(m), **result.counts(m)} for m in result.rankings},
    }


def _rank_text(scenario, user, recommender, result, top: int) -> str:
    from core.retrieval.marks import DISLIKED_NAME, HARD_NO_NAME
    from core.retrieval.marks import describe as describe_marks

    marks = result.marks
    lines = [f"{scenario.title} - {user.name} ({user.id}), top {top}"]
    lines += [f"  {text}" for text in describe_marks(marks.threshold).values()]
    if result.removed is not None:
        lines.append(f"  hard-no filter on: {int(result.removed.sum())} product(s) removed for every method")
    lines.append("")
    for m, r in result.rankings.items():
        a, counts = result.agreement.vs(m), result.counts(m)
        lines.append(
            f"{m}: tau vs exact {signed(a['kendall_tau'])}, overlap@{top} {fixed(a['overlap_at_k'])}, "
            f"in the top {top}: {HARD_NO_NAME} {counts['hard_no_in_top_k']}, "
            f"{DISLIKED_NAME} {counts['disliked_in_top_k']}"
        )
        for place, i in enumerate(r.top(top), 1):
            flags = [HARD_NO_NAME] * bool(marks.hard_no[i]) + [DISLIKED_NAME] * bool(marks.disliked[i])
            flag = f"  <- {', '.join(flags)}" if flags else ""
            lines.append(f"  {place:>2}. {r.scores[i]:+.3f}  {recommender.product_names[i]}{flag}")
        lines.append("")
    return "\n".join(lines).rstrip()


def _overrides(scenario, assignments: list[tuple[str, float]]) -> dict[str, float]:
    """``--set`` scores, for features of the scenario only (as the Explorer's sliders and links allow), each feature
    once: two scores for one feature are refused, never resolved by the last one silently winning."""
    vocabulary = set(scenario.vocabulary)
    given: dict[str, float] = {}
    for feature, score in assignments:
        if feature not in vocabulary:
            raise UnknownName(
                "feature", feature, scenario.vocabulary, context=f"in --set for scenario {shorten(scenario.id)}"
            )
        if feature in given:
            raise UsageError(
                f"--set gives the feature {shorten(feature)} twice ({given[feature]:g} and {score:g}); "
                "give each feature once"
            )
        given[feature] = score
    return given


def cmd_rank(args: argparse.Namespace) -> int:
    from core.retrieval.marks import HARD_NO
    from core.retrieval.recommender import Recommender
    from core.vectors.methods import METHOD_NAMES

    scenario = load_source(args)
    user = scenario.user(args.user)
    profile = {**user.profile, **_overrides(scenario, args.set or [])}
    methods = args.methods or METHOD_NAMES
    recommender = Recommender(scenario, _embedder(args.model), store=args.store)
    recommender.prepare(methods, progress=_stage_logger(args.quiet))
    filtered = args.hard_no is not None
    threshold = args.hard_no if filtered else HARD_NO
    result = recommender.rank(profile, methods, k=args.top, hard_no=threshold, filter_hard_no=filtered)
    payload = _rank_payload(scenario, user, recommender, result, args.top)
    _emit(args, payload, lambda: _rank_text(scenario, user, recommender, result, args.top))
    return EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    from core.vectors.methods import METHOD_NAMES, compare_profiles

    rows = {}
    for model in _model_ids(args.model):
        rows[model] = {m: finite_or_none(c) for m, c in compare_profiles(args.a, args.b, _embedder(model)).items()}

    def shown(value: float | None) -> str:  # a cosine with a profile that has no vector is not defined
        return f"{NOT_DEFINED:>8}" if value is None else f"{value:+8.4f}"

    if args.model != "all":
        ((model, cosine),) = rows.items()
        text = "\n".join(f"{m:<9} {shown(c).strip()}" for m, c in cosine.items())
        _emit(args, {"model": model, "cosine": cosine}, lambda: text)
        return EXIT_OK
    width = max(len(m) for m in rows)

    def render() -> str:
        lines = [f"{'model':<{width}} " + " ".join(f"{m:>8}" for m in METHOD_NAMES)]
        lines += [f"{model:<{width}} " + " ".join(shown(c[m]) for m in METHOD_NAMES) for model, c in rows.items()]
        return "\n".join(lines)

    _emit(args, {"models": {model: {"cosine": cosine} for model, cosine in rows.items()}}, render)
    return EXIT_OK


def cmd_models(args: argparse.Namespace) -> int:
    """The model registry; ``--prepare`` loads each installed model once (joins, distils, checks SHA-256)."""
    from core.embedding import models

    listed = [spec.as_json() for spec in models.registry()]
    if args.prepare:
        for spec in models.installed():
            _stderr(f"... {spec.id}: loading and checking {spec.name}")
            _embedder(spec.id).encode(["a first sentence to load the model"])
    _emit(args, {"default": models.default_id(), "models": listed}, lambda: _models_text(listed))
    return EXIT_OK


def _models_text(listed: list[dict]) -> str:
    lines = []
    for m in listed:
        state = "installed" if m["installed"] else f"not installed: run `{m['install']}`"
        lines.append(f"{m['id']:<14} {m['name']} ({m['dim'] or '?'}-d, {m['family']}; {m['licence']}): {state}")
    return "\n".join(lines)


def cmd_negation(args: argparse.Namespace) -> int:
    from core.diagnostics.negation import load_pairs, reading, summary

    pairs = load_pairs(args.pairs)
    results = {}
    for model in _model_ids(args.model):
        if not args.quiet:
            _stderr(f"... {model}: embedding {2 * len(pairs.sentences):,} sentences")
        results[model] = summary(pairs, _embedder(model))
    payload = {"source": pairs.source, "models": results, "reading": reading(results)}

    def render() -> str:
        head = f"{'model':<14} {'pairs':>6} {'median':>7} {'p10':>7} {'p90':>7} {'>0.8':>6} {'random':>7}"
        rows = [
            f"{m:<14} {r['pairs']:>6} {r['median']:7.3f} {r['p10']:7.3f} {r['p90']:7.3f}"
            f" {r['share_above_0.8']:6.0%} {_fixed(r['random_median'], 7, 3)}"
            for m, r in results.items()
        ]
        return "\n".join([head, *rows, "", payload["reading"]])

    _emit(args, payload, render)
    return EXIT_OK


def cmd_diagnose(args: argparse.Namespace) -> int:
    from core.diagnostics.report import diagnose
    from core.retrieval.recommender import Recommender
    from core.vectors.methods import ALL_METHOD_NAMES

    scenario = load_source(args)
    recommender = Recommender(scenario, _embedder(args.model))
    progress = _stage_logger(args.quiet)  # stderr, like rank's: stdout stays the report (or the JSON)
    if not args.quiet:
        _stderr(f"... diagnosing {scenario.id} ({len(scenario.vocabulary)} features, {len(scenario.users)} users)")
    recommender.prepare(ALL_METHOD_NAMES, progress=progress)
    report = diagnose(recommender, progress=progress)
    payload = report.to_json()
    _emit(args, payload, lambda: "\n".join(f"{name}: {text}" for name, text in payload["readings"].items()))
    return EXIT_OK


def _fixed(value: float | None, width: int, decimals: int, sign: str = "") -> str:
    """A number for a text table; :data:`~core.wording.NOT_DEFINED` where it is not defined (null in JSON).

    >>> _fixed(0.5, 6, 3), _fixed(None, 6, 3), _fixed(float("nan"), 4, 1)
    (' 0.500', '   n/a', ' n/a')
    """
    value = finite_or_none(value, 12)
    return f"{NOT_DEFINED:>{width}}" if value is None else f"{value:{sign}{width}.{decimals}f}"


def _interval(pair: list | None) -> str:
    """``[lo, hi]`` of a 95% interval, or ``[n/a]`` (an interval from one user is not defined)."""
    if not pair or any(finite_or_none(v) is None for v in pair):
        return f"[{NOT_DEFINED}]"
    return f"[{pair[0]:.3f}, {pair[1]:.3f}]"


def _evaluation_text(payload: dict, features: str) -> str:
    lines = [f"MovieLens ({features}), {payload['users']} users", ""]
    lines.append(f"{'method':<11} {'AUC':>6} {'95% CI':>15} {'NDCG@10':>8} {'P@10':>6} {'AUC - naive':>12}")
    for m, r in payload["methods"].items():
        lines.append(
            f"{m:<11} {_fixed(r['auc'], 6, 3)} {_interval(r['auc_ci95']):>15} {_fixed(r['ndcg@10'], 8, 3)}"
            f" {_fixed(r['precision@10'], 6, 3)} {_fixed(r['auc_minus_naive'], 12, 3, '+')}"
        )
    if payload["users"] < 2:
        lines += ["", "With one user, no interval is defined: an interval needs at least 2 users."]
    return "\n".join(lines)


def cmd_eval_movielens(args: argparse.Namespace) -> int:
    from core.movielens.evaluate import evaluate

    evaluation = evaluate(_embedder(args.model), path=args.data, mode=args.features, report=_stage_logger())
    payload = evaluation.to_json()
    _stderr(
        f"... {len(evaluation.users)} users in {evaluation.seconds:.1f} s ({evaluation.texts_encoded} texts embedded)"
    )
    _emit(args, payload, lambda: _evaluation_text(payload, args.features))
    return EXIT_OK


def _labs_text(payload: dict) -> str:
    lines = []
    for name, lab in payload["labs"].items():
        lines.append(f"{name}:")
        for rule, r in lab.get("rules", {}).items():
            lines.append(f"  {rule:<17} AUC {_fixed(r['auc'], 5, 3)} {_interval(r['auc_ci95'])}")
        for row in lab.get("by_k", []):
            lines.append(
                f"  k={row['k']:<4} hit@1 {_fixed(row['hit@1'], 5, 3)}  recall@3 {_fixed(row['recall@3'], 5, 3)}"
            )
        fit = lab.get("feedback_fit")
        if fit:
            lines.append(
                f"  feedback coefficients fitted on the history: a = {fit['a']:g}, b = {fit['b']:g}, c = {fit['c']:g} "
                f"(inner AUC {_fixed(fit['train_auc'], 5, 3)}; a = b = c = 1: {_fixed(fit['default_train_auc'], 5, 3)})"
            )
    return "\n".join(lines)


def cmd_labs(args: argparse.Namespace) -> int:
    from core.movielens.data import load
    from core.movielens.labs.experiments import LAB_NAMES, run

    data = load(args.data)
    names = LAB_NAMES if args.lab == "all" else (args.lab,)
    embedder = _embedder(args.model)
    payload = {"labs": {name: run(name, embedder, data, report=_stage_logger()) for name in names}}
    _emit(args, payload, lambda: _labs_text(payload))
    return EXIT_OK


def cmd_data_movielens(args: argparse.Namespace) -> int:
    from core.movielens.data import download, find_data

    if not args.download:
        print(find_data(args.data))
        return EXIT_OK
    print(download(args.target, url=args.url, md5=args.md5, log=_stderr))  # a failure is a DataError: exit 2
    return EXIT_OK


def cmd_prepare(args: argparse.Namespace) -> int:
    """Embed and fit everything the presets' default views need, into the disk caches (a server start then
    finds them ready). ``make setup`` runs it once after installing."""
    import time

    from core.jobs import run_stages
    from core.maps.store import MapStore
    from core.retrieval.recommender import Recommender
    from core.scenarios.presets import list_presets, load_preset
    from core.vectors.methods import METHOD_NAMES
    from core.vectors.space import DEFAULT_PARAMS

    ids = args.preset or [p.id for p in list_presets() if not p.generated]
    embedder, store, report = _embedder(args.model), MapStore(), _stage_logger(args.quiet)
    timings = _warm_talk(args.model, report) if args.talk else {}
    for preset_id in ids:
        started = time.perf_counter()
        recommender = Recommender(load_preset(preset_id), embedder)
        methods = list(METHOD_NAMES)
        run_stages(recommender.stages(methods) + store.stages(recommender, methods, DEFAULT_PARAMS), report)
        timings[preset_id] = round(time.perf_counter() - started, 2)
    embedder.flush()
    payload = {"prepared": timings, "texts_encoded": embedder.stats["encoded"]}
    _emit(args, payload, lambda: "\n".join(f"{p:<20} ready in {t:.1f} s" for p, t in timings.items()))
    return EXIT_OK


def _warm_talk(model: str | None, report) -> dict[str, float]:
    """Run once every view that takes minutes on a cold machine (:data:`core.jobs.SLOW_VIEWS`), so that their
    texts are in the disk cache: the server then computes each in seconds. Seconds per view."""
    import time

    from core.diagnostics import negation
    from core.movielens.data import find_data, load
    from core.movielens.evaluate import evaluate
    from core.movielens.labs.experiments import LAB_NAMES, compute
    from core.movielens.protocol import FEATURE_MODES

    path, every = str(find_data()), _model_ids("all")
    timed: dict[str, float] = {}

    def timing(name: str, work) -> None:
        started = time.perf_counter()
        work()
        timed[name] = round(time.perf_counter() - started, 1)

    for mode in FEATURE_MODES:  # Evaluation: Results (the chosen model) and Across models (every model)
        for model_id in every:
            work = lambda m=model_id, f=mode: evaluate(_embedder(m), path=path, mode=f)  # noqa: E731
            timing(f"evaluation {mode} {model_id}", work)
    data = load(path)
    for lab in LAB_NAMES:  # Labs, and the Evaluation's Vector database tab (the qdrant lab)
        timing(f"lab {lab}", lambda lab=lab: compute(lab, _embedder(model), data, report=report))
    try:
        pairs = negation.load_pairs()
    except InputError as error:
        _stderr(f"... Diagnostics → Negation left cold: {error}")
    else:
        embedders = {m: _embedder(m) for m in every}
        timing("negation", lambda: negation.every_model(pairs, embedders, report))
    for m in every:
        _embedder(m).flush()
    return timed


# -- parser -----------------------------------------------------------------


def _json_and_quiet(parser: argparse.ArgumentParser, *, quiet: bool = True) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON")
    if quiet:
        parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _model_choice(every: bool) -> Callable[[str], str]:
    def parse(text: str) -> str:
        from core.embedding import models

        if every and text.strip().lower() == "all":
            return "all"
        try:
            if not text.strip():
                raise UnknownName("model", text, [m.id for m in models.registry()])
            return models.spec(text).id
        except InputError as exc:
            raise argparse.ArgumentTypeError(f"{exc}{', all' if every else ''}") from None

    return parse


def _add_model(parser: argparse.ArgumentParser, *, every: bool = False) -> None:
    what = "a model id (see `models`), or all installed models" if every else "a model id (see `models`)"
    parser.add_argument(
        "--model", type=_model_choice(every), metavar="all|ID" if every else "ID", help=f"{what} (default: the default)"
    )


def _add_rank(sub) -> None:
    p = sub.add_parser("rank", help="rank a scenario's products for one user under each method")
    _add_scenario_source(p)
    p.add_argument("--user", required=True, metavar="ID", help="user id within the scenario")
    p.add_argument(
        "--set", action="append", type=parse_assignment, metavar="FEATURE=SCORE", help="add or override a score"
    )
    p.add_argument(
        "--methods",
        type=_methods,
        metavar="A,B",
        help="comma-separated methods (default: the six vector methods; also qdrant-avg, qdrant-best, qdrant-sum, "
        "qdrant-feedback)",
    )
    p.add_argument("--top", type=bounded_int(1, 1000), default=5, metavar="K", help="how many products (default 5)")
    p.add_argument(
        "--hard-no",
        type=_hard_no,
        metavar="THRESHOLD",
        help="filter: no method may rank a product that carries a feature the user scores at or below THRESHOLD "
        "(-1 to -0.05; the marks use it too)",
    )
    p.add_argument(
        "--store",
        choices=("numpy", "qdrant"),
        default="numpy",
        help="where the six methods' product vectors live (default numpy; Qdrant: SIGNED_EXPLORER_QDRANT)",
    )
    _add_model(p)
    _json_and_quiet(p)
    p.set_defaults(run=cmd_rank)


def _hard_no(text: str) -> float:
    from core.retrieval.marks import HARD_NO_RANGE

    lo, hi = HARD_NO_RANGE
    try:
        value = parse_number(text)
    except NumberError as exc:
        raise argparse.ArgumentTypeError(
            f"expected a score from {lo:g} to {hi:g}, got {exc.got or shorten(text)}"
        ) from None
    if not lo <= value <= hi:
        raise argparse.ArgumentTypeError(f"expected a score from {lo:g} to {hi:g}, got {shorten(text)}")
    return value


def path_argument(text: str) -> str:
    """An argparse type for a file or folder: an empty path is refused (never read as "use the default"), ``~`` and
    ``~user`` are expanded (an unknown user is refused in one line)."""
    from core.settings import Refused, expand

    if not text.strip():
        raise argparse.ArgumentTypeError("the path is empty; give a file or folder")
    try:
        return str(expand(text))
    except Refused as exc:
        raise argparse.ArgumentTypeError(f"{shorten(text)}: {exc}") from None


def _add_movielens(sub) -> None:
    from core.movielens.data import OFFICIAL_URL
    from core.movielens.labs.experiments import LAB_NAMES
    from core.movielens.protocol import FEATURE_MODES

    evaluation = sub.add_parser("eval", help="evaluate on real data").add_subparsers(
        dest="dataset", required=True, parser_class=_Parser
    )
    p = evaluation.add_parser("movielens", help="every method on MovieLens ml-latest-small ratings")
    p.add_argument("--data", metavar="PATH", type=path_argument, help="the unpacked ml-latest-small folder")
    p.add_argument("--features", choices=FEATURE_MODES, default=FEATURE_MODES[0])
    _add_model(p)
    _json_and_quiet(p, quiet=False)
    p.set_defaults(run=cmd_eval_movielens)

    p = sub.add_parser("labs", help="the labs on MovieLens: " + ", ".join(LAB_NAMES))
    p.add_argument("lab", nargs="?", default="all", choices=("all", *LAB_NAMES))
    p.add_argument("--data", metavar="PATH", type=path_argument, help="the unpacked ml-latest-small folder")
    _add_model(p)
    _json_and_quiet(p, quiet=False)
    p.set_defaults(run=cmd_labs)

    data = sub.add_parser("data", help="datasets").add_subparsers(dest="dataset", required=True, parser_class=_Parser)
    p = data.add_parser("movielens", help="find MovieLens, or --download the official zip into ./data")
    p.add_argument("--download", action="store_true", help="fetch, verify (MD5) and unpack the official zip")
    p.add_argument("--data", metavar="PATH", type=path_argument, help="a folder to check instead of the usual places")
    p.add_argument(
        "--target", default="data", metavar="DIR", type=path_argument, help="where to unpack (default ./data)"
    )
    p.add_argument("--url", default=OFFICIAL_URL)
    p.add_argument("--md5", metavar="HEX", help="expected MD5 (default: read from URL.md5)")
    p.set_defaults(run=cmd_data_movielens)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m core", description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="print the traceback of an internal error")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("presets", help="list the preset scenarios")
    _json_and_quiet(p, quiet=False)
    p.set_defaults(run=cmd_presets)

    _add_rank(sub)

    p = sub.add_parser("compare", help="cosine between two profiles under all six methods")
    p.add_argument("--a", required=True, type=_profile_json, metavar="JSON", help='profile A, e.g. {"wine": 0.8}')
    p.add_argument("--b", required=True, type=_profile_json, metavar="JSON", help="profile B (or @file.json)")
    _add_model(p, every=True)
    _json_and_quiet(p, quiet=False)
    p.set_defaults(run=cmd_compare)

    p = sub.add_parser("diagnose", help="measure each claim of the article on a scenario")
    _add_scenario_source(p)
    _add_model(p)
    _json_and_quiet(p)
    p.set_defaults(run=cmd_diagnose)

    p = sub.add_parser("prepare", help="embed and fit the presets' default views into the disk caches")
    p.add_argument("--preset", action="append", metavar="ID", help="a preset id, repeatable (default: hand-written)")
    p.add_argument(
        "--talk",
        action="store_true",
        help="also warm the views that take minutes cold: Evaluation (every model, both feature sets), Labs, "
        "Diagnostics → Negation (about 15 minutes on an empty cache)",
    )
    _add_model(p)
    _json_and_quiet(p)
    p.set_defaults(run=cmd_prepare)

    p = sub.add_parser("models", help="the embedding models: installed or not, and how to install them")
    p.add_argument("--prepare", action="store_true", help="load every installed model once (make models runs it)")
    _json_and_quiet(p, quiet=False)
    p.set_defaults(run=cmd_models)

    p = sub.add_parser("negation", help="cos(sentence, its negation) on real review sentences, per model")
    p.add_argument(
        "--pairs", metavar="FILE", type=path_argument, help="a TSV or CSV with the columns sentence and negated"
    )
    _add_model(p, every=True)
    _json_and_quiet(p)
    p.set_defaults(run=cmd_negation)

    _add_movielens(sub)

    p = sub.add_parser("settings", help="check the environment variables and show the values in use")
    p.add_argument("--markdown", action="store_true", help="print the README's table of variables instead")
    _json_and_quiet(p, quiet=False)
    p.set_defaults(run=cmd_settings)
    return parser


def _internal_error(exc: BaseException, debug: bool) -> int:
    """A bug, not bad input: one line, and the traceback where a person can find it."""
    text = "".join(traceback.format_exception(exc))
    if debug:
        _stderr(text.rstrip())
        where = "above"
    else:
        try:  # a new file with a name nobody can guess or plant a link at (O_EXCL, mode 0600)
            stamp = time.strftime("%Y%m%d-%H%M%S")
            handle, log = tempfile.mkstemp(prefix=f"signed-explorer-cli-{stamp}-", suffix=".log")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            where = f"in {log}"
        except OSError:
            where = "not saved (run again with --debug to see it)"
    summary = sentence(visible(str(exc)[:200]))
    _stderr(f"internal error ({type(exc).__name__}): {summary} This is a bug; the traceback is {where}.")
    return EXIT_BUG


def cmd_settings(args: argparse.Namespace) -> int:
    """The environment as checked at the door: each variable and the value in use (``--markdown``: the README's
    table of variables)."""
    from core import settings

    if args.markdown:
        print(settings.markdown_table())
        return EXIT_OK
    rows = settings.describe(settings.current())
    _emit(args, {"settings": dict(rows)}, lambda: "\n".join(f"{name:<32} {value}" for name, value in rows))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    from core.runtime import configuration_problems

    problems = configuration_problems()  # the door: a setting that is given is used or refused, before any work
    if problems:
        for line in problems:
            _stderr(f"error: {line}")
        return EXIT_USAGE
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except InputError as exc:
        _stderr(f"error: {exc}")
        return EXIT_USAGE
    except ModelLoadError as exc:
        _stderr(f"error: {exc}")
        return EXIT_BUG
    except BrokenPipeError:  # e.g. `python -m core rank ... | head`
        return EXIT_OK
    except KeyboardInterrupt:
        _stderr("interrupted")
        return 130
    except Exception as exc:
        return _internal_error(exc, args.debug)
