"""The seed pipeline end to end: select sets, read files, validate everything, then write (and prune).

The all-or-nothing rule: every file of the run is read and every row validated before the first
request. Any problem anywhere (bad JSON, unknown table, missing key, ...) aborts the whole run with
all problems listed and nothing written to any table. Loading the valid tables and skipping the bad
one would leave an environment whose tables disagree with each other (an enrollment without its
course), which is worse than an error that costs one re-run.

Validation mirrors what DynamoDB itself rejects (proven against DynamoDB Local in
tests/conformance), so a write-time rejection is a bug, not a normal outcome. Should one happen
anyway -- or throttling outlast the retries, or Ctrl-C -- the run's undo journal puts every key it
wrote back as it was (tablekit.seed.journal) and the error lists what was rolled back.

Entry points: `load_env` (an env's seed sets, used by `tablekit seed ENV` and `setup`) and
`load_rows` (any rows for one table, used by `tablekit synth` and the benchmark). Both take
the key schemas as the env's `tables` output and a client factory, so tests need no Terraform.
"""

from __future__ import annotations

import difflib
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence

from tablekit import aws
from tablekit.dynamodb_json import Item
from tablekit.errors import UserError
from tablekit.paths import BUILD, SEED_DATA
from tablekit.seed.files import Row, discover, read_rows
from tablekit.seed.journal import Journal
from tablekit.seed.problems import Origin, SeedRolledBack, SeedValidationError
from tablekit.seed.prune import StaleItem, stale_items
from tablekit.seed.selection import load_selection
from tablekit.seed.summary import Summary, TableSummary, progress_bars
from tablekit.seed.validate import TablePlan, Validation, add_rows, resolve_table, validate
from tablekit.seed.writer import Backoff, ClientFactory, Writer, delete_requests, put_requests

if TYPE_CHECKING:
    from tablekit.envs import EnvContext

Tables = Mapping[str, Mapping[str, Any]]
StaleCallback = Callable[[list[StaleItem]], None]
# Where the requests that would finish an interrupted rollback are saved.
UNDO_DIR = BUILD / "seed"
# The loader takes the project's client factory (tablekit.aws.Clients) or, in tests, any zero-argument
# callable returning a DynamoDB client.
ClientSource = aws.Clients | ClientFactory


def bulk_factory(client: ClientSource) -> tuple[ClientFactory, int]:
    """(zero-argument DynamoDB client factory, default writer threads) for a client source.

    `aws.Clients` gets the loader's settings (`for_bulk_writes`: no botocore retries, no parameter
    re-validation); a plain callable (a test's fake) is used as it is.
    """
    if isinstance(client, aws.Clients):
        bulk = client.for_bulk_writes()
        return bulk.dynamodb, bulk.default_workers
    return client, int(getattr(client, "default_workers", aws.LOCAL_WORKERS))


def tables_of(ctx: EnvContext) -> dict[str, dict[str, Any]]:
    """The env's `tables` output (real name -> key_schema); a clear error when the env is not applied."""
    from tablekit import envs  # imported here: the seed package stays importable without Terraform

    tables = envs.outputs(ctx).get("tables")
    if not tables:
        raise UserError(
            f"env {ctx.env!r} has no `tables` output: apply it first (`just setup` or `tablekit setup {ctx.env}`)"
        )
    if not isinstance(tables, Mapping):
        raise UserError(f"env {ctx.env!r}: its `tables` output is not a map of table name => key schema")
    return {str(name): dict(schema) for name, schema in tables.items()}


def _unpack(
    target: EnvContext | Tables, client: ClientSource | None, env: str | None, region: str | None
) -> tuple[Tables, ClientSource | None, str | None]:
    if isinstance(target, Mapping):
        return target, client, env
    ctx = target
    region = region or (ctx.variables or {}).get("region")  # type: ignore[assignment]
    # The env's own account: the endpoint's (local, simulated account) or AWS.
    return tables_of(ctx), client or ctx.clients(region), env or ctx.env


def load_env(
    target: EnvContext | Tables,
    client: ClientSource | None = None,
    sets: Sequence[str] | None = None,
    *,
    env: str | None = None,
    families: Sequence[str] | None = None,
    workers: int | None = None,
    prune: bool = False,
    dry_run: bool = False,
    progress: bool = False,
    seed_root: Path = SEED_DATA,
    backoff: Backoff | None = None,
    name_prefix: str | None = None,
    region: str | None = None,
    on_stale: StaleCallback | None = None,
) -> Summary:
    """Load an environment's seed sets; returns the Summary (raises SeedValidationError before any write).

    target      an EnvContext (tables from its Terraform outputs, client from its endpoint) or the
                `tables` dict itself (then pass `client` and `env` or `sets`)
    client      `tablekit.aws.clients(endpoint_url, region)`, or a zero-argument factory of DynamoDB clients
                (called once per writer thread)
    workers     writer threads; default 4 on the local endpoint, 8 on AWS (aws.LOCAL_WORKERS, AWS_WORKERS)
    sets        override the env's default sets (each must be allowed in env by environments.json)
    families    only these seed_data/<family> directories
    prune       delete items of the seeded tables that no selected file contains (Scan; lists first)
    dry_run     validate and list, write nothing
    on_stale    called with the items prune will delete, before deleting (the CLI prints them)
    """
    tables, client, env = _unpack(target, client, env, region)
    seed_root = Path(seed_root)
    selection = load_selection(seed_root)
    if env is not None:
        chosen = selection.sets_for(env, sets)
        if prune and set(chosen) != set(selection.defaults[env]):
            raise UserError(
                f"--prune deletes every item no selected file contains, so it must see every set "
                f"{env!r} loads ({', '.join(selection.defaults[env])}); drop --sets when pruning"
            )
    elif sets:
        chosen = list(sets)
    else:
        raise UserError("load_env needs an env name (for its default sets) or explicit sets")
    started = time.perf_counter()
    seed_files, warnings = discover(seed_root, chosen, selection.set_names, families)
    read = []
    problems = []
    for seed_file in seed_files:
        rows, file_problems = read_rows(seed_file.path)
        problems.extend(file_problems)
        read.append((seed_file, rows))
    validation = validate(tables, read, env=env, name_prefix=name_prefix)
    validation.problems[:0] = problems
    validation.warnings[:0] = warnings
    summary = Summary(env=env, sets=chosen, dry_run=dry_run, pruned=prune)
    for plan in validation.tables.values():
        summary.tables.append(TableSummary(plan.name, len(plan.items), files=len(plan.files)))
    _finish(validation, summary, client, workers, prune, dry_run, progress, backoff, on_stale)
    summary.seconds = time.perf_counter() - started
    return summary


def load_rows(
    tables: Tables,
    table: str,
    rows: Iterable[Mapping[str, Any]],
    client: ClientSource | None,
    *,
    workers: int | None = None,
    dry_run: bool = False,
    progress: bool = False,
    backoff: Backoff | None = None,
    label: str = "rows",
) -> Summary:
    """Validate and write plain rows (e.g. from `synth.generate`) into one declared table.

    Same rules as files: the table must be declared in `tables`, every row is validated first, and
    any invalid row means nothing is written. `label` names the source in errors (`<label>:<row>`).
    """
    started = time.perf_counter()
    real = resolve_table(table, tables)
    if real is None:
        close = difflib.get_close_matches(table, list(tables), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise UserError(
            f"table {table!r} is not declared by the environment{hint}; declared: {', '.join(sorted(tables)) or 'none'}"
        )
    validation = Validation()
    plan = validation.tables[real] = TablePlan(name=real, schema=tables[real])
    source = Path(label)
    add_rows(plan, (Row(Origin(source, number), dict(row)) for number, row in enumerate(rows, start=1)), validation)
    summary = Summary(env=None, sets=[label], dry_run=dry_run)
    summary.tables.append(TableSummary(real, len(plan.items), files=1))
    _finish(validation, summary, client, workers, False, dry_run, progress, backoff, None)
    summary.seconds = time.perf_counter() - started
    return summary


def _finish(
    validation: Validation,
    summary: Summary,
    client: ClientSource | None,
    workers: int | None,
    prune: bool,
    dry_run: bool,
    progress: bool,
    backoff: Backoff | None,
    on_stale: StaleCallback | None,
) -> None:
    """Raise on any problem; otherwise list stale items, then write and delete (unless dry run)."""
    summary.warnings.extend(validation.warnings)
    if validation.problems:
        raise SeedValidationError(validation.problems)
    if client is None:
        if prune or not dry_run:
            raise UserError("no DynamoDB client given: pass client=tablekit.aws.clients(endpoint_url, region)")
        return
    factory, default_workers = bulk_factory(client)
    plans = validation.tables
    if prune:
        scanner = factory()
        for plan in plans.values():
            stale = stale_items(scanner, plan)
            summary.stale.extend(stale)
            summary.table(plan.name).pruned = len(stale)
        if on_stale is not None:
            on_stale(summary.stale)
    if dry_run:
        return
    workers = workers or default_workers
    backoff = backoff or Backoff()
    journal = Journal({name: plan.key_names for name, plan in plans.items()})
    # Shared envs never overwrite a live row (tablekit.seed.writer: if_absent); local converges.
    if_absent = {name: plan.key_names[0] for name, plan in plans.items()} if summary.env not in (None, "local") else {}
    writer = Writer(factory, workers=workers, backoff=backoff, journal=journal, if_absent=if_absent)
    try:
        _write(writer, journal, factory, plans, summary, progress)
    except (Exception, KeyboardInterrupt) as exc:
        if not journal.written_keys:
            raise
        undo = Writer(factory, workers=workers, backoff=backoff)
        report = journal.rollback(undo.run, UNDO_DIR)
        summary.journal_reads = journal.reads
        raise SeedRolledBack(_cause(exc), report) from exc
    summary.journal_reads = journal.reads


def _write(
    writer: Writer,
    journal: Journal,
    factory: ClientFactory,
    plans: Mapping[str, TablePlan],
    summary: Summary,
    progress: bool,
) -> None:
    """The write phase of a run: puts, then prune deletes; every key is journaled before its batch."""
    totals = {name: len(plan.items) for name, plan in plans.items() if plan.items}
    journal.probe_empty(factory(), list(totals))
    with progress_bars(totals, enabled=progress) as advance:
        writer.on_progress = advance
        stats = writer.run({name: put_requests(plan.items.values()) for name, plan in plans.items()})
    for name, table_stats in stats.items():
        row = summary.table(name)
        row.items, row.seconds, row.retries = (
            table_stats.items + table_stats.unchanged + table_stats.skipped,
            table_stats.seconds,
            table_stats.retries,
        )
        row.unchanged = table_stats.unchanged
        row.skipped = table_stats.skipped
    if summary.stale:
        by_table: dict[str, list[Item]] = {}
        for item in summary.stale:
            by_table.setdefault(item.table, []).append(item.key)
        writer.on_progress = None
        deleted = writer.run({name: delete_requests(keys) for name, keys in by_table.items()})
        for name, table_stats in deleted.items():
            row = summary.table(name)
            row.pruned = table_stats.items
            row.retries += table_stats.retries


def _cause(exc: BaseException) -> str:
    """One line on what stopped the run."""
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted (Ctrl-C)"
    if isinstance(exc, UserError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
