"""An env's declared tables without an applied estate: its plan's `tables` and `app_config`, cached.

Why a plan: the `tables` output (each table's key_schema) is known at plan time, so planning the
env on a throwaway endpoint (the way `lint` plans, `tablekit.commands.lint.plan_envs`) gives exactly
what the modules create, with no applied state and no AWS account. Planning takes seconds, so the
two outputs are cached under build/queries/, keyed by a digest of every Terraform file the env
reads (its own directory and modules/): any edit plans again, an unchanged tree never does.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Callable

from tablekit.errors import UserError
from tablekit.paths import BUILD, ENVS, MODULES, ROOT
from tablekit.queries.schema import Declared, from_outputs

CACHE = BUILD / "queries"
Planner = Callable[[str, Path], Path]  # (env, scratch dir) -> plan JSON path


def digest(env: str) -> str:
    """sha256 over the env's and the modules' Terraform sources (paths and contents)."""
    sha = hashlib.sha256()
    for root in (ENVS / env, MODULES):
        for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in {".tf", ".tfvars", ".json"}):
            sha.update(str(path.relative_to(root.parent)).encode() + b"\0" + path.read_bytes() + b"\0")
    return sha.hexdigest()[:16]


def cache_file(env: str) -> Path:
    return CACHE / f"{env}-{digest(env)}.json"


def outputs_of_plan(plan: dict[str, Any]) -> dict[str, Any]:
    """`tables` and `app_config` of a `terraform show -json` plan (planned values of the outputs)."""
    changes = plan.get("output_changes") or {}
    found = {name: (changes.get(name) or {}).get("after") for name in ("tables", "app_config")}
    if not isinstance(found["tables"], dict):
        raise UserError("the plan has no known `tables` output: is this a plan of an env root?")
    return found


def from_file(path: Path) -> Declared:
    """`--declared FILE`: env outputs ({tables, app_config}, as `terraform output -json` or plain) or a plan."""
    try:
        data = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise UserError(f"--declared {path}: no such file; give a JSON file of the env's outputs") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"--declared {path}: not JSON ({exc.msg} at line {exc.lineno})") from None
    if isinstance(data, dict) and "output_changes" in data:
        data = outputs_of_plan(data)
    if not isinstance(data, dict) or "tables" not in data:
        raise UserError(f"--declared {path}: expected the env's outputs with `tables` (and `app_config`)")
    return from_outputs(data)


def load(env: str, planner: Planner, say: Callable[[str], None] = lambda _: None) -> Declared:
    """The env's declared tables: from the cache, or planned once and cached."""
    cached = cache_file(env)
    if cached.is_file():
        return from_outputs(json.loads(cached.read_text()))
    shown = cached.relative_to(ROOT) if cached.is_relative_to(ROOT) else cached
    say(f"planning env {env} once to read its declared tables (cached in {shown})")
    with tempfile.TemporaryDirectory(prefix="tablekit-queries-") as scratch:
        plan = json.loads(planner(env, Path(scratch)).read_text())
    outputs = outputs_of_plan(plan)
    cached.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cached.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        json.dump(outputs, handle, indent=1, sort_keys=True)
    os.replace(tmp, cached)  # atomic: parallel runs never read half a file
    return from_outputs(outputs)
