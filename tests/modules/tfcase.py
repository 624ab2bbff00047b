"""Helpers for module tests: render module calls from Python values and drive one working dir.

Why render HCL instead of passing -var: a module input of type `any` reaches the module exactly as
written (objects stay objects, null stays null), one main.tf can hold many module calls (one plan
checks dozens of validation cases), and a test step is just "rewrite main.tf, plan, apply".
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import tftest

from tablekit.testing import tf
from tablekit.toolchain import DEFAULT

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


@dataclass
class Workdir:
    """One initialised root module; every call runs the project's Terraform in it."""

    path: Path
    _tf: tftest.TerraformTest = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._tf = tf(self.path)

    def write(self, main_tf: str) -> None:
        (self.path / "main.tf").write_text(main_tf)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run terraform without raising: callers look at returncode/stdout/stderr themselves."""
        return subprocess.run(
            [DEFAULT.terraform_bin(), *args],
            cwd=self.path,
            env=DEFAULT.env(),
            capture_output=True,
            text=True,
            check=False,
        )

    def init(self) -> None:
        self._tf.init(input=False, color=False)

    def _json_run(self, *args: str) -> list[dict[str, Any]]:
        """Run a `-json` command; raise tftest.TerraformTestError with its diagnostics on failure."""
        result = self.run(*args, "-input=false", "-json")
        messages = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
        if result.returncode != 0:
            errors = [m["diagnostic"] for m in messages if m.get("type") == "diagnostic"]
            details = json.dumps(errors, indent=2)
            raise tftest.TerraformTestError(f"terraform {args[0]} failed: {details}\n{result.stderr}")
        return messages

    @staticmethod
    def _changes(messages: list[dict[str, Any]]) -> dict[str, Any]:
        """`planned_change` messages in the shape of plan JSON's `resource_changes`.

        Enough for tablekit.testing.table_replacements/resource_actions; unchanged resources are
        absent. Reading the machine-readable UI saves a `terraform show -json` process per step,
        which matters on a shared two-core machine.
        """
        changes = []
        for message in messages:
            if message.get("type") != "planned_change":
                continue
            resource, action = message["change"]["resource"], message["change"]["action"]
            actions = {"replace": ["delete", "create"], "noop": ["no-op"]}.get(action, [action])
            changes.append(
                {"address": resource["addr"], "type": resource["resource_type"], "change": {"actions": actions}}
            )
        outputs = {
            name: output["value"]
            for message in messages
            if message.get("type") == "outputs"
            for name, output in message["outputs"].items()
            if "value" in output
        }
        return {"resource_changes": changes, "outputs": outputs}

    def plan(self, out: str = "step.tfplan", detail: bool = False) -> dict[str, Any]:
        """Plan into a file (so apply() runs exactly what was checked) and describe the changes:
        the full `terraform show -json` document with `detail`, else see _changes()."""
        messages = self._json_run("plan", f"-out={out}")
        if detail:
            return json.loads(self._tf.execute_command("show", "-no-color", "-json", out).out)
        return self._changes(messages)

    def apply(self, plan_file: str = "step.tfplan") -> str:
        """Apply a saved plan; raises tftest.TerraformTestError with Terraform's output on failure."""
        return self._tf.execute_command("apply", "-input=false", "-no-color", plan_file).out

    def apply_changes(self) -> dict[str, Any]:
        """Plan and apply in one process; return what the plan contained (see _changes()) and,
        under "outputs", the root outputs after the apply.

        For steps expected to succeed: the planned actions are asserted after the fact, which is
        fine on a throwaway endpoint -- a replacement still fails the test.
        """
        return self._changes(self._json_run("apply", "-auto-approve"))

    def is_clean(self) -> tuple[bool, str]:
        """(True, "") when a fresh plan has no changes, else (False, the plan text)."""
        result = self.run("plan", "-input=false", "-no-color", "-detailed-exitcode")
        if result.returncode == 1:
            raise AssertionError(f"terraform plan failed:\n{result.stdout}\n{result.stderr}")
        return result.returncode == 0, result.stdout

    def diagnostics(self) -> list[Diagnostic]:
        """Diagnostics of `terraform plan -json` (the plan may fail; that is the point)."""
        result = self.run("plan", "-input=false", "-no-color", "-json")
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
