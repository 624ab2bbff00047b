"""The local AWS endpoint, started and stopped by the project: moto's server, or AWS's DynamoDB Local.

Two engines behind one interface (`Endpoint(port, state_dir, engine=...)`):

- `moto` (default): moto's server, the control-plane stand-in every env applies against
  (tables, IAM, Lambda, SQS, KMS, ...).
- `dynamodb-local`: AWS's own DynamoDB Local (tablekit.endpoint.dynamodb_local), DynamoDB's real data-plane
  validation, streams and transactions, but no tagging/PITR/SSE APIs, so Terraform cannot apply
  there; its tables are created from an env's `tables` output. It is the oracle the loader's and the
  modules' rules are proven against.

Why a pidfile with a command-line check: `stop` must never kill a process the project did not
start, even if the pid was recycled after a reboot. We record pid, port and our exact argv, and
only signal a live process whose /proc cmdline still matches. Each engine has its own pidfile
(`moto-<port>.pid`, `dynamodb-local-<port>.pid`), so `stop` finds whichever one tablekit runs there.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from tablekit.endpoint.probes import HOST, healthy, port_in_use
from tablekit.errors import UserError
from tablekit.paths import BUILD

DEFAULT_PORT = int(os.environ.get("TABLEKIT_ENDPOINT_PORT", "4566"))
ENGINE_NAMES = ("moto", "dynamodb-local")


def _cmdline(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    # A zombie (exited, not yet reaped) has an empty cmdline: treat it as gone.
    return [part.decode() for part in raw.split(b"\0") if part] or None


class Engine(Protocol):
    """What an endpoint engine tells `Endpoint`: how to run it and how to know it is up."""

    name: str
    label: str

    def preflight(self) -> None:
        """Raise UserError (with the fix) when the engine cannot run on this machine."""

    def argv(self, port: int) -> list[str]: ...

    def environment(self) -> dict[str, str]: ...

    def cwd(self) -> Path | None: ...

    def healthy(self, url: str, timeout: float = 1.0) -> bool: ...


class MotoEngine:
    """moto's server in this project's venv."""

    name = "moto"
    label = "moto server"

    def preflight(self) -> None:
        return None

    def argv(self, port: int) -> list[str]:
        # `python -m moto.server` keeps /proc/<pid>/cmdline equal to this argv (a console script
        # would show the interpreter first), which is what _owned_pid compares.
        return [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(port)]

    def environment(self) -> dict[str, str]:
        # Managed policies: prod attaches the AWS-managed AWS Backup policy, which moto knows only
        # when asked (about 1 s per endpoint account, on its first IAM call).
        return dict(os.environ, MOTO_ALLOW_NONEXISTENT_REGION="true", MOTO_IAM_LOAD_MANAGED_POLICIES="true")

    def cwd(self) -> Path | None:
        return None

    def healthy(self, url: str, timeout: float = 1.0) -> bool:
        return healthy(url, timeout)


def engine_named(name: str) -> Engine:
    """The engine called `name` (`moto` or `dynamodb-local`)."""
    if name == "moto":
        return MotoEngine()
    if name == "dynamodb-local":
        from tablekit.endpoint.dynamodb_local import DynamoDBLocalEngine

        return DynamoDBLocalEngine()
    raise UserError(f"unknown endpoint engine {name!r}: choose one of {', '.join(ENGINE_NAMES)}")


@dataclass
class Endpoint:
    """One managed endpoint process, identified by its port and engine; state lives under build/endpoint/."""

    port: int = DEFAULT_PORT
    state_dir: Path = BUILD / "endpoint"
    engine: str = "moto"

    @classmethod
    def running(cls, port: int = DEFAULT_PORT, state_dir: Path = BUILD / "endpoint") -> Endpoint:
        """The endpoint tablekit runs on `port`, whichever engine it is (moto when none runs)."""
        for name in ENGINE_NAMES:
            candidate = cls(port=port, state_dir=state_dir, engine=name)
            if candidate._owned_pid() is not None:
                return candidate
        return cls(port=port, state_dir=state_dir)

    # Extra settings of the server process (moto reads MOTO_* variables), e.g. upgrade-check's
    # MOTO_IAM_LOAD_MANAGED_POLICIES for prod's AWS-managed backup policy.
    environment: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pidfile(self) -> Path:
        return self.state_dir / f"{self.engine}-{self.port}.pid"

    @property
    def logfile(self) -> Path:
        return self.state_dir / f"{self.engine}-{self.port}.log"

    def _engine(self) -> Engine:
        return engine_named(self.engine)

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
            "engine": self.engine,
            "port": self.port,
            "url": self.url,
            "pid": pid,
            "managed": pid is not None,
            "healthy": self._engine().healthy(self.url),
            "log": str(self.logfile),
        }

    def start(self, timeout: float = 30.0) -> str:
        """Start the engine (no-op if ours already runs); returns its URL."""
        runner = self._engine()
        if self._owned_pid() is not None and runner.healthy(self.url):
            return self.url
        runner.preflight()
        if port_in_use(self.port):
            other = Endpoint.running(self.port, self.state_dir)
            if other._owned_pid() is not None and other.engine != self.engine:
                raise UserError(
                    f"port {self.port} already runs tablekit's {other.engine} endpoint: stop it first "
                    f"(`tablekit endpoint --port {self.port} stop`), or choose another port with --port or "
                    "TABLEKIT_ENDPOINT_PORT"
                )
            raise UserError(
                f"port {self.port} is already in use by a process tablekit did not start: stop it, or choose "
                f"another port with --port or TABLEKIT_ENDPOINT_PORT"
            )
        self.state_dir.mkdir(parents=True, exist_ok=True)
        argv = runner.argv(self.port)
        with open(self.logfile, "ab") as log:
            proc = subprocess.Popen(
                argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env={**runner.environment(), **self.environment},
                cwd=runner.cwd(),
            )
        self.pidfile.write_text(json.dumps({"pid": proc.pid, "argv": argv, "started": time.time()}))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                self.pidfile.unlink(missing_ok=True)
                raise UserError(
                    f"the local endpoint ({runner.label}) exited at start (code {proc.returncode}); see {self.logfile}"
                )
            if runner.healthy(self.url, timeout=0.5):
                return self.url
            time.sleep(0.1)
        self.stop()
        raise UserError(
            f"the local endpoint ({runner.label}) did not become healthy within {timeout:.0f}s; see {self.logfile}"
        )

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
