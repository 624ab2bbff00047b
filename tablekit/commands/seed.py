"""`tablekit seed ENV` loads seed data; `tablekit synth [ENV]` generates synthetic rows.

tablekit seed local                       # the sets environments.json selects for local
tablekit seed dev --sets reference --family bandup
tablekit seed local --prune --dry-run     # list what prune would delete, write nothing
tablekit synth local --table university --count 100000 [--out rows.jsonl]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from tablekit import cliargs
from tablekit.aws import AWS_WORKERS, LOCAL_WORKERS, clients
from tablekit.endpoint.probes import healthy
from tablekit.endpoint.server import Endpoint
from tablekit.errors import UserError
from tablekit.paths import SEED_DATA
from tablekit.seed import loader, synth
from tablekit.seed.files import write_jsonl
from tablekit.seed.prune import StaleItem
from tablekit.seed.summary import print_summary
from tablekit.seed.validate import resolve_table

if TYPE_CHECKING:
    from tablekit import envs

MAX_WARNINGS = 20


def _context(env: str, endpoint_url: str | None, data_dir: Path | None) -> envs.EnvContext:
    from tablekit import envs  # imported here: `tablekit --help` must not need Terraform

    if env == "local":
        endpoint_url = endpoint_url or Endpoint().url
        if not healthy(endpoint_url):
            raise UserError(
                f"the local endpoint is not answering at {endpoint_url}: start it with `just up` "
                "(or pass --endpoint-url)"
            )
    ctx = envs.context(env, endpoint_url=endpoint_url, data_dir=data_dir)
    envs.require_account(ctx)
    return ctx


def _print_warnings(warnings: list[str]) -> None:
    for line in warnings[:MAX_WARNINGS]:
        print(f"warning: {line}", file=sys.stderr)
    if len(warnings) > MAX_WARNINGS:
        print(f"warning: ... and {len(warnings) - MAX_WARNINGS} more warnings", file=sys.stderr)


def _list_stale(dry_run: bool) -> Callable[[list[StaleItem]], None]:
    def show(stale: list[StaleItem]) -> None:
        verb = "would delete" if dry_run else "deleting"
        if not stale:
            print("prune: every item in the seeded tables is in the seed files; nothing to delete")
        for item in stale:
            print(f"prune: {verb} {item.table} ({item.text})")

    return show


def _seed(args: argparse.Namespace) -> int:
    if args.dry_run and not args.prune:
        print("dry run: validating only, nothing will be written", file=sys.stderr)
    if args.prune and args.env != "local" and args.confirm != args.env and not args.dry_run:
        raise UserError(
            f"--prune deletes items from {args.env} tables that no seed file contains: run it with "
            f"--dry-run first, then add --confirm {args.env}"
        )
    ctx = _context(args.env, args.endpoint_url, args.data_dir)
    try:
        summary = loader.load_env(
            ctx,
            sets=args.sets,
            families=args.family,
            workers=args.workers,
            prune=args.prune,
            dry_run=args.dry_run,
            progress=not args.quiet,
            seed_root=args.seed_dir,
            region=args.region,
            on_stale=_list_stale(args.dry_run),
        )
    finally:
        sys.stdout.flush()
    _print_warnings(summary.warnings)
    if not summary.tables:
        print(f"no seed files for sets {', '.join(summary.sets)} under {args.seed_dir}")
        return 0
    print_summary(summary)
    return 0


def _synth(args: argparse.Namespace) -> int:
    if args.count < 0:
        raise UserError("--count must be 0 or more")
    if args.out is not None:
        schema = None
        if args.table not in synth.GENERATORS:
            tables = loader.tables_of(_context(args.env, args.endpoint_url, args.data_dir))
            real = resolve_table(args.table, tables)
            if real is None:
                raise UserError(
                    f"table {args.table!r} is not declared by env {args.env!r} and has no dedicated "
                    f"generator ({', '.join(synth.GENERATORS)})"
                )
            schema = tables[real]
        written = write_jsonl(args.out, synth.generate(args.table, args.count, args.seed, schema))
        print(f"wrote {written:,} synthetic {args.table} rows (seed {args.seed}) to {args.out}")
        return 0
    if args.env == "prod":
        raise UserError("synthetic rows never go to prod: use --env local or dev, or --out FILE")
    ctx = _context(args.env, args.endpoint_url, args.data_dir)
    tables = loader.tables_of(ctx)
    real = resolve_table(args.table, tables)
    schema = tables.get(real) if real else None
    rows = synth.generate(args.table, args.count, args.seed, schema)
    region = args.region or (ctx.variables or {}).get("region")
    region = str(region) if region else None
    summary = loader.load_rows(
        tables,
        args.table,
        rows,
        clients(ctx.endpoint_url, region),
        workers=args.workers,
        progress=not args.quiet,
        label=f"synth:{args.table}",
    )
    summary.env, summary.sets = ctx.env, [f"synth seed={args.seed}"]
    _print_warnings(summary.warnings)
    print_summary(summary)
    return 0


def _workers(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError("choose between 1 and 64 writer threads")
    return value


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workers",
        type=_workers,
        default=None,
        help=f"parallel writer threads (default {LOCAL_WORKERS} on the local endpoint, {AWS_WORKERS} on AWS)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--endpoint-url", help="DynamoDB endpoint (local default: the tablekit endpoint)")
    parser.add_argument("--region", help="AWS region (default: the env's region variable, AWS_REGION, us-east-1)")
    parser.add_argument("--data-dir", type=Path, help="the env's data directory (default build/envs/ENV)")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cmd = sub.add_parser("seed", help="load the seed sets selected for an env", description=__doc__.split("\n\n")[0])
    cliargs.add_env(cmd)
    cmd.add_argument(
        "--sets",
        nargs="+",
        metavar="SET",
        help="load these sets instead of the env's default (see seed_data/environments.json)",
    )
    cmd.add_argument("--family", action="append", metavar="F", help="only seed_data/F (repeatable)")
    cmd.add_argument(
        "--prune",
        action="store_true",
        help="delete items of the seeded tables that no selected file contains (scans them)",
    )
    cmd.add_argument("--dry-run", action="store_true", help="validate and list; write and delete nothing")
    cmd.add_argument("--confirm", metavar="ENV", help="required to --prune a non-local env: repeat its name")
    cmd.add_argument("--seed-dir", type=Path, default=SEED_DATA, help="seed data root (default seed_data/)")
    _common(cmd)
    cmd.set_defaults(func=_seed)

    gen = sub.add_parser("synth", help="generate deterministic synthetic rows into an env or a .jsonl file")
    cliargs.add_env(gen, default="local", what="env to load into (or whose key schema --out uses)")
    gen.add_argument("--table", required=True, help="table (contract name), e.g. bandup-evaluations, university")
    gen.add_argument("--count", type=int, required=True, help="number of rows")
    gen.add_argument("--seed", type=int, default=0, help="random seed (same seed, same rows)")
    gen.add_argument("--out", type=Path, help="write plain-JSON lines here instead of loading")
    _common(gen)
    gen.set_defaults(func=_synth)
