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
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from core.engine.embedder import ModelLoadError
from core.errors import InputError, UnknownName, shorten
from core.numeric import finite_or_none

EXIT_OK, EXIT_BUG, EXIT_USAGE = 0, 1, 2


class UsageError(InputError):
    """Bad input from the command line: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _emit(args: argparse.Namespace, payload: dict[str, Any], render: Callable[[], str]) -> None:
    if args.json:
        print(json.dumps(payload, indent=2, ensure_ascii=False, allow_nan=False))
    else:
        print(render())


def _stage_logger(quiet: bool = False) -> Callable[[str, float], None] | None:
    if quiet:
        return None
    last = {"stage": None}

    def report(stage: str, fraction: float) -> None:
        if stage != last["stage"]:
            _stderr(f"... {stage}")
            last["stage"] = stage

    return report


# -- argument types ---------------------------------------------------------


def _positive_int(limit: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number in [1, {limit}], got {text[:40]!r}") from None
        if not 1 <= value <= limit:
            raise argparse.ArgumentTypeError(f"must be in [1, {limit}], got {value}")
        return value

    return parse


def parse_assignment(text: str) -> tuple[str, float]:
    """``FEATURE=SCORE`` -> (feature, score); the feature may itself contain '='."""
    from pydantic_core import PydanticCustomError

    from core.scenarios.model import check_feature_name, check_score

    feature, sep, raw = text.rpartition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected FEATURE=SCORE, got {shorten(text)}")
    try:
        number = float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{shorten(text)}: score must be a number in [-1, 1], got {shorten(raw)}"
        ) from None
    try:
        return check_feature_name(feature), check_score(number)
    except PydanticCustomError as exc:  # the rule, as the scenario files state it
        raise argparse.ArgumentTypeError(f"{shorten(text)}: {exc}") from None


def _methods(text: str) -> tuple[str, ...]:
    from core.engine.methods import parse_methods

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
            source, data = "profile", text.encode()
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
    group.add_argument("--scenario", metavar="PATH", type=Path, help="a scenario JSON file")


def load_source(args: argparse.Namespace):
    """The scenario named by ``--preset`` or ``--scenario``."""
    from core.scenarios.io import load_scenario_file
    from core.scenarios.presets import load_preset

    if args.scenario is not None:
        return load_scenario_file(args.scenario)
    return load_preset(args.preset)


def _embedder():
    from core.engine.cache import get_embedder

    return get_embedder()


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
    agreement = result.agreement()
    return {
        "scenario": scenario.id,
        "user": user.id,
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
        "divergence": {
            m: {
                "kendall_tau_vs_exact": finite_or_none(a["kendall_tau"]),
                "overlap_at_k_vs_exact": finite_or_none(a["overlap_at_k"]),
                "hard_no_in_top_k": a["hard_no_in_top_k"],
                "disliked_in_top_k": a["disliked_in_top_k"],
            }
            for m, a in agreement.items()
        },
    }


def _rank_text(scenario, user, recommender, result, top: int) -> str:
    from core.engine.marks import describe as describe_marks

    marks = result.marks
    lines = [f"{scenario.title} - {user.name} ({user.id}), top {top}"]
    lines += [f"  {text}" for text in describe_marks(marks.threshold).values()] + [""]
    agreement = result.agreement()
    for m, r in result.rankings.items():
        a = agreement[m]
        tau = "n/a" if a["kendall_tau"] is None else f"{a['kendall_tau']:+.2f}"
        lines.append(
            f"{m}: tau vs exact {tau}, overlap@{top} {a['overlap_at_k']:.2f}, in the top {top}: "
            f"{a['hard_no_in_top_k']} break a hard no, {a['disliked_in_top_k']} disliked overall"
        )
        for place, i in enumerate(r.top(top), 1):
            flags = ["breaks a hard no"] * bool(marks.hard_no[i]) + ["disliked overall"] * bool(marks.disliked[i])
            flag = f"  <- {', '.join(flags)}" if flags else ""
            lines.append(f"  {place:>2}. {r.scores[i]:+.3f}  {recommender.product_names[i]}{flag}")
        lines.append("")
    return "\n".join(lines).rstrip()


def _overrides(scenario, assignments: list[tuple[str, float]]) -> dict[str, float]:
    """``--set`` scores, for features of the scenario only (as the Explorer's sliders and links allow)."""
    vocabulary = set(scenario.vocabulary)
    for feature, _ in assignments:
        if feature not in vocabulary:
            raise UnknownName("feature", feature, scenario.vocabulary, context=f"in --set for scenario {scenario.id!r}")
    return dict(assignments)


def cmd_rank(args: argparse.Namespace) -> int:
    from core.engine.methods import METHOD_NAMES
    from core.engine.recommender import Recommender

    scenario = load_source(args)
    user = scenario.user(args.user)
    profile = {**user.profile, **_overrides(scenario, args.set or [])}
    methods = args.methods or METHOD_NAMES
    recommender = Recommender(scenario, _embedder())
    recommender.prepare(methods, progress=_stage_logger(args.quiet))
    result = recommender.rank(profile, methods, k=args.top)
    payload = _rank_payload(scenario, user, recommender, result, args.top)
    _emit(args, payload, lambda: _rank_text(scenario, user, recommender, result, args.top))
    return EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    from core.engine.methods import compare_profiles

    cosine = {m: round(c, 6) for m, c in compare_profiles(args.a, args.b, _embedder()).items()}
    _emit(args, {"cosine": cosine}, lambda: "\n".join(f"{m:<9} {c:+.4f}" for m, c in cosine.items()))
    return EXIT_OK


def cmd_diagnose(args: argparse.Namespace) -> int:
    from core.diagnostics.report import diagnose
    from core.engine.recommender import Recommender

    scenario = load_source(args)
    recommender = Recommender(scenario, _embedder())
    if not args.quiet:
        _stderr(f"... diagnosing {scenario.id} ({len(scenario.vocabulary)} features, {len(scenario.users)} users)")
    report = diagnose(recommender)
    payload = report.to_json()
    _emit(args, payload, lambda: "\n".join(f"{name}: {text}" for name, text in payload["readings"].items()))
    return EXIT_OK


def _evaluation_text(payload: dict, features: str) -> str:
    lines = [f"MovieLens ({features}), {payload['users']} users", ""]
    lines.append(f"{'method':<11} {'AUC':>6} {'95% CI':>15} {'NDCG@10':>8} {'P@10':>6} {'AUC - naive':>12}")
    for m, r in payload["methods"].items():
        lo, hi = r["auc_ci95"]
        lines.append(
            f"{m:<11} {r['auc']:6.3f} [{lo:.3f}, {hi:.3f}] {r['ndcg@10']:8.3f} {r['precision@10']:6.3f}"
            f" {r['auc_minus_naive']:+12.3f}"
        )
    return "\n".join(lines)


def cmd_eval_movielens(args: argparse.Namespace) -> int:
    from core.movielens.evaluate import evaluate

    evaluation = evaluate(_embedder(), path=args.data, mode=args.features, report=_stage_logger())
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
            lo, hi = r["auc_ci95"]
            lines.append(f"  {rule:<17} AUC {r['auc']:.3f} [{lo:.3f}, {hi:.3f}]")
        for row in lab.get("by_k", []):
            lines.append(f"  k={row['k']:<4} hit@1 {row['hit@1']:.3f}  recall@3 {row['recall@3']:.3f}")
    return "\n".join(lines)


def cmd_labs(args: argparse.Namespace) -> int:
    from core.movielens.data import load
    from core.movielens.labs.experiments import LAB_NAMES, run

    data = load(args.data)
    names = LAB_NAMES if args.lab == "all" else (args.lab,)
    embedder = _embedder()
    payload = {"labs": {name: run(name, embedder, data, report=_stage_logger()) for name in names}}
    _emit(args, payload, lambda: _labs_text(payload))
    return EXIT_OK


def cmd_data_movielens(args: argparse.Namespace) -> int:
    from core.movielens.data import download, find_data

    if not args.download:
        print(find_data(args.data))
        return EXIT_OK
    try:
        print(download(args.target, url=args.url, md5=args.md5, log=_stderr))
    except OSError as exc:
        _stderr(f"error: download failed: {exc}")
        return EXIT_BUG
    return EXIT_OK


# -- parser -----------------------------------------------------------------


def _json_and_quiet(parser: argparse.ArgumentParser, *, quiet: bool = True) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON")
    if quiet:
        parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _add_rank(sub) -> None:
    p = sub.add_parser("rank", help="rank a scenario's products for one user under each method")
    _add_scenario_source(p)
    p.add_argument("--user", required=True, metavar="ID", help="user id within the scenario")
    p.add_argument(
        "--set", action="append", type=parse_assignment, metavar="FEATURE=SCORE", help="add or override a score"
    )
    p.add_argument("--methods", type=_methods, metavar="A,B", help="comma-separated methods (default: all six)")
    p.add_argument("--top", type=_positive_int(1000), default=5, metavar="K", help="how many products (default 5)")
    _json_and_quiet(p)
    p.set_defaults(run=cmd_rank)


def _add_movielens(sub) -> None:
    from core.movielens.data import OFFICIAL_URL
    from core.movielens.labs.experiments import LAB_NAMES
    from core.movielens.protocol import FEATURE_MODES

    evaluation = sub.add_parser("eval", help="evaluate on real data").add_subparsers(
        dest="dataset", required=True, parser_class=_Parser
    )
    p = evaluation.add_parser("movielens", help="every method on MovieLens ml-latest-small ratings")
    p.add_argument("--data", metavar="PATH", help="the unpacked ml-latest-small folder")
    p.add_argument("--features", choices=FEATURE_MODES, default=FEATURE_MODES[0])
    _json_and_quiet(p, quiet=False)
    p.set_defaults(run=cmd_eval_movielens)

    p = sub.add_parser("labs", help="the labs on MovieLens: " + ", ".join(LAB_NAMES))
    p.add_argument("lab", nargs="?", default="all", choices=("all", *LAB_NAMES))
    p.add_argument("--data", metavar="PATH", help="the unpacked ml-latest-small folder")
    _json_and_quiet(p, quiet=False)
    p.set_defaults(run=cmd_labs)

    data = sub.add_parser("data", help="datasets").add_subparsers(dest="dataset", required=True, parser_class=_Parser)
    p = data.add_parser("movielens", help="find MovieLens, or --download the official zip into ./data")
    p.add_argument("--download", action="store_true", help="fetch, verify (MD5) and unpack the official zip")
    p.add_argument("--data", metavar="PATH", help="a folder to check instead of the usual places")
    p.add_argument("--target", default="data", metavar="DIR", help="where to unpack (default ./data)")
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
    _json_and_quiet(p, quiet=False)
    p.set_defaults(run=cmd_compare)

    p = sub.add_parser("diagnose", help="measure each claim of the article on a scenario")
    _add_scenario_source(p)
    _json_and_quiet(p)
    p.set_defaults(run=cmd_diagnose)

    _add_movielens(sub)
    return parser


def _internal_error(exc: BaseException, debug: bool) -> int:
    """A bug, not bad input: one line, and the traceback where a person can find it."""
    text = "".join(traceback.format_exception(exc))
    if debug:
        _stderr(text.rstrip())
        where = "above"
    else:
        log = Path(tempfile.gettempdir()) / f"signed-explorer-cli-{time.strftime('%Y%m%d-%H%M%S')}.log"
        try:
            log.write_text(text, encoding="utf-8")
            where = f"in {log}"
        except OSError:
            where = "not saved (run again with --debug to see it)"
    _stderr(f"internal error ({type(exc).__name__}): {str(exc)[:200]}. This is a bug; the traceback is {where}.")
    return EXIT_BUG


def main(argv: Sequence[str] | None = None) -> int:
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
