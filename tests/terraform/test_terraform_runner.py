"""The one Terraform runner: interrupts end the whole process group, timeouts say what they waited for,
groups a killed harness left behind are ended by the next run, and errors are classified.

A stand-in `terraform` (a shell script) plays both Terraform and its provider plugin: it starts a
long-lived child in its own process group (as Terraform starts providers) and records the child's
pid, so each test can check that nothing outlives the run.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tablekit.errors import OperationFailed, UserError
from tablekit.terraform import runner
from tablekit.terraform.runner import Interrupted, Terraform, TerraformError, TerraformInputError, TerraformTimeout
from tablekit.terraform.toolchain import Toolchain

SCRIPT = """#!/bin/sh
# stand-in for terraform: a "provider" child in the same process group, then behave as asked
sleep 300 &
echo $! > "$WORK/child.pid"
case "$1" in
  hang) trap 'echo stopping; exit 130' INT; while :; do sleep 0.1; done ;;
  deaf) trap '' INT; while :; do sleep 0.1; done ;;
  fail) echo "Error: Invalid value for variable" >&2; exit 1 ;;
  boom) echo "Error: creating table: ResourceInUseException" >&2; exit 1 ;;
  *) echo ok; kill $!; exit 0 ;;
esac
"""


@dataclass(frozen=True)
class FakeToolchain(Toolchain):
    script: str = ""

    def terraform_bin(self) -> str:
        return self.script

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        return dict(os.environ if base is None else base)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie still answers kill(0): count it as gone
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


@pytest.fixture
def tf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Terraform:
    script = tmp_path / "terraform"
    script.write_text(SCRIPT)
    script.chmod(0o755)
    monkeypatch.setenv("WORK", str(tmp_path))
    monkeypatch.setattr(runner, "GRACE_SECONDS", 1.0)
    toolchain = FakeToolchain(root=tmp_path / "tc", script=str(script))
    return Terraform(tmp_path, toolchain=toolchain, env={"TF_DATA_DIR": str(tmp_path / "data")})


def _child(tmp_path: Path) -> int:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        path = tmp_path / "child.pid"
        if path.exists() and path.read_text().strip():
            return int(path.read_text())
        time.sleep(0.05)
    raise AssertionError("the stand-in never started its child")


def _interrupt_soon(seconds: float) -> threading.Timer:
    """Ctrl-C to this process after `seconds` (as a terminal would send it)."""
    timer = threading.Timer(seconds, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    return timer


def test_ctrl_c_stops_terraform_and_its_providers(tf: Terraform, tmp_path: Path) -> None:
    _interrupt_soon(0.5)
    with pytest.raises(Interrupted, match="was interrupted and stopped"):
        tf.run(["hang"])
    assert not _alive(_child(tmp_path)), "the provider stand-in outlived the interrupted run"
    assert list((tmp_path / "data" / "terraform-groups").iterdir()) == [], "the run's record is dropped"


def test_a_process_that_ignores_the_interrupt_is_ended_after_the_grace_period(tf: Terraform, tmp_path: Path) -> None:
    _interrupt_soon(0.5)
    started = time.monotonic()
    with pytest.raises(Interrupted):
        tf.run(["deaf"])
    assert time.monotonic() - started < 20
    assert not _alive(_child(tmp_path))


def test_sigterm_takes_the_same_clean_path(tf: Terraform, tmp_path: Path) -> None:
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGTERM))
    timer.start()
    with pytest.raises(Interrupted):
        tf.run(["hang"])
    assert not _alive(_child(tmp_path))
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL, "the SIGTERM handler is restored after the run"


def test_a_streamed_apply_is_interrupted_cleanly_too(tf: Terraform, tmp_path: Path) -> None:
    _interrupt_soon(0.5)
    with pytest.raises(Interrupted, match="log:"):
        tf.stream(["hang"], log_file=tmp_path / "apply.log")
    assert not _alive(_child(tmp_path))


def test_a_timeout_names_what_it_waited_for_and_stops_everything(tf: Terraform, tmp_path: Path) -> None:
    with pytest.raises(TerraformTimeout, match=r"terraform hang in .* did not finish within 1s"):
        tf.run(["hang"], timeout=1)
    assert not _alive(_child(tmp_path))


def test_the_next_run_ends_a_group_left_behind_by_a_killed_harness(tf: Terraform, tmp_path: Path) -> None:
    leftover = tf.start(["deaf"])
    child = _child(tmp_path)
    record = tmp_path / "data" / "terraform-groups" / str(leftover.pid)
    assert record.read_text() == str(os.getpid())
    record.write_text("999999999")  # the harness that started it is gone (SIGKILL, closed terminal)
    (tmp_path / "child.pid").unlink()
    tf.run(["ok"])
    leftover.wait(timeout=10)
    assert not _alive(child) and not _alive(leftover.pid)


def test_a_group_whose_harness_lives_is_another_run_and_is_left_alone(tf: Terraform, tmp_path: Path) -> None:
    other = tf.start(["deaf"])
    child = _child(tmp_path)
    try:
        (tmp_path / "child.pid").unlink()
        tf.run(["ok"])
        assert _alive(child) and other.poll() is None, "a concurrent run of a live harness must survive"
    finally:
        tf.stop(other)
    assert not _alive(child)


def test_errors_are_classified_for_the_exit_codes(tf: Terraform) -> None:
    with pytest.raises(TerraformInputError) as bad_input:
        tf.run(["fail"])
    assert isinstance(bad_input.value, UserError), "a variable Terraform rejects is bad input (exit 2)"
    with pytest.raises(TerraformError) as failed:
        tf.run(["boom"])
    assert isinstance(failed.value, OperationFailed) and not isinstance(failed.value, UserError)
    assert "ResourceInUseException" in str(failed.value) and failed.value.returncode == 1
