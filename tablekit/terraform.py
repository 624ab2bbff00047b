"""Run Terraform for one environment or module directory.

Why subprocess and not python-terraform: python-terraform has had no release since 2019, predates
`-json` outputs and plan JSON, and hides stderr we need for clear errors. tftest (maintained, used
by the tests) wraps the same binary; here the CLI needs streaming output and exact exit codes, so a
thin subprocess wrapper is the smaller, clearer tool.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Mapping, Sequence

from tablekit.errors import UserError
from tablekit.toolchain import DEFAULT, Toolchain

# Lines of apply/destroy output worth showing live: one per finished resource plus the totals.
PROGRESS_LINES = re.compile(r"(Creation|Modifications|Destruction) complete|Apply complete|Destroy complete|^Warning")


class TerraformError(UserError):
    """terraform exited non-zero; the message carries its stderr."""


def var_args(variables: Mapping[str, object] | None) -> list[str]:
    """-var arguments; non-strings are JSON-encoded (Terraform parses them as HCL/JSON literals)."""
    args: list[str] = []
    for key, value in (variables or {}).items():
        text = value if isinstance(value, str) else json.dumps(value)
        args += ["-var", f"{key}={text}"]
    return args


class Terraform:
    """A working directory plus the toolchain that runs in it."""

    def __init__(self, workdir: Path, toolchain: Toolchain = DEFAULT, extra_env: Mapping[str, str] | None = None):
        self.workdir = Path(workdir)
        self.toolchain = toolchain
        self.extra_env = dict(extra_env or {})

    def run(self, args: Sequence[str], capture: bool = False, check: bool = True) -> subprocess.CompletedProcess:
        env = self.toolchain.env()
        env.update(self.extra_env)
        cmd = [self.toolchain.terraform_bin(), *args]
        proc = subprocess.run(
            cmd,
            cwd=self.workdir,
            env=env,
            text=True,
            stdout=subprocess.PIPE if capture else None,
            stderr=subprocess.PIPE if capture else None,
        )
        if check and proc.returncode != 0:
            detail = (proc.stderr or "").strip() if capture else "see the output above"
            raise TerraformError(f"terraform {args[0]} failed in {self.workdir.name}: {detail}")
        return proc

    def stream(self, args: Sequence[str], log_file: Path, show: re.Pattern[str] = PROGRESS_LINES) -> None:
        """Run a long command: every line goes to log_file, progress lines (and errors) to stderr.

        Why: `apply` of the whole estate prints hundreds of attribute lines and a full outputs dump;
        people need to see that it moves and what failed, the log keeps the rest.
        """
        env = self.toolchain.env()
        env.update(self.extra_env)
        log_file.parent.mkdir(parents=True, exist_ok=True)
        cmd = [self.toolchain.terraform_bin(), *args]
        tail: list[str] = []
        with (
            open(log_file, "w") as log,
            subprocess.Popen(
                cmd, cwd=self.workdir, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
            ) as proc,
        ):
            assert proc.stdout is not None
            in_error = False
            for line in proc.stdout:
                log.write(line)
                in_error = in_error or line.startswith(("Error", "│ Error", "╷"))
                if in_error or show.search(line):
                    sys.stderr.write(f"  {line}" if not in_error else line)
                tail = [*tail[-39:], line]
        if proc.returncode != 0:
            raise TerraformError(
                f"terraform {args[0]} failed in {self.workdir.name} (full log: {log_file}):\n" + "".join(tail).strip()
            )

    def init(self, backend_config: Sequence[str] = (), backend: bool = True) -> None:
        args = ["init", "-input=false", "-no-color"]
        if not backend:
            args.append("-backend=false")
        args += [f"-backend-config={item}" for item in backend_config]
        self.run(args, capture=True)

    def output(self) -> dict[str, object]:
        proc = self.run(["output", "-json", "-no-color"], capture=True)
        return {key: value["value"] for key, value in json.loads(proc.stdout or "{}").items()}

    def plan_json(
        self, variables: Mapping[str, object] | None = None, out: Path | None = None, refresh: bool = True
    ) -> dict:
        plan_file = out or (self.workdir / ".terraform" / "tablekit.tfplan")
        args = ["plan", "-input=false", "-no-color", f"-out={plan_file}", *var_args(variables)]
        if not refresh:
            args.append("-refresh=false")
        self.run(args, capture=True)
        shown = self.run(["show", "-json", str(plan_file)], capture=True)
        return json.loads(shown.stdout)
