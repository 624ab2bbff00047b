"""Upgrade safety commands: `upgrade-check`, `migrate ENV`, `releases` (docs/cli.md)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tablekit import cliargs, envs
from tablekit.endpoint.server import DEFAULT_PORT
from tablekit.errors import UserError
from tablekit.paths import ENV_NAMES, ROOT
from tablekit.upgrade import allowlist, git, migrations, releases, render, upgrade_check


def _env_list(value: str) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in ENV_NAMES]
    if not names or unknown:
        raise UserError(f"--envs {value!r}: list environments separated by commas, from {', '.join(ENV_NAMES)}")
    return list(dict.fromkeys(names))


def _upgrade_check(args: argparse.Namespace) -> int:
    env_names = _env_list(args.envs)
    if args.jobs < 1:
        raise UserError(f"--jobs {args.jobs}: check at least one env at a time")
    prepared = upgrade_check.prepare(
        ROOT,
        args.from_ref,
        allow_file=Path(args.allow) if args.allow else None,
        data_dir=Path(args.data_dir) if args.data_dir else None,
    )
    report = upgrade_check.run(prepared, env_names, jobs=args.jobs)
    render.print_report(report)
    if args.json:
        print(render.dumps(report))
    return render.exit_code(report)


def _migrate(args: argparse.Namespace) -> int:
    changelog = releases.read(ROOT)
    since = None
    if args.from_ref:
        head = git.resolve(ROOT, "HEAD") or ""
        since = releases.resolve_from(ROOT, args.from_ref, head, changelog).commit
    files = migrations.select(ROOT, changelog, since)
    endpoint_url = args.endpoint_url
    if args.env == "local" and endpoint_url is None:
        endpoint_url = f"http://127.0.0.1:{DEFAULT_PORT}"
    ctx = envs.context(
        args.env,
        endpoint_url=endpoint_url,
        data_dir=Path(args.data_dir) if args.data_dir else None,
        account_name="simulated" if args.env != "local" and args.endpoint_url is not None else None,
    )
    tf = envs.init(ctx)
    if not ctx.real:
        # The double (local, simulated account) does not know `moved` blocks: their state moves too.
        moved = migrations.moved_moves(ROOT, args.env, tf.state_list())
        files = [*files, moved] if moved.moves else files
    migrations.migrate(tf, files, ctx.data_dir / "migrate-backups", dry_run=args.dry_run, label=args.env)
    return 0


def _releases(args: argparse.Namespace) -> int:
    changelog = releases.read(ROOT)
    tags = git.tags(ROOT)
    files = migrations.read_all(ROOT)
    rows = []
    for release in changelog.releases:
        if args.untagged and (release.commit is None or release.version in tags):
            continue
        older = [r for r in changelog.releases if r.key < release.key and r.commit is not None]
        rows.append(
            {
                "version": release.version,
                "date": release.date,
                "commit": release.commit,
                "tagged": release.version in tags,
                "migration": f"{migrations.DIRECTORY}/{files[release.version].path.name}"
                if release.version in files
                else None,
                "previous": older[0].version if older else None,
            }
        )
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    if not rows:
        print("no releases" + (" to tag" if args.untagged else ""), file=sys.stderr)
    for row in rows:
        print(
            f"{row['version']:<10} {row['date'] or '':<10} {row['commit'] or releases.PENDING:<40} "
            f"{'tagged' if row['tagged'] else 'untagged':<8} {row['migration'] or ''}"
        )
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    check = sub.add_parser(
        "upgrade-check",
        help="plan this tree against the applied, seeded state of a previous release; fail on data loss",
        description=(
            "Exports REF from git, applies its envs to a fresh local endpoint each (dev/prod on the simulated "
            "account), seeds them, "
            "records an item count and content hash per table, applies the migrations shipped since REF, plans "
            "this tree against that state and reports every destroy/replace with its reason. A destroy or "
            "replacement of a data-bearing resource, or an address change without its migration, fails unless "
            f"{allowlist.ALLOW_FILE} allows it with a reason; otherwise the plan is applied and every seeded item "
            "is checked. Exit 0 passed, 1 failed, 2 bad input."
        ),
    )
    check.add_argument(
        "--from",
        dest="from_ref",
        default=releases.LAST_RELEASE,
        metavar="REF",
        help=f"the commit, tag or CHANGELOG version to upgrade from (default {releases.LAST_RELEASE}: "
        "the newest release recorded in CHANGELOG.md before HEAD)",
    )
    check.add_argument("--envs", default=",".join(ENV_NAMES), metavar="E,…", help="environments to check (default all)")
    check.add_argument(
        "--jobs", type=int, default=len(ENV_NAMES), metavar="N", help="envs checked side by side (default all)"
    )
    check.add_argument("--allow", metavar="FILE", help=f"the reviewed allow file (default {allowlist.ALLOW_FILE})")
    check.add_argument("--data-dir", help="where states, plans and logs go (default build/upgrade-check)")
    cliargs.add_json(check, "the report")
    check.set_defaults(func=_upgrade_check)

    migrate = sub.add_parser(
        "migrate",
        help="apply the state moves (migrations/) the releases ship to an env's state; dry-run list first",
        description=(
            "Simulates every `terraform state mv` line of migrations/ against the env's state and prints what "
            "would move, then backs the state up and moves. Lines whose source is not in the state are skipped, "
            "so re-running is safe; a line whose source and destination both exist stops the run before any move."
        ),
    )
    cliargs.add_env(migrate)
    migrate.add_argument("--dry-run", action="store_true", help="print what would move, move nothing")
    migrate.add_argument(
        "--from",
        dest="from_ref",
        metavar="REF",
        help="the release the env runs now: apply only the migrations shipped after it (default: all of them)",
    )
    cliargs.add_endpoint_url(
        migrate,
        f"local: the local endpoint (default http://127.0.0.1:{DEFAULT_PORT}); "
        "dev/prod: migrate the simulated account's state at this endpoint (or set TABLEKIT_ACCOUNT)",
    )
    migrate.add_argument("--data-dir", help="state directory of the env run (default build/envs/ENV)")
    migrate.set_defaults(func=_migrate)

    listing = sub.add_parser("releases", help="the releases CHANGELOG.md records, their commits and tags")
    listing.add_argument("--untagged", action="store_true", help="only recorded releases that have no git tag yet")
    cliargs.add_json(listing, "the releases")
    listing.set_defaults(func=_releases)
