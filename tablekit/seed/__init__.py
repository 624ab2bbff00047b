"""Seed data pipeline: plain-JSON files -> validated DynamoDB items -> parallel BatchWriteItem.

Modules, one job each: `selection` (which sets load where), `files` (find and read files with line
numbers), `convert` (plain JSON <-> AttributeValue, item size), `validate` (rows against the env's
key schemas), `writer` (batched, parallel, retried writes), `prune` (find stale items), `synth`
(deterministic synthetic rows), `summary` (result + progress bars), `loader` (the pipeline).

The API `setup` uses:

    from tablekit.seed import load_env
    summary = load_env(ctx)                 # EnvContext: tables from its outputs, its endpoint
    summary = load_env(tables, client, env="local")   # tests: tables dict + client factory
"""

from tablekit.seed.clients import AWS_WORKERS, LOCAL_WORKERS, Clients, client_factory
from tablekit.seed.loader import load_env, load_rows, tables_of
from tablekit.seed.problems import Problem, SeedValidationError, SeedWriteError
from tablekit.seed.summary import Summary, TableSummary, print_summary
from tablekit.seed.writer import Backoff

__all__ = [
    "AWS_WORKERS",
    "LOCAL_WORKERS",
    "Backoff",
    "Clients",
    "Problem",
    "SeedValidationError",
    "SeedWriteError",
    "Summary",
    "TableSummary",
    "client_factory",
    "load_env",
    "load_rows",
    "print_summary",
    "tables_of",
]
