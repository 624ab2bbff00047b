"""`tablekit stream`: run the university stream handler over a table's stream on the local endpoint.

Locally nothing invokes the Lambda function (the endpoint cannot), so this is how aggregates stay
current while you edit data: it follows the stream until Ctrl-C and prints one line per batch.
`--once` drains what is there and exits (what `setup` does after seeding).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from tablekit import aws, cliargs
from tablekit.endpoint.server import DEFAULT_PORT
from tablekit.errors import UserError


def _wiring(args: argparse.Namespace) -> tuple[str, str | None, str | None]:
    """(table name, DLQ URL, processor function): flags win, else the env's `university` output,
    else the contract name. The function's IDEMPOTENCY_HORIZON_SECONDS bounds safe replays."""
    if args.table:
        return args.table, args.dlq_url, None
    try:
        from tablekit import envs

        outputs = envs.outputs(envs.context(args.env, endpoint_url=args.endpoint_url))
    except UserError:
        if args.env != "local":
            raise  # a real account's missing toolchain, credentials or backend: say so, never guess
        outputs = {}
    except (ImportError, OSError, ValueError):
        outputs = {}
    wiring = outputs.get("university") or {}
    if not isinstance(wiring, dict) or not wiring.get("table_name"):
        if args.env != "local":
            raise UserError(f"no university outputs in the {args.env} state: pass --table (and --dlq-url)")
        return "university", args.dlq_url, None
    function = wiring.get("function_name")
    return str(wiring["table_name"]), args.dlq_url or wiring.get("dlq_url"), str(function) if function else None


def _clients(endpoint_url: str) -> aws.Clients:
    return aws.clients(endpoint_url)


def _run(args: argparse.Namespace) -> int:
    from tablekit import envs
    from tablekit.stream import drain, follow
    from tablekit.stream.checkpoint import checkpoint_dir

    table, dlq_url, function_name = _wiring(args)
    # The env's own checkpoint (the one `setup` drains with), unless told otherwise.
    checkpoints = Path(args.checkpoint_dir) if args.checkpoint_dir else checkpoint_dir(envs.context(args.env).data_dir)
    options = {
        "batch_size": args.batch_size,
        "max_retries": args.max_retries,
        "dlq_url": dlq_url,
        "from_start": args.from_start,
        "checkpoint_dir": checkpoints,
        "function_name": function_name,
        "progress": True,
        "out": print,
    }
    try:
        if args.once:
            summary = drain(table, _clients(args.endpoint_url), on_batch=lambda batch: print(batch.line()), **options)
            print(json.dumps(summary.as_dict(), indent=2))
        else:
            follow(table, _clients(args.endpoint_url), poll_seconds=args.poll, **options)
    except Exception as exc:  # botocore's EndpointConnectionError etc.: say what to do
        if type(exc).__name__ in {"EndpointConnectionError", "ConnectionClosedError"}:
            raise UserError(
                f"cannot reach the local endpoint at {args.endpoint_url}: start it with `just up`"
            ) from None
        raise
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("stream", help="follow a table's stream locally and run the university handler on it")
    cliargs.add_env(parser, default="local", what="env whose `university` outputs name the table and DLQ")
    cliargs.add_endpoint_url(parser, "local endpoint URL", default=f"http://127.0.0.1:{DEFAULT_PORT}")
    parser.add_argument("--table", help="table name (default: from the env outputs, else `university`)")
    parser.add_argument("--dlq-url", help="SQS queue for records that keep failing (default: from the env outputs)")
    parser.add_argument("--once", action="store_true", help="drain what is in the stream now, print a summary, exit")
    parser.add_argument(
        "--from-start",
        action="store_true",
        help="read the stream from its oldest record again (replays within the processor's idempotency horizon are "
        "skipped; older ones rebuild the aggregates from the table)",
    )
    parser.add_argument("--batch-size", type=int, default=100, help="records per handler call (default 100)")
    parser.add_argument("--max-retries", type=int, default=2, help="retries of a failing record before the DLQ")
    parser.add_argument("--poll", type=float, default=1.0, help="seconds between polls when following")
    parser.add_argument(
        "--checkpoint-dir", help="where checkpoints live (default: the env's, build/envs/ENV/stream, shared with setup)"
    )
    parser.set_defaults(func=_run)
