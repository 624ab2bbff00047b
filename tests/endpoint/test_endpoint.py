"""The managed local endpoint: lifecycle, health, port conflicts, and never killing a stranger."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import pytest

from tablekit.endpoint.probes import free_port, healthy, port_in_use
from tablekit.endpoint.server import Endpoint
from tablekit.errors import UserError


@pytest.fixture
def ep(tmp_path) -> Endpoint:
    endpoint = Endpoint(port=free_port(), state_dir=tmp_path)
    yield endpoint
    endpoint.stop()


def test_start_status_stop_roundtrip(ep: Endpoint) -> None:
    url = ep.start(timeout=60)
    assert healthy(url)
    status = ep.status()
    assert status["managed"] is True and status["healthy"] is True
    assert ep.pidfile.exists() and ep.logfile.exists()
    assert ep.start() == url, "a second start must reuse the running server"
    assert ep.stop() is True
    assert not port_in_use(ep.port)
    assert not ep.pidfile.exists()
    assert ep.stop() is False, "stopping twice is a no-op"


def test_port_taken_by_another_process_is_a_clear_error(ep: Endpoint) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", ep.port))
        blocker.listen(1)
        with pytest.raises(UserError, match=rf"port {ep.port} is already in use.*--port or TABLEKIT_ENDPOINT_PORT"):
            ep.start(timeout=5)
    assert not ep.pidfile.exists(), "a failed start leaves no pidfile behind"


def test_never_stops_a_process_it_did_not_start(ep: Endpoint) -> None:
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        # A pidfile pointing at a live process whose command line is not ours (recycled pid).
        ep.state_dir.mkdir(parents=True, exist_ok=True)
        ep.pidfile.write_text(json.dumps({"pid": stranger.pid, "argv": ["moto_server", "-p", str(ep.port)]}))
        assert ep.stop() is False
        time.sleep(0.1)
        assert stranger.poll() is None, "the unrelated process must still be running"
    finally:
        stranger.kill()
        stranger.wait()


def test_health_timeout_reports_log(ep: Endpoint, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tablekit.endpoint.server.healthy", lambda url, timeout=1.0: False)
    with pytest.raises(UserError, match=r"did not become healthy within 1s; see .*moto-\d+\.log"):
        ep.start(timeout=1)
    assert not ep.pidfile.exists()
    assert not port_in_use(ep.port) or not ep.status()["managed"]


def test_cli_status_exit_code_reflects_health(tmp_path) -> None:
    port = free_port()
    proc = subprocess.run(
        [sys.executable, "-m", "tablekit", "endpoint", "--port", str(port), "status"], capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert "healthy" in proc.stdout and "False" in proc.stdout
