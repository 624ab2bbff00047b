"""Lambda entry point: ``university_stream.handler.lambda_handler``.

Environment:
- ``TABLE_NAME``: the table whose aggregate items are maintained (required).
- ``BATCH_FAILURE_MODE``: ``report`` (default, what modules/university sets) returns
  ``{"batchItemFailures": [...]}``, the contract of an event-source mapping with
  ``FunctionResponseTypes = ["ReportBatchItemFailures"]``: Lambda retries from the first failed
  record instead of the whole batch. The mapping keeps bisect-on-error, bounded retries and the
  on-failure destination as the safety net for crashes and records that keep failing.
  ``raise`` applies every good record, then raises when any record failed: the mode for a mapping
  without partial batch responses, where Lambda would ignore a returned list and checkpoint past
  the failures. Retries are safe either way: the processor is idempotent (see ``processor``).
- ``IDEMPOTENCY_HORIZON_SECONDS``: how long applied-record marks are kept (default 172800).
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any, Dict, Mapping, Optional, Tuple

from .processor import DEFAULT_HORIZON_SECONDS, BatchReport, process_records

LOG = logging.getLogger("university_stream")
LOG.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

REPORT = "report"
RAISE = "raise"

_CLIENT: Any = None


class BatchFailed(RuntimeError):
    """Raised in ``raise`` mode so the event-source mapping bisects and retries the batch."""

    def __init__(self, failed: list[str]):
        super().__init__(f"{len(failed)} record(s) failed: {', '.join(failed[:10])}")
        self.failed = failed


def process_event(
    event: Mapping[str, Any],
    db: Any,
    table_name: str,
    failure_mode: str = REPORT,
    now: Optional[int] = None,
    horizon: int = DEFAULT_HORIZON_SECONDS,
) -> Tuple[Dict[str, Any], BatchReport]:
    """Apply one Lambda stream event; returns (Lambda response, report). The local runner calls this."""
    if failure_mode not in (REPORT, RAISE):
        raise ValueError(f"BATCH_FAILURE_MODE must be {REPORT!r} or {RAISE!r}, got {failure_mode!r}")
    report = process_records(event.get("Records") or [], db, table_name, now=now, horizon=horizon)
    LOG.info(json.dumps({"batch": report.as_dict()}))
    if report.failed and failure_mode == RAISE:
        raise BatchFailed(report.failed)
    return {"batchItemFailures": [{"itemIdentifier": seq} for seq in report.failed]}, report


def _client() -> Any:
    """One DynamoDB client per container (boto3 ships with the Lambda runtime)."""
    global _CLIENT
    if _CLIENT is None:
        import boto3

        _CLIENT = boto3.client("dynamodb")
    return _CLIENT


def lambda_handler(event: Mapping[str, Any], context: Any) -> Dict[str, Any]:
    """Lambda entry point for the DynamoDB stream event-source mapping."""
    response, _report = process_event(
        event,
        _client(),
        os.environ["TABLE_NAME"],
        failure_mode=os.environ.get("BATCH_FAILURE_MODE", REPORT),
        horizon=int(os.environ.get("IDEMPOTENCY_HORIZON_SECONDS", DEFAULT_HORIZON_SECONDS)),
    )
    return response
