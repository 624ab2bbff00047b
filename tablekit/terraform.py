"""Run Terraform for one environment or module directory.

Why subprocess and not python-terraform: python-terraform has had no release since 2019, predates
`-json` outputs and plan JSON, and hides stderr we need for clear errors. tftest (maintained, used
by the tests) wraps the same binary; here the CLI needs streaming output and exact exit codes, so a
thin subprocess wrapper is the smaller, clearer tool.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Mapping, Sequence

from tablekit.errors import UserError
from tablekit.toolchain import DEFAULT, Toolchain


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
            cmd, cwd=self.workdir, env=env, text=True,
            stdout=subprocess.PIPE if capture else None,
            stderr=subprocess.PIPE if capture else None,
        )
        if check and proc.returncode != 0:
            detail = (proc.stderr or "").strip() if capture else "see the output above"
            raise TerraformError(f"terraform {args[0]} failed in {self.workdir.name}: {detail}")
        return proc

    def init(self, backend_config: Sequence[str] = (), backend: bool = True) -> None:
        args = ["init", "-input=false", "-no-color"]
        if not backend:
            args.append("-backend=false")
        args += [f"-backend-config={item}" for item in backend_config]
        self.run(args, capture=True)

    def output(self) -> dict[str, object]:
        proc = self.run(["output", "-json", "-no-color"], capture=True)
        return {key: value["value"] for key, value in json.loads(proc.stdout or "{}").items()}

    def plan_json(self, variables: Mapping[str, object] | None = None, out: Path | None = None,
                  refresh: bool = True) -> dict:
        plan_file = out or (self.workdir / ".terraform" / "tablekit.tfplan")
        args = ["plan", "-input=false", "-no-color", f"-out={plan_file}", *var_args(variables)]
        if not refresh:
            args.append("-refresh=false")
        self.run(args, capture=True)
        shown = self.run(["show", "-json", str(plan_file)], capture=True)
        return json.loads(shown.stdout)
