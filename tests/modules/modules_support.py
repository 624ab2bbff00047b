"""Helpers for module tests: render module calls from Python values and drive one working dir.

Why render HCL instead of passing -var: a module input of type `any` reaches the module exactly as
written (objects stay objects, null stays null), one main.tf can hold many module calls (one plan
checks dozens of validation cases), and a test step is just "rewrite main.tf, plan, apply".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from tablekit.terraform.plan import Plan
from tablekit.terraform.runner import Terraform, TerraformError

TABLE_SOURCE = "../modules/dynamodb-table"
NO_ENDPOINT = "http://127.0.0.1:9"
"""Endpoint for plan-only fixtures: nothing listens there, so a plan that unexpectedly calls AWS
fails instead of passing quietly, and plan-only tests do not wait for the moto server."""


def hcl(value: Any) -> str:
    """An HCL expression for a JSON-like value.

    JSON is valid HCL expression syntax; only template sequences inside strings need escaping so
    Terraform does not interpolate them.
    """
    if isinstance(value, str):
        return json.dumps(value.replace("${", "$${").replace("%{", "%%{"))
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {hcl(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(hcl(v) for v in value) + "]"
    return json.dumps(value)


def module_block(label: str, inputs: Mapping[str, Any], source: str = TABLE_SOURCE) -> str:
    """`module "<label>" { source = ..., <input> = <value> ... }` with one argument per line."""
    lines = [f'module "{label}" {{', f"  source = {hcl(source)}"]
    lines += [f"  {key} = {hcl(value)}" for key, value in inputs.items()]
    return "\n".join(lines) + "\n}\n"


@dataclass
class Diagnostic:
    """One Terraform diagnostic from `-json` output."""

    severity: str
    summary: str
    detail: str
    context: str | None = None
    filename: str | None = None

    @property
    def text(self) -> str:
        return f"{self.summary}: {self.detail}"


class Workdir:
    """One initialised root module; every call runs the project's Terraform (tablekit.terraform.runner) in it."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.terraform = Terraform(self.path)

    def write(self, main_tf: str) -> None:
        (self.path / "main.tf").write_text(main_tf)

    def init(self) -> None:
        self.terraform.init()

    def _json_run(self, *args: str) -> list[dict[str, Any]]:
        """Run a `-json` command; raise TerraformError with its diagnostics on failure."""
        result = self.terraform.run([*args, "-input=false", "-json"], check=False)
        messages = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
        if result.returncode != 0:
            errors = [m["diagnostic"] for m in messages if m.get("type") == "diagnostic"]
            details = json.dumps(errors, indent=2)
            raise TerraformError(f"terraform {args[0]} failed: {details}\n{result.stderr}", result.returncode)
        return messages

    def plan(self, out: str = "step.tfplan", detail: bool = False) -> Plan:
        """Plan into a file (so apply() runs exactly what was checked) and describe the changes.

        With `detail` the plan is read back with `terraform show -json` (values included);
        otherwise from the plan's `-json` UI stream (addresses and actions only), which saves a
        process per step on a shared two-core machine.
        """
        if detail:
            return self.terraform.plan(self.path / out)
        return Plan.from_ui_messages(self._json_run("plan", f"-out={out}"))

    def apply(self, plan_file: str = "step.tfplan") -> str:
        """Apply a saved plan; raises TerraformError with Terraform's output on failure."""
        return self.terraform.apply(self.path / plan_file).stdout

    def apply_changes(self) -> Plan:
        """Plan and apply in one process; return what the plan contained (actions, and the root
        outputs after the apply under `.raw["outputs"]`).

        For steps expected to succeed: the planned actions are asserted after the fact, which is
        fine on a throwaway endpoint -- a replacement still fails the test.
        """
        return Plan.from_ui_messages(self._json_run("apply", "-auto-approve"))

    def is_clean(self) -> tuple[bool, str]:
        """(True, "") when a fresh plan has no changes, else (False, the plan text)."""
        result = self.terraform.run(["plan", "-input=false", "-no-color", "-detailed-exitcode"], check=False)
        if result.returncode == 1:
            raise AssertionError(f"terraform plan failed:\n{result.stdout}\n{result.stderr}")
        return result.returncode == 0, result.stdout

    def diagnostics(self) -> list[Diagnostic]:
        """Diagnostics of `terraform plan -json` (the plan may fail; that is the point)."""
        result = self.terraform.run(["plan", "-input=false", "-no-color", "-json"], check=False)
        found = []
        for line in result.stdout.splitlines():
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if message.get("type") != "diagnostic":
                continue
            diag = message["diagnostic"]
            found.append(
                Diagnostic(
                    severity=diag.get("severity", ""),
                    summary=diag.get("summary", ""),
                    detail=diag.get("detail", ""),
                    context=(diag.get("snippet") or {}).get("context"),
                    filename=(diag.get("range") or {}).get("filename"),
                )
            )
        return found
