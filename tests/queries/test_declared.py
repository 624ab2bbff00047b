"""The declared tables: planned once per Terraform tree, cached by its digest, or given as a file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tablekit.errors import UserError
from tablekit.queries import declared

TABLES = {"t": {"hash_key": {"name": "pk", "type": "S"}, "range_key": None, "attributes": {"pk": "S"}, "indexes": {}}}
PLAN = {"output_changes": {"tables": {"after": TABLES}, "app_config": {"after": {"T_TABLE": "t"}}}}


def test_plans_once_per_digest_and_reads_the_cache_after(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(declared, "CACHE", tmp_path / "cache")
    monkeypatch.setattr(declared, "digest", lambda env: "aaaa")
    planned: list[str] = []

    def planner(env: str, scratch: Path) -> Path:
        planned.append(env)
        out = scratch / "plan.json"
        out.write_text(json.dumps(PLAN))
        return out

    first = declared.load("local", planner)
    second = declared.load("local", planner)
    assert planned == ["local"]
    assert first == second and first.app_config == {"T_TABLE": "t"} and first.tables["t"].key.hash_key == "pk"
    monkeypatch.setattr(declared, "digest", lambda env: "bbbb")  # a Terraform file changed
    declared.load("local", planner)
    assert planned == ["local", "local"]


def test_digest_follows_the_terraform_sources() -> None:
    assert declared.digest("local") == declared.digest("local") != declared.digest("prod")


def test_declared_file_forms(tmp_path: Path) -> None:
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"tables": {"value": TABLES, "type": "object", "sensitive": False}}))
    assert list(declared.from_file(outputs).tables) == ["t"]
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(PLAN))
    assert declared.from_file(plan).app_config == {"T_TABLE": "t"}
    names = tmp_path / "names.json"
    names.write_text(json.dumps(["t"]))
    with pytest.raises(UserError, match=r"--declared .*expected the env's outputs with `tables`"):
        declared.from_file(names)
