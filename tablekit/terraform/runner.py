"""The one way the harness (CLI, tests, benchmarks) runs Terraform: `Terraform(workdir)`.

Why a thin subprocess wrapper of our own (not python-terraform or tftest): python-terraform has
had no release since 2019 and predates `-json` plans; tftest hides the process behind its own
API. The harness needs exactly four things from a run, and every caller gets all four:

- the toolchain the account chose (the double's offline mirror and CLI config, or a real
  account's Terraform from PATH: tablekit.terraform.toolchain);
- exact exit codes and stderr turned into one readable error (``TerraformError``);
- streamed progress for long applies, with the full log kept in a file;
- clean interrupts. Terraform runs in its own process group (so a terminal's Ctrl-C reaches only
  the harness, which decides); on Ctrl-C or SIGTERM the harness forwards SIGINT (Terraform then
  stops gracefully and writes its state), waits ``GRACE_SECONDS``, then ends the whole group, so
  no provider process outlives the run. The group id is recorded next to the working data, and
  the next run in that directory ends a group left behind by a harness that was SIGKILLed.
  Every call has a timeout and, when it fires, says what it was waiting for.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import queue
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from tablekit.errors import OperationFailed, UserError
from tablekit.terraform.plan import Plan
from tablekit.terraform.processes import (
    end_group,
    end_leftover_groups,
    group_alive,
    note,
    pump,
    sigterm_as_interrupt,
)
from tablekit.terraform.toolchain import DEFAULT, REATTACH_VAR, Toolchain

# Lines of apply/destroy output worth showing live: one per finished resource plus the totals.
PROGRESS_LINES = re.compile(r"(Creation|Modifications|Destruction) complete|Apply complete|Destroy complete|^Warning")
# How long Terraform gets to stop gracefully after the harness forwards an interrupt.
GRACE_SECONDS = float(os.environ.get("TABLEKIT_TERRAFORM_GRACE", "30"))
# Default time limit of one Terraform command (seconds); TABLEKIT_TERRAFORM_TIMEOUT overrides it.
DEFAULT_TIMEOUTS = {"init": 600.0, "apply": 3600.0, "destroy": 3600.0, "import": 900.0}
FALLBACK_TIMEOUT = 1800.0
# Commands about the installed providers themselves never attach (toolchain.REATTACH_VAR): init
# then installs the mirror's binary and records its hashes in the lock file a saved plan carries,
# and `providers schema` shows that binary's own schema.
PROVIDER_COMMANDS = frozenset({"init", "providers"})


class TerraformError(OperationFailed):
    """terraform ran and exited non-zero; the message carries what it said."""

    def __init__(self, message: str, returncode: int = 1, output: str = "") -> None:
        super().__init__(message)
        self.returncode = returncode
        self.output = output


class TerraformInputError(TerraformError, UserError):
    """terraform refused the inputs (a variable's validation, a missing required variable): bad input, exit 2."""


# What Terraform prints when the inputs (root variables or module arguments), not the run, are wrong.
_INPUT_ERRORS = re.compile(
    r"Invalid value for (input )?variable|No value for required variable|Invalid function argument|"
    r"Call to function \"tobool\" failed"
)


def _error(message: str, returncode: int, detail: str) -> TerraformError:
    if _INPUT_ERRORS.search(detail):
        return TerraformInputError(message, returncode, detail)
    return TerraformError(message, returncode, detail)


class TerraformTimeout(TerraformError):
    """terraform did not finish within its time limit and was stopped."""


class Interrupted(KeyboardInterrupt):
    """The harness was interrupted (Ctrl-C / SIGTERM) while terraform ran; terraform was stopped."""


@dataclass(frozen=True)
class Result:
    """One finished terraform command."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def var_args(variables: Mapping[str, object] | None = None, var_files: Sequence[Path | str] = ()) -> list[str]:
    """-var/-var-file arguments; non-strings are JSON-encoded (Terraform parses them as HCL literals)."""
    args = [f"-var-file={path}" for path in var_files]
    for key, value in (variables or {}).items():
        text = value if isinstance(value, str) else json.dumps(value)
        args += ["-var", f"{key}={text}"]
    return args


def timeout_for(command: str) -> float:
    override = os.environ.get("TABLEKIT_TERRAFORM_TIMEOUT")
    if override:
        return float(override)
    return DEFAULT_TIMEOUTS.get(command, FALLBACK_TIMEOUT)


class Terraform:
    """A working directory plus the toolchain that runs in it.

    `env` adds process environment (e.g. TF_DATA_DIR). Running group ids are recorded under
    TF_DATA_DIR when given, else under build/terraform/groups/ keyed by the working directory (never
    in the working directory itself, which may be the repository).
    """

    def __init__(self, workdir: Path, toolchain: Toolchain = DEFAULT, env: Mapping[str, str] | None = None) -> None:
        self.workdir = Path(workdir)
        self.toolchain = toolchain
        self.extra_env = dict(env or {})
        data_dir = self.extra_env.get("TF_DATA_DIR")
        if data_dir:
            self.records = Path(data_dir) / "terraform-groups"
        else:
            key = hashlib.sha1(str(self.workdir.resolve()).encode()).hexdigest()[:16]
            self.records = toolchain.root / "groups" / key

    # -- processes -----------------------------------------------------------------------------

    def _environ(self, args: Sequence[str]) -> dict[str, str]:
        env = self.toolchain.env()
        env.update(self.extra_env)
        if args and args[0] in PROVIDER_COMMANDS:
            env.pop(REATTACH_VAR, None)
        return env

    def _spawn(
        self,
        args: Sequence[str],
        stdout: int | IO[str] | None,
        stderr: int | IO[str] | None,
        stdin: int | None = subprocess.DEVNULL,
    ) -> subprocess.Popen[str]:
        end_leftover_groups(self.records)
        proc = subprocess.Popen(
            [self.toolchain.terraform_bin(), *args],
            cwd=self.workdir,
            env=self._environ(args),
            text=True,
            stdin=stdin,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,  # own process group: we decide what an interrupt does
        )
        with contextlib.suppress(OSError):
            self.records.mkdir(parents=True, exist_ok=True)
            (self.records / str(proc.pid)).write_text(str(os.getpid()))
        return proc

    def _finish(self, proc: subprocess.Popen[str]) -> None:
        """After the main process exited: end stragglers of its group and drop the record."""
        if group_alive(proc.pid):
            end_group(proc.pid)
        with contextlib.suppress(OSError):
            (self.records / str(proc.pid)).unlink(missing_ok=True)

    def _stop(self, proc: subprocess.Popen[str], why: str) -> None:
        """Forward an interrupt, give terraform GRACE_SECONDS to write its state, then end the group."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGINT)
        note(f"tablekit: {why}: asked terraform to stop (waiting up to {GRACE_SECONDS:.0f}s; Ctrl-C again ends it now)")
        try:
            proc.wait(timeout=GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            note("tablekit: terraform did not stop in time; ending it and its providers")
        except KeyboardInterrupt:
            # A second Ctrl-C (or SIGTERM) means "now": end the group instead of leaving it running.
            note("tablekit: interrupted again: ending terraform and its providers now")
        end_group(proc.pid)
        with contextlib.suppress(subprocess.TimeoutExpired, KeyboardInterrupt):
            proc.wait(timeout=10)
        self._finish(proc)

    def _describe(self, args: Sequence[str]) -> str:
        return f"terraform {args[0]} in {self.workdir}"

    def run(self, args: Sequence[str], *, check: bool = True, timeout: float | None = None) -> Result:
        """Run one command to completion and capture its output."""
        limit = timeout if timeout is not None else timeout_for(args[0])
        started = time.monotonic()
        out: list[str] = []
        err: list[str] = []
        with sigterm_as_interrupt():
            proc = self._spawn(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            readers = [pump(proc.stdout, out.append), pump(proc.stderr, err.append)]
            try:
                proc.wait(timeout=limit)
            except subprocess.TimeoutExpired:
                self._stop(proc, f"{self._describe(args)} exceeded its {limit:.0f}s limit")
                raise TerraformTimeout(
                    f"{self._describe(args)} did not finish within {limit:.0f}s and was stopped; "
                    f"raise TABLEKIT_TERRAFORM_TIMEOUT if it is just slow",
                ) from None
            except KeyboardInterrupt:
                self._stop(proc, "interrupted")
                raise Interrupted(f"{self._describe(args)} was interrupted and stopped") from None
            finally:
                # A provider left running would hold the pipes open: end the group, then read to EOF.
                self._finish(proc)
                for reader in readers:
                    reader.join(timeout=10)
        result = Result(tuple(args), proc.returncode, "".join(out), "".join(err), time.monotonic() - started)
        if check and result.returncode != 0:
            detail = (result.stderr or result.stdout).strip() or "see the output above"
            raise _error(f"{self._describe(args)} failed: {detail}", result.returncode, detail)
        return result

    def stream(
        self,
        args: Sequence[str],
        log_file: Path,
        show: re.Pattern[str] = PROGRESS_LINES,
        timeout: float | None = None,
        on_line: Callable[[str], None] | None = None,
    ) -> Result:
        """Run a long command: every line to log_file, progress lines and errors to stderr.

        Why: `apply` of the whole estate prints hundreds of attribute lines and a full outputs dump;
        people need to see that it moves and what failed, the log keeps the rest. `on_line` sees
        every line (tests use it to interrupt an apply at a chosen point; raising KeyboardInterrupt
        there takes the same path as Ctrl-C).
        """
        limit = timeout if timeout is not None else timeout_for(args[0])
        log_file.parent.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        deadline = started + limit
        tail: list[str] = []
        lines: queue.Queue[str | None] = queue.Queue()
        with open(log_file, "w") as log, sigterm_as_interrupt():
            proc = self._spawn(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            reader = pump(proc.stdout, lines.put, done=lambda: lines.put(None))

            def drain() -> None:
                """Write what is still queued to the log (after a stop), without waiting long."""
                reader.join(timeout=10)
                while not lines.empty():
                    rest = lines.get_nowait()
                    if rest is not None:
                        log.write(rest)

            try:
                in_error = False
                finished = False
                while True:
                    try:
                        line = lines.get(timeout=0.2)
                    except queue.Empty:
                        if proc.poll() is not None and not finished:
                            self._finish(proc)  # a straggler would keep the pipe open: end the group
                            finished = True
                        if time.monotonic() > deadline:
                            self._stop(proc, f"{self._describe(args)} exceeded its {limit:.0f}s limit")
                            drain()
                            raise TerraformTimeout(
                                f"{self._describe(args)} did not finish within {limit:.0f}s and was stopped "
                                f"(log: {log_file})",
                                1,
                                "".join(tail).strip(),
                            ) from None
                        continue
                    if line is None:
                        break
                    log.write(line)
                    log.flush()
                    in_error = in_error or line.startswith(("Error", "│ Error", "╷"))
                    if in_error or show.search(line):
                        sys.stderr.write(f"  {line}" if not in_error else line)
                    tail = [*tail[-39:], line]
                    if on_line is not None:
                        on_line(line)
                proc.wait()
            except KeyboardInterrupt:
                self._stop(proc, "interrupted")
                drain()
                raise Interrupted(f"{self._describe(args)} was interrupted and stopped (log: {log_file})") from None
            finally:
                self._finish(proc)
        output = "".join(tail).strip()
        result = Result(tuple(args), proc.returncode, output, "", time.monotonic() - started)
        if proc.returncode != 0:
            raise _error(f"{self._describe(args)} failed (full log: {log_file}):\n{output}", proc.returncode, output)
        return result

    # -- commands ------------------------------------------------------------------------------

    def init(
        self,
        backend_config: Sequence[str] = (),
        backend: bool = True,
        upgrade: bool = False,
        lockfile_readonly: bool = False,
    ) -> Result:
        args = ["init", "-input=false", "-no-color"]
        if not backend:
            args.append("-backend=false")
        if upgrade:
            args.append("-upgrade")
        if lockfile_readonly:
            args.append("-lockfile=readonly")  # exactly the providers the lock file names, or fail
        args += [f"-backend-config={item}" for item in backend_config]
        return self.run(args)

    def validate(self) -> Result:
        return self.run(["validate", "-no-color"])

    def plan(
        self,
        out: Path,
        variables: Mapping[str, object] | None = None,
        var_files: Sequence[Path | str] = (),
        *,
        refresh: bool = True,
        destroy: bool = False,
        lock: bool = True,
        lock_timeout: str | None = None,
        json_out: Path | None = None,
        replace: Sequence[str] = (),
        refresh_only: bool = False,
    ) -> Plan:
        """Plan into a saved plan file (so an apply runs exactly what was reviewed) and read it back;
        `replace` addresses are planned as replacements (`-replace=ADDRESS`); `refresh_only` plans
        only what changed outside Terraform (`resource_drift`), never a change to make."""
        out.parent.mkdir(parents=True, exist_ok=True)
        args = ["plan", "-input=false", "-no-color", f"-out={out}", *var_args(variables, var_files)]
        args += [f"-replace={address}" for address in replace]
        if not refresh:
            args.append("-refresh=false")
        if refresh_only:
            args.append("-refresh-only")
        if destroy:
            args.append("-destroy")
        if not lock:
            args.append("-lock=false")
        if lock_timeout:
            args.append(f"-lock-timeout={lock_timeout}")
        self.run(args)
        raw = self.show_json(out)
        if json_out is not None:
            json_out.parent.mkdir(parents=True, exist_ok=True)
            json_out.write_text(json.dumps(raw, indent=1, sort_keys=True))
        return Plan.parse(raw, source=str(out))

    def show_json(self, plan_file: Path | None = None) -> dict[str, Any]:
        """`terraform show -json [PLANFILE]` as a dict (a plan with a file, the state without)."""
        shown = self.run(["show", "-json", *([str(plan_file)] if plan_file else [])])
        data: dict[str, Any] = json.loads(shown.stdout or "{}")
        return data

    def apply(
        self,
        plan_file: Path | None = None,
        variables: Mapping[str, object] | None = None,
        var_files: Sequence[Path | str] = (),
        *,
        log_file: Path | None = None,
        lock_timeout: str | None = None,
        extra: Sequence[str] = (),
        on_line: Callable[[str], None] | None = None,
    ) -> Result:
        """Apply a saved plan (exactly what was reviewed), or plan+apply with -auto-approve when none."""
        args = ["apply", "-input=false", "-no-color", *extra]
        if lock_timeout:
            args.append(f"-lock-timeout={lock_timeout}")
        if plan_file is not None:
            args.append(str(plan_file))
        else:
            args += ["-auto-approve", *var_args(variables, var_files)]
        if log_file is None:
            return self.run(args)
        return self.stream(args, log_file=log_file, on_line=on_line)

    def destroy(
        self,
        variables: Mapping[str, object] | None = None,
        var_files: Sequence[Path | str] = (),
        *,
        log_file: Path,
        lock_timeout: str | None = None,
    ) -> Result:
        args = ["destroy", "-input=false", "-auto-approve", "-no-color", *var_args(variables, var_files)]
        if lock_timeout:
            args.append(f"-lock-timeout={lock_timeout}")
        return self.stream(args, log_file=log_file)

    def output(self) -> dict[str, Any]:
        """Root outputs as plain values (`terraform output -json`)."""
        proc = self.run(["output", "-json", "-no-color"])
        return {key: value["value"] for key, value in json.loads(proc.stdout or "{}").items()}

    def import_(
        self,
        address: str,
        import_id: str,
        variables: Mapping[str, object] | None = None,
        var_files: Sequence[Path | str] = (),
    ) -> Result:
        return self.run(["import", "-input=false", "-no-color", *var_args(variables, var_files), address, import_id])

    def state_list(self) -> list[str]:
        """Addresses in the state ([] when there is no state yet)."""
        result = self.run(["state", "list"], check=False)
        if result.returncode != 0:
            if "No state file was found" in result.stderr:
                return []
            raise TerraformError(f"{self._describe(['state'])} list failed: {result.stderr.strip()}")
        return [line for line in result.stdout.splitlines() if line.strip()]

    def state_mv(self, source: str, destination: str, dry_run: bool = False) -> Result:
        args = ["state", "mv", "-no-color", *(["-dry-run"] if dry_run else []), source, destination]
        return self.run(args)

    def state_rm(self, *addresses: str) -> Result:
        return self.run(["state", "rm", "-no-color", *addresses])

    def fmt_check(self, *paths: str) -> list[str]:
        """Files `terraform fmt -check -recursive` would rewrite (empty = formatted); one run per path
        (Terraform 1.0 takes one target)."""
        stale: list[str] = []
        for path in paths or (".",):
            result = self.run(["fmt", "-check", "-recursive", "-list=true", "-no-color", path], check=False)
            if result.returncode not in (0, 3) and not result.stdout.strip():
                raise TerraformError(f"terraform fmt failed on {path}: {result.stderr.strip()}")
            stale += [line.strip() for line in result.stdout.splitlines() if line.strip()]
        return stale

    def start(self, args: Sequence[str], *, interactive: bool = False) -> subprocess.Popen[str]:
        """Start a command in the background (own process group, recorded like every run) and hand
        it to the caller, who must end it with `finish(proc)` after it exits or `stop(proc)`.

        For the rare case of two terraform runs at once on purpose (the state-lock test holds one
        apply at its confirmation prompt while another asks for the lock). `interactive` gives the
        process a stdin pipe; its stdout and stderr are one text pipe.
        """
        stdin = subprocess.PIPE if interactive else subprocess.DEVNULL
        return self._spawn(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=stdin)

    def finish(self, proc: subprocess.Popen[str]) -> None:
        """End what is left of a started command's process group and drop its record."""
        self._finish(proc)

    def stop(self, proc: subprocess.Popen[str]) -> None:
        """Stop a started command the way an interrupt does (SIGINT, grace period, then the group)."""
        if proc.poll() is None:
            self._stop(proc, "stopping a background terraform run")
        else:
            self._finish(proc)

    def passthrough(self, args: Sequence[str]) -> int:
        """Run with the caller's terminal (for `tablekit tf ...`); returns terraform's exit code."""
        with sigterm_as_interrupt():
            proc = self._spawn(args, stdout=None, stderr=None)
            try:
                return proc.wait()
            except KeyboardInterrupt:
                self._stop(proc, "interrupted")
                raise Interrupted("terraform was interrupted and stopped") from None
            finally:
                self._finish(proc)
