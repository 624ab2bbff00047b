"""Seed data pipeline: plain-JSON files -> validated DynamoDB items -> parallel BatchWriteItem.

Modules, one job each: `selection` (which sets load where), `files` (find and read files with line
numbers), `validate` (rows against the env's key schemas, every rule DynamoDB applies to an item),
`writer` (batched, parallel, retried writes), `journal` (the undo journal that rolls a failed run
back), `prune` (find stale items), `synth` (deterministic synthetic rows), `summary` (result +
progress bars), `loader` (the pipeline). Values are converted by `tablekit.dynamodb_json`, clients
made by `tablekit.aws`.

The API `setup` uses:

    from tablekit.seed import load_env
    summary = load_env(ctx)                                   # EnvContext: tables from its outputs, its endpoint
    summary = load_env(tables, aws.clients(url), env="local")  # tests: tables dict + client factory
"""

from tablekit.seed.loader import bulk_factory, load_env, load_rows, tables_of
from tablekit.seed.problems import Problem, SeedRolledBack, SeedValidationError, SeedWriteError
from tablekit.seed.summary import Summary, TableSummary, print_summary
from tablekit.seed.writer import Backoff

__all__ = [
    "Backoff",
    "Problem",
    "SeedRolledBack",
    "SeedValidationError",
    "SeedWriteError",
    "Summary",
    "TableSummary",
    "bulk_factory",
    "load_env",
    "load_rows",
    "print_summary",
    "tables_of",
]
