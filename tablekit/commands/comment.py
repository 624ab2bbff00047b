"""`tablekit comment --plan ENV=plan.json ... [--out comment.md]`: one sticky PR comment for all envs.

The plan files are `terraform show -json PLANFILE` output (e.g. from `tablekit plan --json-out`).
An env whose plan failed is given with `--failed ENV=LOGFILE` instead, the checkov JSON report of
an env's plan scan with `--policy ENV=FILE` (`tablekit lint` writes
build/reports/checkov/plan-ENV/results.json). `--json` prints the suggested labels and per-env
counts on stdout for the workflow (e.g. to add the `destroys-data` label; the comment then goes to
`--out`). Every input is read and checked before anything is written; a wrong one ends with one
line and exit code 2.

This module needs only the standard library, so CI can render the comment with
`python3 -m tablekit.commands.comment ...` from a bare checkout, without building the venv.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Sequence

from tablekit.cliargs import add_json, env_files
from tablekit.errors import UserError
from tablekit.review.comment import GITHUB_COMMENT_LIMIT, Options, render_views, summary_json
from tablekit.review.markdown import checked_url, utf16_len
from tablekit.review.views import EnvView, PolicyResult, failed
from tablekit.review.views import summarize as summarize_env
from tablekit.terraform.plan import Plan

# Known envs are listed in promotion order whatever order the workflow gives them in.
_ENV_ORDER = ("local", "dev", "prod")


def _read_log(env: str, path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise UserError(f"--failed {env}: cannot read {path} ({exc.strerror})") from None


def build_views(args: argparse.Namespace) -> list[EnvView]:
    """Read and check every input (plans, failure logs, policy reports) into env views."""
    plans = env_files(args.plan or [], "--plan")
    failures = env_files(args.failed or [], "--failed")
    policies = env_files(args.policy or [], "--policy")
    if not plans and not failures:
        raise UserError("give at least one --plan ENV=FILE (or --failed ENV=LOGFILE for a plan that failed)")
    both = sorted(set(plans) & set(failures))
    if both:
        raise UserError(f"env {both[0]!r} given with both --plan and --failed: give one of them")
    unknown = sorted(set(policies) - set(plans) - set(failures))
    if unknown:
        raise UserError(f"--policy {unknown[0]}: no --plan or --failed for that env")
    given = [*plans, *failures]

    def order(env: str) -> tuple[int, int]:
        known = _ENV_ORDER.index(env) if env in _ENV_ORDER else len(_ENV_ORDER)
        return known, given.index(env)

    views: list[EnvView] = []
    for env in sorted(given, key=order):
        policy = PolicyResult.load(policies[env], env) if env in policies else None
        if env in failures:
            view = failed(env, _read_log(env, failures[env]))
            view.policy = policy
        else:
            view = summarize_env(env, Plan.load(plans[env]), policy)
        views.append(view)
    return views


def _write(path: str, text: str) -> Path:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return out


def _run(args: argparse.Namespace) -> int:
    if args.limit < 2000:
        raise UserError(f"--limit {args.limit}: give at least 2000 characters (GitHub allows {GITHUB_COMMENT_LIMIT:,})")
    if args.json and not args.out:
        raise UserError("--json prints the summary on stdout: give --out FILE for the comment itself")
    run_url = checked_url(args.run_url, "--run-url") if args.run_url else None
    report_url = checked_url(args.report_url, "--report-url") if args.report_url else None
    views = build_views(args)
    text = render_views(views, Options(title=args.title, run_url=run_url, report_url=report_url, limit=args.limit))
    if args.out:
        out = _write(args.out, text)
        print(f"wrote {out} ({utf16_len(text):,} characters)", file=sys.stderr)
    else:
        sys.stdout.write(text)
    if args.json:
        summary: dict[str, Any] = summary_json(views)
        summary["characters"] = utf16_len(text)
        sys.stdout.write(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("comment", help="render env plan JSON into one Markdown PR comment", description=__doc__)
    parser.add_argument(
        "--plan",
        action="append",
        metavar="ENV=FILE",
        help="`terraform show -json` plan of one environment (repeat per env)",
    )
    parser.add_argument(
        "--failed",
        action="append",
        metavar="ENV=LOGFILE",
        help="an env whose plan failed: its log (the comment shows the first error line)",
    )
    parser.add_argument(
        "--policy",
        action="append",
        metavar="ENV=FILE",
        help="checkov JSON report of the env's plan scan (build/reports/checkov/plan-ENV/results.json)",
    )
    parser.add_argument("--run-url", help="URL of the workflow run (linked from the comment)")
    parser.add_argument("--report-url", help="URL of the policy reports (default: the run's artifacts)")
    add_json(parser, "the suggested labels and per-env counts (needs --out)")
    parser.add_argument("--out", help="write the Markdown here instead of stdout")
    parser.add_argument("--title", default="Terraform plan", help="heading of the comment")
    parser.add_argument(
        "--limit",
        type=int,
        default=GITHUB_COMMENT_LIMIT,
        help=f"maximum characters (default {GITHUB_COMMENT_LIMIT:,}, GitHub's limit)",
    )
    parser.set_defaults(func=_run)


def main(argv: Sequence[str] | None = None) -> int:
    """Stand-alone entry point (same behaviour as `tablekit comment`)."""
    parser = argparse.ArgumentParser(prog="python -m tablekit.commands.comment")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["comment", *(sys.argv[1:] if argv is None else argv)])
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
