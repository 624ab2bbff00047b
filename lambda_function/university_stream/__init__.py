"""University stream processor: keeps aggregate items of the `university` table in step with its stream.

The package runs on Lambda (a current Python runtime, python3.13 by default) and in-process under
tablekit's local stream runner. It stays 3.8-compatible because the offline test double,
hashicorp/aws 3.39, deploys it with python3.8 (the newest runtime that provider accepts), and it
needs nothing beyond the standard library at import time (boto3 is only imported by the Lambda
entry point).

Modules:
- ``dynamo``: DynamoDB-JSON <-> Python values (Decimal numbers, never float).
- ``model``: which aggregate counters a base item contributes to (pure functions).
- ``processor``: one batch of stream records -> coalesced, idempotent aggregate writes.
- ``handler``: the Lambda entry point and partial-batch-failure response.
"""

__all__ = ["dynamo", "handler", "model", "processor"]
