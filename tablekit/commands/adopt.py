"""`tablekit adopt ENV [--dry-run]`: import tables that already exist into the env's Terraform state."""

from __future__ import annotations

import argparse
from pathlib import Path

from tablekit import cliargs
from tablekit.endpoint.server import DEFAULT_PORT
from tablekit.operations import adopt


def _run(args: argparse.Namespace) -> int:
    endpoint_url = args.endpoint_url
    if args.env == "local" and endpoint_url is None:
        endpoint_url = f"http://127.0.0.1:{DEFAULT_PORT}"
    report, variables, workdir, data_dir = adopt.adopt_env(
        args.env,
        endpoint_url=endpoint_url,
        dry_run=args.dry_run,
        region=args.region or "us-east-1",
        data_dir=Path(args.data_dir) if args.data_dir else None,
        extra_variables={**cliargs.variables(args.var), **({"region": args.region} if args.region else {})},
        var_files=args.var_file,
    )
    adopt.print_report(report, variables=variables, workdir=workdir, data_dir=data_dir)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "adopt",
        help="import tables the env declares that already exist (terraform import), then show the plan",
        description=(
            "Plans the env, finds every aws_dynamodb_table it would create whose name already exists in the "
            "account (ListTables), and runs `terraform import` for it and for its existing autoscaling targets, "
            "policies and alarms. --dry-run prints the import commands and imports nothing."
        ),
    )
    cliargs.add_env(parser)
    parser.add_argument("--dry-run", action="store_true", help="print the import commands, import nothing")
    cliargs.add_endpoint_url(
        parser,
        f"local: the local endpoint (default http://127.0.0.1:{DEFAULT_PORT}); "
        "dev/prod: adopt on the simulated account at this endpoint (bootstrap-state --account simulated first)",
    )
    parser.add_argument("--region", help="the env's region variable, also where ListTables looks (default us-east-1)")
    parser.add_argument("--data-dir", help="state/plan directory of the env run (default build/envs/ENV)")
    cliargs.add_inputs(parser)
    parser.set_defaults(func=_run)
