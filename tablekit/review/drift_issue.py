"""`python -m tablekit.review.drift_issue --env ENV --plan DRIFT.json --out BODY.md`: the body of an env's drift issue.

Why an issue: a table changed in the console stays changed until the next pull request happens
to plan that env, and then the reviewer reads it as a side note of an unrelated change. The
nightly drift workflow runs a refresh-only plan of dev and prod and keeps exactly one open issue
per env listing what drifted, found by the marker this body starts with (and its author).

The body lists `resource_drift` of the refresh-only plan with the PR comment's own lines (masked
by the plan's sensitivity marks, escaped, the same security boundary: tablekit.review.comment), those
that matter as in the comment: a normal plan of the same state (`--next-apply`) sets them back. Standard
library only: the workflow renders it without the venv. `--json` prints `{"env", "drifted"}`
on stdout for the step that opens, updates or closes the issue.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from tablekit.errors import UserError
from tablekit.review import redact
from tablekit.review.markdown import Md, checked_url, code, fmt, link, lit, plural
from tablekit.review.views import drift_lines
from tablekit.terraform.plan import Plan

# The hidden first line of an env's drift issue: how the workflow finds its own issue.
MARKERS: dict[str, Md] = {
    "local": lit("<!-- tablekit-drift:local -->"),
    "dev": lit("<!-- tablekit-drift:dev -->"),
    "prod": lit("<!-- tablekit-drift:prod -->"),
}


def render(env: str, refresh_only: Plan, next_apply: Plan, run_url: str | None = None) -> tuple[str, int]:
    """The issue body and the number of drifted resources that matter (0: the env converged).

    A drifted attribute matters as in the PR comment: the next apply (`next_apply`, a normal plan
    of the same state) would set it back, or the configuration reads it. The rest -- values the
    provider merely reads back differently, e.g. GSI capacities of on-demand tables -- is counted
    in one line and keeps no issue open.
    """
    if env not in MARKERS:
        raise UserError(f"--env {env}: choose one of {', '.join(MARKERS)}")
    lines, quiet = drift_lines(refresh_only, next_apply)
    label = code(redact.text(env))
    out: list[Md] = [MARKERS[env], fmt("## Drift in {}", label), lit("")]
    if lines:
        out += [
            fmt(
                "{} changed outside Terraform since the last apply. The next apply of {} sets them back "
                "unless the code is changed to match.",
                plural(len(lines), "resource"),
                label,
            ),
            lit(""),
            *lines,
            lit(""),
        ]
    else:
        out += [fmt("{} matches its state: nothing changed outside Terraform.", label), lit("")]
    if quiet:
        out += [
            fmt("_{} read back with provider-side differences; no action planned._", plural(quiet, "object")),
            lit(""),
        ]
    footer = lit(
        "_Refresh-only plan of the nightly drift workflow; this issue is updated in place and closed "
        "when the env converges._"
    )
    out.append(fmt("{} {}", footer, link(lit("Run"), run_url)) if run_url else footer)
    return "\n".join(out).rstrip() + "\n", len(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tablekit.review.drift_issue", description=__doc__)
    parser.add_argument("--env", required=True)
    parser.add_argument("--plan", required=True, help="`terraform show -json` of a refresh-only plan")
    parser.add_argument(
        "--next-apply", required=True, help="`terraform show -json` of a normal plan: what the next apply sets back"
    )
    parser.add_argument("--out", required=True, help="where to write the issue body")
    parser.add_argument("--run-url", help="URL of the workflow run (linked from the issue)")
    parser.add_argument("--json", action="store_true", help='print {"env", "drifted"} on stdout')
    args = parser.parse_args(argv)
    try:
        run_url = checked_url(args.run_url, "--run-url") if args.run_url else None
        body, drifted = render(args.env, Plan.load(args.plan), Plan.load(args.next_apply), run_url)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(body, encoding="utf-8")
    if args.json:
        print(json.dumps({"env": args.env, "drifted": drifted}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
