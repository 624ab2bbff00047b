"""The one way the harness talks to AWS (or to a local endpoint that stands in for it): `Clients`.

Why one factory: endpoint, region, credentials and retry policy must agree between the seed
loader, the stream runner, adopt, audit, setup and the tests, or one of them quietly talks to
another account (or fails with "Unable to locate credentials" on a machine without AWS
credentials, because only some factories knew that a local endpoint takes fixed test keys).

- A loopback endpoint (moto, DynamoDB Local) gets the fixed test credentials the Terraform
  provider blocks use too, so both see the same moto account.
- Without an endpoint, boto3's default credential chain and region apply (real AWS).
- Retries: botocore's "standard" mode by default. The seed loader retries throttling itself (to
  count every retry and back off with jitter per batch), so it asks for ``retries=False``.
- Clients are made under one lock from one shared boto3 Session per process: sessions are not
  thread-safe, and a new session re-reads botocore's service models (~0.1-0.2 s of CPU each).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlparse

import boto3
from botocore.config import Config

DEFAULT_REGION = "us-east-1"
LOCAL_CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}

# Writer threads by target. Local: measured with bench/bench_seed.py --sweep on the shared 2-core
# machine (20k university items): 1 worker ~1,580 items/s, 2 ~1,560-1,770, 4 ~1,970-2,350, 8
# ~1,980 -- the endpoint is one Python process, so past ~4 concurrent requests it only queues them.
# AWS is latency-bound and scales out, so more threads help there.
LOCAL_WORKERS = 4
AWS_WORKERS = 8

# What code that needs clients accepts: anything that makes a client from a service name. `Clients`
# is the real one; tests may pass a recording fake.
ClientFactory = Callable[[str], Any]

_SESSION: boto3.session.Session | None = None
_SESSION_LOCK = threading.Lock()


def is_local(endpoint_url: str | None) -> bool:
    """True for a loopback endpoint (the local stand-in for AWS), which takes any credentials."""
    return bool(endpoint_url) and (urlparse(endpoint_url).hostname or "") in _LOOPBACK


def default_region() -> str:
    """AWS_REGION, then AWS_DEFAULT_REGION, then us-east-1 (the envs' default region)."""
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION


def credentials_available() -> bool:
    """Whether boto3's default chain finds credentials (profile, env vars, SSO, instance role)."""
    return boto3.session.Session().get_credentials() is not None


@dataclass(frozen=True)
class Clients:
    """Factory of boto3 clients for one target: ``clients.client("dynamodb")`` or ``clients("sqs")``."""

    endpoint_url: str | None = None
    region: str = DEFAULT_REGION
    retries: bool = True
    pool: int = 10
    connect_timeout: float = 10
    read_timeout: float = 60
    # The seed loader validates every row before the first request; botocore re-walking each item
    # costs ~15% CPU there, so it turns this off. Everyone else keeps botocore's checks.
    validate_params: bool = True
    # Explicit keys (aws_access_key_id, aws_secret_access_key, aws_session_token) instead of the
    # loopback test keys or the default chain: the simulated account's per-env endpoint accounts.
    credentials: tuple[tuple[str, str], ...] = ()

    @property
    def local(self) -> bool:
        return is_local(self.endpoint_url)

    @property
    def default_workers(self) -> int:
        """Parallel writers worth using against this target (see LOCAL_WORKERS / AWS_WORKERS)."""
        return LOCAL_WORKERS if self.local else AWS_WORKERS

    def config(self) -> Config:
        return Config(
            retries={"mode": "standard", "max_attempts": 5}
            if self.retries
            else {"mode": "standard", "total_max_attempts": 1},
            max_pool_connections=self.pool,
            tcp_keepalive=True,
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            parameter_validation=self.validate_params,
        )

    def client(self, service: str, **overrides: Any) -> Any:
        """A new client for `service` (thread-safe; each thread should keep its own client)."""
        global _SESSION
        extra: dict[str, Any] = dict(self.credentials) or (dict(LOCAL_CREDENTIALS) if self.local else {})
        extra.update(overrides)
        config = extra.pop("config", None) or self.config()
        with _SESSION_LOCK:
            if _SESSION is None:
                _SESSION = boto3.session.Session()
            return _SESSION.client(
                service, region_name=self.region, endpoint_url=self.endpoint_url, config=config, **extra
            )

    def __call__(self, service: str) -> Any:
        return self.client(service)

    def dynamodb(self) -> Any:
        return self.client("dynamodb")

    def for_bulk_writes(self, pool: int = 2) -> Clients:
        """The same target tuned for the seed loader: no botocore retries (it retries and counts
        itself), no parameter re-validation (rows are validated first), a small pool per thread."""
        return replace(self, retries=False, validate_params=False, pool=pool)


def clients(
    endpoint_url: str | None = None,
    region: str | None = None,
    *,
    retries: bool = True,
    credentials: Mapping[str, str] | None = None,
) -> Clients:
    """The factory for an endpoint (None = real AWS with the default credential chain); `credentials`
    (boto3 keyword names) override the loopback test keys."""
    return Clients(
        endpoint_url=endpoint_url or None,
        region=region or default_region(),
        retries=retries,
        credentials=tuple(sorted((credentials or {}).items())),
    )


def list_tables(dynamodb: Any) -> list[str]:
    """Every table name a DynamoDB client sees, sorted (ListTables returns at most 100 per page)."""
    names: list[str] = []
    for page in dynamodb.get_paginator("list_tables").paginate():
        names.extend(page.get("TableNames", []))
    return sorted(names)
