"""`tablekit lint`: terraform fmt check + the checkov policy gate (source dirs and every env's plan).

Plans come from `tablekit.envs.plan` (local against a throwaway endpoint this command starts and
stops) unless given with `--plan ENV=FILE`, which is also the way to gate plans made
elsewhere (e.g. dev/prod plans produced by CI with real credentials).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Sequence

from rich.console import Console
from rich.table import Table

from tablekit import cliargs
from tablekit.errors import UserError
from tablekit.paths import BUILD, ENV_NAMES, ENVS, MODULES, ROOT
from tablekit.review import policy, policy_gate
from tablekit.terraform.runner import Terraform


def default_dirs() -> list[Path]:
    """modules/ as one scan, and each environment as its own scan.

    Each env is a separate root with the same resource addresses as the others
    (module.estate.module.…); checkov keys results by address, so one scan of envs/ would merge
    local, dev and prod into one set of findings and lose most of them.
    """
    return [MODULES, *(ENVS / env for env in ENV_NAMES if (ENVS / env).is_dir())]


def fmt_check(dirs: Sequence[Path]) -> list[str]:
    """Files `terraform fmt -check` would rewrite (empty = all formatted)."""
    existing = [str(directory) for directory in dirs if directory.exists()]
    return Terraform(ROOT).fmt_check(*existing) if existing else []


def plan_envs(envs: Sequence[str], out_dir: Path, data_root: Path = BUILD / "lint") -> dict[str, Path]:
    """Plan each env with tablekit.envs against one throwaway local endpoint; returns env -> plan JSON.

    dev and prod are planned on the simulated account (their real S3 backend and provider blocks,
    aimed at the endpoint; prod with its committed example inputs) and in full, replicas included,
    so the gate needs no AWS account and sees what a real account would apply. Every env gets its
    own data directory under build/lint/, never the developer's build/envs/<env> state.
    """
    from tablekit import envs as envs_mod  # owned by another capability: imported only when planning
    from tablekit.endpoint.probes import free_port
    from tablekit.endpoint.server import Endpoint

    plans: dict[str, Path] = {}
    endpoint = Endpoint(port=free_port(), state_dir=data_root / "endpoint")
    endpoint.start(timeout=60)
    try:
        for env in envs:
            data_dir = data_root / env
            if data_dir.exists():
                shutil.rmtree(data_dir)  # a fresh, empty state: the plan shows every resource
            out = out_dir / f"plan-{env}.json"
            try:
                ctx = envs_mod.on_endpoint(env, endpoint.url, data_dir)
                envs_mod.plan(ctx, out, full=True)
            except UserError as exc:
                raise UserError(
                    f"could not plan env {env!r} on the simulated account ({exc}); "
                    f"give its plan with --plan {env}=FILE "
                    f"or leave it out with --envs"
                ) from exc
            plans[env] = out
    finally:
        endpoint.stop()
    return plans


def _print_gate(console: Console, gate: policy_gate.GateResult, fmt_stale: Sequence[str]) -> None:
    summary = Table(title="checkov policy gate", show_lines=False)
    for col in ("scan", "framework", "passed", "failed", "skipped", "parse errors", "status"):
        summary.add_column(col)
    for scan in gate.scans:
        status = "[green]ok[/]" if scan.ok else ("[red]crashed[/]" if scan.crashed else "[red]FAIL[/]")
        summary.add_row(
            scan.name,
            scan.framework,
            str(scan.passed),
            str(len(scan.failed)),
            str(len(scan.skipped)),
            str(scan.parsing_errors),
            status,
        )
    console.print(summary)
    failed = [(scan.name, f) for scan in gate.scans for f in scan.failed]
    if failed:
        table = Table(title="failed checks")
        for col in ("scan", "check", "resource", "file", "what"):
            table.add_column(col, overflow="fold")
        for name, f in failed:
            table.add_row(name, f.check_id, f.resource, f.where(), f.check_name)
        console.print(table)
    for scan in gate.scans:
        for f in scan.unreasoned_skips:
            console.print(
                f"[red]skip without reason[/] {f.check_id} on {f.resource} ({f.where()}): "
                f"write `#checkov:skip={f.check_id}:<why>`"
            )
        if scan.crashed:
            console.print(f"[red]checkov crashed on {scan.name}[/] (exit {scan.returncode}):\n{scan.stderr}")
    for problem in gate.config_problems:
        console.print(f"[red]config[/] {problem}")
    for env, problems in gate.wiring_problems.items():
        for problem in problems:
            console.print(f"[red]customer-managed key[/] plan-{env}: {problem}")
    for path in fmt_stale:
        console.print(f"[red]not formatted[/] {path} (run `terraform fmt -recursive`)")
    if gate.sarif:
        console.print(f"reports: {gate.sarif} , {gate.junit}")


def _run(args: argparse.Namespace) -> int:
    # Wide tables in CI logs (no terminal to measure); a terminal keeps its own width.
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 200)
    dirs = [Path(d) for d in args.dir] if args.dir else default_dirs()
    plans = cliargs.env_files(args.plan, "--plan")  # bad input stops before any check runs
    fmt_stale = [] if args.skip_fmt else fmt_check(dirs)
    if args.fmt_only:
        for path in fmt_stale:
            print(f"not formatted: {path} (run `just fmt`)")
        print("terraform fmt: ok" if not fmt_stale else "terraform fmt: files need formatting")
        return 1 if fmt_stale else 0
    report_dir = Path(args.report_dir)
    if not args.no_plans:
        wanted = [e for e in (args.envs.split(",") if args.envs else ENV_NAMES) if e and e not in plans]
        unknown = [e for e in wanted if e not in ENV_NAMES]
        if unknown:
            raise UserError(f"--envs: unknown environment(s) {', '.join(unknown)}; choose from {', '.join(ENV_NAMES)}")
        wanted = [e for e in wanted if (ENVS / e).is_dir()]
        if wanted:
            plan_dir = report_dir / "plans"
            plan_dir.mkdir(parents=True, exist_ok=True)
            plans.update(plan_envs(wanted, plan_dir))
    # An env's plan was made from modules/ + envs/<env>: look up inline skips there only (the
    # three envs share resource addresses, and checkov matches skips by address).
    plan_roots = {env: [MODULES, ENVS / env] for env in plans if (ENVS / env).is_dir()}
    gate = policy_gate.run_gate(dirs, plans, report_dir=report_dir, plan_roots=plan_roots)
    _print_gate(console, gate, fmt_stale)
    ok = gate.ok and not fmt_stale
    console.print("[green]policy gate passed[/]" if ok else "[red]policy gate failed[/]")
    return 0 if ok else 1


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "lint", help="terraform fmt check + checkov policy gate (dirs and env plans)", description=__doc__
    )
    parser.add_argument(
        "--dir",
        action="append",
        metavar="DIR",
        help="Terraform directory to scan (repeatable; default: modules/ and each envs/<env>)",
    )
    parser.add_argument(
        "--plan",
        action="append",
        default=[],
        metavar="ENV=FILE",
        help="gate this plan JSON (`terraform show -json`) instead of planning ENV",
    )
    parser.add_argument("--envs", help=f"comma-separated envs to plan (default: {','.join(ENV_NAMES)})")
    parser.add_argument("--no-plans", action="store_true", help="only the static directory scan")
    parser.add_argument("--skip-fmt", action="store_true", help="do not run terraform fmt -check")
    parser.add_argument("--fmt-only", action="store_true", help="only terraform fmt -check (no checkov)")
    parser.add_argument(
        "--report-dir", default=str(policy.REPORT_DIR), help="where SARIF/JUnit/JSON reports go (default build/reports)"
    )
    parser.set_defaults(func=_run)
