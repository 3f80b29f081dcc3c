"""Command line: ``python -m core <command>``. Scriptable; ``--json`` prints the documented schema.

Bad arguments and bad files exit with code 2 and a one-line reason (never a
traceback). Progress goes to stderr, so stdout stays clean for ``--json``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from core.scenario import ScenarioError, check_feature_name, check_score, load_scenario_file, validate_profile

EXIT_USAGE = 2


class UsageError(Exception):
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


# -- argument types ---------------------------------------------------------


def _positive_int(limit: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number in [1, {limit}], got {text!r}") from None
        if not 1 <= value <= limit:
            raise argparse.ArgumentTypeError(f"must be in [1, {limit}], got {value}")
        return value

    return parse


def parse_assignment(text: str) -> tuple[str, float]:
    """``FEATURE=SCORE`` -> (feature, score); the feature may itself contain '='."""
    feature, sep, raw = text.rpartition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected FEATURE=SCORE, got {text!r}")
    try:
        number = float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: score must be a number in [-1, 1], got {raw!r}") from None
    try:
        return check_feature_name(feature), check_score(number)
    except Exception as exc:  # PydanticCustomError carries the rule
        raise argparse.ArgumentTypeError(f"{text!r}: {exc}") from None


def _methods(text: str) -> tuple[str, ...]:
    from core.methods import parse_methods

    try:
        return parse_methods(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _profile_json(text: str) -> dict[str, float]:
    source = "profile"
    if text.startswith("@"):
        source = text[1:]
        try:
            text = Path(source).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise argparse.ArgumentTypeError(f"cannot read {source}: {exc}") from None
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise argparse.ArgumentTypeError(f'not valid JSON ({exc}); expected an object like {{"wine": 0.8}}') from None
    try:
        return validate_profile(value, source=source)
    except ScenarioError as exc:
        raise argparse.ArgumentTypeError(str(exc).replace("\n", "; ")) from None


def _add_scenario_source(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--preset", metavar="ID", help="a preset id (see `presets`)")
    group.add_argument("--scenario", metavar="PATH", type=Path, help="a scenario JSON file")


def load_source(args: argparse.Namespace):
    from core.presets import load_preset

    if args.scenario is not None:
        return load_scenario_file(args.scenario)
    try:
        return load_preset(args.preset)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


# -- commands ---------------------------------------------------------------


def cmd_presets(args: argparse.Namespace) -> int:
    from core.presets import list_presets

    infos = list_presets()
    payload = {
        "presets": [
            {
                "id": p.id,
                "title": p.title,
                "description": p.description,
                "users": p.users,
                "products": p.products,
                "features": p.features,
                "generated": p.generated,
            }
            for p in infos
        ]
    }

    def render() -> str:
        lines = []
        for p in infos:
            lines.append(f"{p.id:<20} {p.title}  ({p.users} users, {p.products:,} products, {p.features} features)")
        return "\n".join(lines)

    _emit(args, payload, render)
    return 0


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), 6)


def cmd_rank(args: argparse.Namespace) -> int:
    from core.embedder import get_embedder
    from core.engine import Recommender
    from core.methods import METHOD_NAMES

    scenario = load_source(args)
    try:
        user = scenario.user(args.user)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    profile = dict(user.profile)
    profile.update(dict(args.set or []))
    methods = args.methods or METHOD_NAMES
    recommender = Recommender(scenario, get_embedder())
    recommender.prepare(methods, progress=_stage_logger() if not args.quiet else None)
    result = recommender.rank(profile, methods, k=args.top)
    agreement = result.agreement()

    payload = {
        "scenario": scenario.id,
        "user": user.id,
        "methods": {
            m: [
                {
                    "id": recommender.product_ids[i],
                    "name": recommender.product_names[i],
                    "score": round(float(r.scores[i]), 6),
                }
                for i in r.top(args.top)
            ]
            for m, r in result.rankings.items()
        },
        "divergence": {
            m: {
                "kendall_tau_vs_exact": _finite(a["kendall_tau"]),
                "overlap_at_k_vs_exact": _finite(a["overlap_at_k"]),
                "disliked_in_top_k": a["disliked_in_top_k"],
            }
            for m, a in agreement.items()
        },
    }

    def render() -> str:
        lines = [f"{scenario.title} - {user.name} ({user.id}), top {args.top}", ""]
        exact_scores = result.exact.scores
        for m, r in result.rankings.items():
            a = agreement[m]
            tau = "n/a" if a["kendall_tau"] is None else f"{a['kendall_tau']:+.2f}"
            lines.append(
                f"{m}: tau vs exact {tau}, overlap@{args.top} {a['overlap_at_k']:.2f}, "
                f"disliked in top {args.top}: {a['disliked_in_top_k']}"
            )
            for place, i in enumerate(r.top(args.top), 1):
                flag = "  <- disliked" if exact_scores[i] < 0 else ""
                lines.append(f"  {place:>2}. {r.scores[i]:+.3f}  {recommender.product_names[i]}{flag}")
            lines.append("")
        return "\n".join(lines).rstrip()

    _emit(args, payload, render)
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from core.embedder import get_embedder
    from core.methods import compare_profiles

    cosine = {m: round(c, 6) for m, c in compare_profiles(args.a, args.b, get_embedder()).items()}
    _emit(args, {"cosine": cosine}, lambda: "\n".join(f"{m:<9} {c:+.4f}" for m, c in cosine.items()))
    return 0


def cmd_diagnose(args: argparse.Namespace) -> int:
    from core.diagnostics import diagnose
    from core.embedder import get_embedder
    from core.engine import Recommender

    scenario = load_source(args)
    recommender = Recommender(scenario, get_embedder())
    if not args.quiet:
        _stderr(f"... diagnosing {scenario.id} ({len(scenario.vocabulary)} features, {len(scenario.users)} users)")
    report = diagnose(scenario, recommender.space, recommender.product_vectors("whitened"))
    payload = report.to_json()
    _emit(args, payload, lambda: "\n".join(f"{name}: {text}" for name, text in payload["readings"].items()))
    return 0


def cmd_eval_movielens(args: argparse.Namespace) -> int:
    from core.embedder import get_embedder
    from core.movielens import DataNotFound, evaluate

    try:
        evaluation = evaluate(get_embedder(), path=args.data, mode=args.features, report=_stage_logger())
    except DataNotFound as exc:
        raise UsageError(str(exc)) from None
    payload = evaluation.to_json()
    _stderr(
        f"... {len(evaluation.users)} users in {evaluation.seconds:.1f} s ({evaluation.texts_encoded} texts embedded)"
    )

    def render() -> str:
        lines = [f"MovieLens ({args.features}), {payload['users']} users", ""]
        lines.append(f"{'method':<11} {'AUC':>6} {'95% CI':>15} {'NDCG@10':>8} {'P@10':>6} {'AUC - naive':>12}")
        for m, r in payload["methods"].items():
            lo, hi = r["auc_ci95"]
            lines.append(
                f"{m:<11} {r['auc']:6.3f} [{lo:.3f}, {hi:.3f}] {r['ndcg@10']:8.3f} {r['precision@10']:6.3f}"
                f" {r['auc_minus_naive']:+12.3f}"
            )
        return "\n".join(lines)

    _emit(args, payload, render)
    return 0


def cmd_labs(args: argparse.Namespace) -> int:
    from core.embedder import get_embedder
    from core.labs import LAB_NAMES, run
    from core.movielens import DataNotFound, load

    try:
        data = load(args.data)
    except DataNotFound as exc:
        raise UsageError(str(exc)) from None
    names = LAB_NAMES if args.lab == "all" else (args.lab,)
    embedder = get_embedder()
    payload = {"labs": {name: run(name, embedder, data, report=_stage_logger()) for name in names}}

    def render() -> str:
        lines = []
        for name, lab in payload["labs"].items():
            lines.append(f"{name}:")
            for rule, r in lab.get("rules", {}).items():
                lo, hi = r["auc_ci95"]
                lines.append(f"  {rule:<17} AUC {r['auc']:.3f} [{lo:.3f}, {hi:.3f}]")
            for row in lab.get("by_k", []):
                lines.append(f"  k={row['k']:<4} hit@1 {row['hit@1']:.3f}  recall@3 {row['recall@3']:.3f}")
        return "\n".join(lines)

    _emit(args, payload, render)
    return 0


def cmd_data_movielens(args: argparse.Namespace) -> int:
    from core.movielens import DataNotFound, download, find_data

    if not args.download:
        try:
            print(find_data(args.data))
        except DataNotFound as exc:
            raise UsageError(str(exc)) from None
        return 0
    try:
        print(download(args.target, url=args.url, md5=args.md5, log=_stderr))
    except OSError as exc:
        _stderr(f"error: download failed: {exc}")
        return 1
    return 0


def cmd_bench_slider(args: argparse.Namespace) -> int:
    from core.benchmark import bench_slider

    result = bench_slider(n_products=args.products, n_features=args.features, moves=args.moves, log=_stderr)

    def render() -> str:
        lines = [
            f"{result['products']:,} products x {result['features']} features, {result['moves']} moves",
            f"floor (1 encode + 1 matmul): p50 {result['floor_ms']:.1f} ms, p95 {result['floor_p95_ms']:.1f} ms",
        ]
        for m in result["p50_ms"]:
            lines.append(f"  {m:<9} p50 {result['p50_ms'][m]:8.2f} ms   p95 {result['p95_ms'][m]:8.2f} ms")
        lines.append(f"all six p95 / floor p95 = {result['ratio_p95_all_to_floor_p95']:.2f}")
        return "\n".join(lines)

    _emit(args, result, render)
    return 0


def _stage_logger() -> Callable[[str, float], None]:
    last = {"stage": None}

    def report(stage: str, fraction: float) -> None:
        if stage != last["stage"]:
            _stderr(f"... {stage}")
            last["stage"] = stage

    return report


# -- parser -----------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m core", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("presets", help="list the preset scenarios")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=cmd_presets)

    p = sub.add_parser("rank", help="rank a scenario's products for one user under each method")
    _add_scenario_source(p)
    p.add_argument("--user", required=True, metavar="ID", help="user id within the scenario")
    p.add_argument(
        "--set", action="append", type=parse_assignment, metavar="FEATURE=SCORE", help="add or override a score"
    )
    p.add_argument("--methods", type=_methods, metavar="A,B", help="comma-separated methods (default: all six)")
    p.add_argument("--top", type=_positive_int(1000), default=5, metavar="K", help="how many products (default 5)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(run=cmd_rank)

    p = sub.add_parser("compare", help="cosine between two profiles under all six methods")
    p.add_argument("--a", required=True, type=_profile_json, metavar="JSON", help='profile A, e.g. {"wine": 0.8}')
    p.add_argument("--b", required=True, type=_profile_json, metavar="JSON", help="profile B (or @file.json)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=cmd_compare)

    p = sub.add_parser("diagnose", help="measure each claim of the article on a scenario")
    _add_scenario_source(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(run=cmd_diagnose)

    evaluation = sub.add_parser("eval", help="evaluate on real data").add_subparsers(
        dest="dataset", required=True, parser_class=_Parser
    )
    p = evaluation.add_parser("movielens", help="every method on MovieLens ml-latest-small ratings")
    p.add_argument("--data", metavar="PATH", help="the unpacked ml-latest-small folder")
    p.add_argument("--features", choices=("genres", "genres+tags"), default="genres")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=cmd_eval_movielens)

    p = sub.add_parser("labs", help="the labs on MovieLens: history, feedback, centroids, EASE")
    p.add_argument("lab", nargs="?", default="all", choices=("all", "history", "feedback", "centroids", "ease"))
    p.add_argument("--data", metavar="PATH", help="the unpacked ml-latest-small folder")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=cmd_labs)

    data = sub.add_parser("data", help="datasets").add_subparsers(dest="dataset", required=True, parser_class=_Parser)
    p = data.add_parser("movielens", help="find MovieLens, or --download the official zip into ./data")
    p.add_argument("--download", action="store_true", help="fetch, verify (MD5) and unpack the official zip")
    p.add_argument("--data", metavar="PATH", help="a folder to check instead of the usual places")
    p.add_argument("--target", default="data", metavar="DIR", help="where to unpack (default ./data)")
    p.add_argument("--url", default="https://files.grouplens.org/datasets/movielens/ml-latest-small.zip")
    p.add_argument("--md5", metavar="HEX", help="expected MD5 (default: read from URL.md5)")
    p.set_defaults(run=cmd_data_movielens)

    bench = sub.add_parser("bench", help="benchmarks").add_subparsers(dest="bench", required=True, parser_class=_Parser)
    p = bench.add_parser("slider", help="time from one changed score to all six rankings")
    p.add_argument("--products", type=_positive_int(100_000), default=10_000, metavar="N")
    p.add_argument("--features", type=_positive_int(1_000), default=200, metavar="F")
    p.add_argument("--moves", type=_positive_int(100_000), default=60, metavar="M", help="at least 50")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=cmd_bench_slider)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from core.embedder import ModelLoadError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (UsageError, ScenarioError) as exc:
        _stderr(f"error: {exc}")
        return EXIT_USAGE
    except ValueError as exc:  # a rule of ours refused an argument value
        _stderr(f"error: {exc}")
        return EXIT_USAGE
    except ModelLoadError as exc:
        _stderr(f"error: {exc}")
        return 1
    except BrokenPipeError:  # e.g. `python -m core rank ... | head`
        return 0
    except KeyboardInterrupt:
        _stderr("interrupted")
        return 130
