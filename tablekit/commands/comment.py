"""`tablekit comment --plan ENV=plan.json ... [--out comment.md]`: one sticky PR comment for all envs.

The plan files are `terraform show -json` output (e.g. from `tablekit.envs.plan`). CI posts the
result and finds its earlier comment by the hidden marker (tablekit.comment.MARKER).

This module needs only the standard library, so CI can render the comment with
`python3 -m tablekit.commands.comment ...` from a bare checkout, without building the venv.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from tablekit.comment import GITHUB_COMMENT_LIMIT, render
from tablekit.errors import UserError


def load_plans(values: list[str]) -> list[tuple[str, dict]]:
    """`ENV=path` pairs -> [(env, plan dict)] in the order given."""
    plans: list[tuple[str, dict]] = []
    seen: set[str] = set()
    for value in values:
        env, sep, path = value.partition("=")
        if not sep or not env or not path:
            raise UserError(f"--plan {value!r}: write ENV=path/to/plan.json (e.g. prod=build/plans/prod.json)")
        if env in seen:
            raise UserError(f"--plan: environment {env!r} given twice")
        seen.add(env)
        file = Path(path)
        try:
            data = json.loads(file.read_text())
        except FileNotFoundError as exc:
            raise UserError(f"--plan {env}: no such file {file}") from exc
        except json.JSONDecodeError as exc:
            raise UserError(
                f"--plan {env}: {file} is not JSON (`terraform show -json PLANFILE` output): {exc}"
            ) from exc
        if not isinstance(data, dict) or "format_version" not in data:
            raise UserError(f"--plan {env}: {file} does not look like `terraform show -json` plan output")
        plans.append((env, data))
    return plans


def _run(args: argparse.Namespace) -> int:
    text = render(load_plans(args.plan), title=args.title, limit=args.limit)
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out} ({len(text):,} characters)", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("comment", help="render env plan JSON into one Markdown PR comment", description=__doc__)
    parser.add_argument(
        "--plan",
        action="append",
        required=True,
        metavar="ENV=FILE",
        help="plan JSON of one environment (repeat per env; order is kept)",
    )
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
