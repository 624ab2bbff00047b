"""Is something listening, and which API answers there: the probes every endpoint check uses.

Kept apart from tablekit.endpoint.server (which starts and stops engines) so an engine module such as
tablekit.endpoint.dynamodb_local can probe its own URL without importing the module that imports it.
"""

from __future__ import annotations

import socket
import urllib.error
import urllib.request

HOST = "127.0.0.1"
# Any signature is accepted by both engines on loopback; DynamoDB Local only checks one is present.
_PROBE_AUTH = (
    "AWS4-HMAC-SHA256 Credential=test/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0"
)


def port_in_use(port: int, host: str = HOST) -> bool:
    """True when something already listens on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def free_port() -> int:
    """A port the OS considers free right now (for per-test-session endpoints)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def moto_answers(url: str, timeout: float = 1.0) -> bool:
    """True when a moto server answers its management API at url."""
    try:
        with urllib.request.urlopen(f"{url}/moto-api/", timeout=timeout) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def dynamodb_answers(url: str, timeout: float = 1.0) -> bool:
    """True when a DynamoDB API (any engine) answers ListTables at url."""
    request = urllib.request.Request(
        url,
        data=b"{}",
        method="POST",
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "DynamoDB_20120810.ListTables",
            "Authorization": _PROBE_AUTH,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return bool(resp.status == 200 and b"TableNames" in resp.read())
    except (urllib.error.URLError, OSError):
        return False


def healthy(url: str, timeout: float = 1.0) -> bool:
    """True when a local endpoint of either engine answers at url (moto's API, else DynamoDB's)."""
    return moto_answers(url, timeout) or dynamodb_answers(url, timeout)
