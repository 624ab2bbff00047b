"""Local stream runner: reads a table's DynamoDB stream and runs the university handler in-process.

The local endpoint never invokes Lambda functions, so this is the local event-source mapping.
Python API (used by `tablekit stream`, `just stream` and the env `setup`):

- ``drain(table_name, client_factory, ...)`` processes everything currently in the stream and
  returns a ``DrainSummary``;
- ``follow(table_name, client_factory, ...)`` keeps going until Ctrl-C, printing a line per batch;
- ``local_client_factory(endpoint_url)`` builds the boto3 clients for the local endpoint.
"""

from __future__ import annotations

from typing import Any

from tablekit.stream.runner import BatchOutcome, ClientFactory, DrainSummary, Runner, Settings, drain, follow

__all__ = [
    "BatchOutcome",
    "ClientFactory",
    "DrainSummary",
    "Runner",
    "Settings",
    "drain",
    "follow",
    "local_client_factory",
]


def local_client_factory(endpoint_url: str, region: str = "us-east-1") -> ClientFactory:
    """boto3 clients aimed at the local endpoint with its fake credentials."""
    import boto3

    def make(service: str) -> Any:
        return boto3.client(
            service,
            region_name=region,
            endpoint_url=endpoint_url,
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )

    return make
