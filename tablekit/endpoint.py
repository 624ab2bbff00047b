"""The local AWS endpoint: moto's server, started and stopped by the project.

Why a pidfile with a command-line check: `stop` must never kill a process the project did not
start, even if the pid was recycled after a reboot. We record pid, port and our exact argv, and
only signal a live process whose /proc cmdline still matches.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tablekit.errors import UserError
from tablekit.paths import BUILD

DEFAULT_PORT = int(os.environ.get("TABLEKIT_ENDPOINT_PORT", "4566"))
HOST = "127.0.0.1"


def port_in_use(port: int, host: str = HOST) -> bool:
    """True when something already listens on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def free_port() -> int:
    """A port the OS considers free right now (for per-test-session endpoints)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def healthy(url: str, timeout: float = 1.0) -> bool:
    """True when the moto server answers its management API."""
    try:
        with urllib.request.urlopen(f"{url}/moto-api/", timeout=timeout) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _cmdline(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    # A zombie (exited, not yet reaped) has an empty cmdline: treat it as gone.
    return [part.decode() for part in raw.split(b"\0") if part] or None


@dataclass
class Endpoint:
    """One managed moto server, identified by its port; state lives under build/endpoint/."""

    port: int = DEFAULT_PORT
    state_dir: Path = BUILD / "endpoint"
    # Extra settings of the server process (moto reads MOTO_* variables), e.g. upgrade-check's
    # MOTO_IAM_LOAD_MANAGED_POLICIES for prod's AWS-managed backup policy.
    environment: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pidfile(self) -> Path:
        return self.state_dir / f"moto-{self.port}.pid"

    @property
    def logfile(self) -> Path:
        return self.state_dir / f"moto-{self.port}.log"

    def _argv(self) -> list[str]:
        # `python -m moto.server` keeps /proc/<pid>/cmdline equal to this argv (a console script
        # would show the interpreter first), which is what _owned_pid compares.
        return [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(self.port)]

    def _owned_pid(self) -> int | None:
        """Pid from our pidfile if that process is alive and still runs our command line."""
        try:
            record = json.loads(self.pidfile.read_text())
        except (OSError, ValueError):
            return None
        pid = int(record.get("pid", 0))
        if pid and _cmdline(pid) == record.get("argv"):
            return pid
        return None

    def status(self) -> dict[str, object]:
        pid = self._owned_pid()
        return {
            "port": self.port,
            "url": self.url,
            "pid": pid,
            "managed": pid is not None,
            "healthy": healthy(self.url),
            "log": str(self.logfile),
        }

    def start(self, timeout: float = 30.0) -> str:
        """Start the server (no-op if ours already runs); returns its URL."""
        if self._owned_pid() is not None and healthy(self.url):
            return self.url
        if port_in_use(self.port):
            raise UserError(
                f"port {self.port} is already in use by a process tablekit did not start: stop it, or choose "
                f"another port with --port or TABLEKIT_ENDPOINT_PORT"
            )
        self.state_dir.mkdir(parents=True, exist_ok=True)
        argv = self._argv()
        env = dict(os.environ, MOTO_ALLOW_NONEXISTENT_REGION="true", **self.environment)
        with open(self.logfile, "ab") as log:
            proc = subprocess.Popen(
                argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env=env,
            )
        self.pidfile.write_text(json.dumps({"pid": proc.pid, "argv": argv, "started": time.time()}))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                self.pidfile.unlink(missing_ok=True)
                raise UserError(f"the local endpoint exited at start (code {proc.returncode}); see {self.logfile}")
            if healthy(self.url, timeout=0.5):
                return self.url
            time.sleep(0.1)
        self.stop()
        raise UserError(f"the local endpoint did not become healthy within {timeout:.0f}s; see {self.logfile}")

    def stop(self, timeout: float = 10.0) -> bool:
        """Stop the server if (and only if) this project started it; True when a process was stopped."""
        pid = self._owned_pid()
        if pid is None:
            self.pidfile.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _cmdline(pid) is not None:
            time.sleep(0.05)
        if _cmdline(pid) is not None:
            os.kill(pid, signal.SIGKILL)
        self.pidfile.unlink(missing_ok=True)
        return True
