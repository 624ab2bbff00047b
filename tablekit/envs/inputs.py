"""An env's required inputs, checked before Terraform runs: which variable is missing and where to set it.

Why before Terraform: Terraform's own message (`No value for required variable "alarm_sns_topic_arn"`)
comes after init and provider start-up, says nothing about where a value belongs, and in CI an unset
repository variable arrives as an empty string, which Terraform accepts and a validation later
rejects with a message about the value's shape. Here every source Terraform would read is looked at
(`--var`, `--var-file`, `terraform.tfvars`, `*.auto.tfvars`, `TF_VAR_<name>`), an empty value of a
required variable counts as missing, and the one-line error names the variable, what it is, and
the three places a value can come from: a tfvars file, `--var`, or the repository variable the
workflows read (`<ENV>_<NAME>`, e.g. `PROD_ALARM_SNS_TOPIC_ARN`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from tablekit.errors import UserError
from tablekit.paths import ROOT
from tablekit.terraform import hclscan

# Where each env keeps safe example values of its required inputs (committed, never used in AWS).
EXAMPLE_TFVARS = "example.tfvars"


@dataclass(frozen=True)
class Variable:
    """One `variable` block of an env root."""

    name: str
    description: str
    required: bool


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1].replace('\\"', '"')
    return text


def declared(env_dir: Path) -> list[Variable]:
    """Every variable the env root declares, in file order; required = no default."""
    found = []
    for path in sorted(env_dir.glob("*.tf")):
        for item in hclscan.parse(path.read_text()):
            if item.kind == "block" and item.name == "variable" and item.labels:
                description = item.argument("description")
                found.append(
                    Variable(
                        name=item.labels[0],
                        description=_unquote(description.value) if description else "",
                        required=item.argument("default") is None,
                    )
                )
    return found


def repository_variable(env: str, name: str) -> str:
    """The GitHub repository variable the workflows read for an env's input (PROD_ALARM_SNS_TOPIC_ARN)."""
    return f"{env}_{name}".upper()


def _file_values(path: Path) -> dict[str, str]:
    """Raw values of a .tfvars (HCL) or .tfvars.json file, by variable name."""
    text = path.read_text()
    if path.name.endswith(".json"):
        data = json.loads(text)
        return {str(k): (v if isinstance(v, str) else json.dumps(v)) for k, v in dict(data).items()}
    return {item.name: _unquote(item.value) for item in hclscan.parse(text) if item.kind == "argument" and item.name}


def _auto_files(workdir: Path) -> list[Path]:
    names = ["terraform.tfvars", "terraform.tfvars.json"]
    auto = sorted(p for p in workdir.glob("*.auto.tfvars*") if p.name.endswith((".auto.tfvars", ".auto.tfvars.json")))
    return [workdir / n for n in names if (workdir / n).is_file()] + auto


def given_values(
    workdir: Path,
    variables: Mapping[str, object],
    var_files: Iterable[Path],
    environ: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """What Terraform would receive for each variable, in its own precedence order (later wins)."""
    environ = os.environ if environ is None else environ
    values: dict[str, str] = {
        key[len("TF_VAR_") :]: value for key, value in environ.items() if key.startswith("TF_VAR_")
    }
    for path in [*_auto_files(workdir), *var_files]:
        values.update(_file_values(Path(path)))
    values.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in variables.items()})
    return values


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def check(
    env: str,
    env_dir: Path,
    workdir: Path,
    variables: Mapping[str, object],
    var_files: Iterable[Path],
    environ: Mapping[str, str] | None = None,
) -> None:
    """Raise one UserError naming every required input without a (non-empty) value, and where to set it."""
    values = given_values(workdir, variables, var_files, environ)
    missing = [v for v in declared(env_dir) if v.required and not values.get(v.name, "").strip()]
    if not missing:
        return
    empty = [v.name for v in missing if v.name in values]
    # Names first: a PR comment shows only the first line of a failed plan, and truncates it.
    names = ", ".join(f"{v.name} (CI: repository variable {repository_variable(env, v.name)})" for v in missing)
    described = "; ".join(f"{v.name}: {v.description.rstrip('.')}" for v in missing if v.description)
    example = env_dir / EXAMPLE_TFVARS
    where = f"--var-file FILE (safe example values: {_shown(example)})" if example.exists() else "--var-file FILE"
    note = f", given empty: {', '.join(empty)}" if empty else ""
    raise UserError(
        f"{env} needs a value for {names}{note}, so Terraform was not run: set it with "
        f"--var {missing[0].name}=VALUE or {where}" + (f" ({described})" if described else "")
    )
