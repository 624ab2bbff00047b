"""Local stream runner: reads a table's DynamoDB stream and runs the university handler in-process.

The local endpoint never invokes Lambda functions, so this is the local event-source mapping.
Python API (used by `tablekit stream`, `just stream` and the env `setup`):

- ``drain(table_name, clients, ...)`` processes everything currently in the stream and returns a
  ``DrainSummary``;
- ``follow(table_name, clients, ...)`` keeps going until Ctrl-C, printing a line per batch.

`clients` is a ``tablekit.aws.ClientFactory`` (``tablekit.aws.clients(endpoint_url)``).
"""

from __future__ import annotations

from tablekit.stream.runner import BatchOutcome, DrainSummary, Runner, Settings, drain, follow

__all__ = ["BatchOutcome", "DrainSummary", "Runner", "Settings", "drain", "follow"]
