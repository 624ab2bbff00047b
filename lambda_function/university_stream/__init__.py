"""University stream processor: keeps aggregate items of the `university` table in step with its stream.

The package runs on Lambda (python3.8, the newest runtime hashicorp/aws 3.39 accepts) and in-process
under tablekit's local stream runner, so it must stay 3.8-compatible and need nothing beyond the
standard library at import time (boto3 is only imported by the Lambda entry point).

Modules:
- ``dynamo``: DynamoDB-JSON <-> Python values (Decimal numbers, never float).
- ``model``: which aggregate counters a base item contributes to (pure functions).
- ``processor``: one batch of stream records -> coalesced, idempotent aggregate writes.
- ``handler``: the Lambda entry point and partial-batch-failure response.
"""

__all__ = ["dynamo", "handler", "model", "processor"]
