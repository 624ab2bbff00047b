"""boto3 DynamoDB clients for the loader: one per writer thread, made by a factory.

Why a factory and not a client: the loader runs several writer threads and keeps one client
(and connection pool) per thread, so a slow or retrying batch never queues behind another thread's
request. The writer calls the factory under a lock, so any factory may share one boto3 Session
(sessions are not thread-safe; creating clients from one session one at a time is, and reuses its
loaded service model).

botocore's own retries are off: the loader retries throttling itself with full-jitter backoff and
counts every retry for the summary; two layers of retries would hide throttling and multiply waits.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Callable
from urllib.parse import urlparse

import boto3
from botocore.config import Config

ClientFactory = Callable[[], Any]
DEFAULT_REGION = "us-east-1"
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def is_local(endpoint_url: str | None) -> bool:
    """True for a loopback endpoint (the moto server), which takes any credentials."""
    return bool(endpoint_url) and (urlparse(endpoint_url).hostname or "") in _LOOPBACK


def client_config(pool: int = 2) -> Config:
    return Config(
        retries={"mode": "standard", "total_max_attempts": 1},
        max_pool_connections=pool,
        tcp_keepalive=True,
        connect_timeout=10,
        read_timeout=60,
        # Rows are validated before any request; botocore re-walking every item costs ~15% CPU.
        parameter_validation=False,
    )


# Writer threads by target. Local: measured with bench/bench_seed.py --sweep and repeated runs on the
# shared 2-core machine (20k university items): 1 worker ~1,580 items/s, 2 ~1,560-1,770, 4 ~1,970-2,350,
# 8 ~1,980. moto is one Python process, so past ~4 concurrent requests it only queues them. AWS: the
# service is latency-bound and scales out, so more threads help (not measurable here).
LOCAL_WORKERS = 4
AWS_WORKERS = 8


# One boto3 Session per process: a new Session re-reads botocore's service model and endpoint data
# (~0.1-0.2 s of CPU), which dominates a small seed run. Sessions are not thread-safe, so every
# client is made under this lock.
_SESSION: boto3.session.Session | None = None
_SESSION_LOCK = threading.Lock()


class Clients:
    """Callable factory of DynamoDB clients for one endpoint; knows the endpoint to pick a worker count."""

    def __init__(self, endpoint_url: str | None = None, region: str | None = None):
        self.endpoint_url = endpoint_url
        self.region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
        # The local endpoint gets the same fixed test credentials as the Terraform provider block, so
        # both talk to the same moto account.
        self._extra = {"aws_access_key_id": "test", "aws_secret_access_key": "test"} if is_local(endpoint_url) else {}

    def __call__(self) -> Any:
        global _SESSION
        with _SESSION_LOCK:
            if _SESSION is None:
                _SESSION = boto3.session.Session()
            return _SESSION.client(
                "dynamodb",
                region_name=self.region,
                endpoint_url=self.endpoint_url,
                config=client_config(),
                **self._extra,
            )

    @property
    def default_workers(self) -> int:
        return LOCAL_WORKERS if is_local(self.endpoint_url) else AWS_WORKERS


def client_factory(endpoint_url: str | None = None, region: str | None = None) -> Clients:
    """Factory of DynamoDB clients for an endpoint (None = real AWS with the default credential chain)."""
    return Clients(endpoint_url, region)


def default_workers(factory: Any) -> int:
    """Worker threads for a factory: by its endpoint when known, else the local figure (tests' fakes)."""
    return getattr(factory, "default_workers", LOCAL_WORKERS)
