"""Helpers of the table-family tests (imported by test modules; fixtures live in conftest.py).

Why a separate module: pytest discourages importing conftest.py, and the tests need these
functions directly (plan parsing, seed rows, the read-only client guard).
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from tablekit.access_patterns import ALLOWED_OPERATIONS
from tablekit.dynamodb_json import serialize_item
from tablekit.paths import SEED_DATA

# Family directory name => Terraform module name used in combined roots.
FAMILIES = {"bandup": "bandup", "ielts-genai-prep": "ielts_genai_prep", "aitutor": "aitutor"}
FAMILY_OUTPUTS = ("tables", "table_names", "table_arns", "stream_arns", "app_config")

# Contract table names per family, spelled out on purpose: a rename in modules/ must fail a test.
EXPECTED_TABLES = {
    "bandup": {"bandup-evaluations", "bandup-flashcard-sets"},
    # The 19 tables audit 003 found in AWS, plus qr-tokens (documented in 001, needed by QR login).
    "ielts-genai-prep": {
        "ielts-assessment-questions",
        "ielts-devops-actions",
        "ielts-full-tests",
        "ielts-genai-prep-assessments",
        "ielts-genai-prep-auth-tokens",
        "ielts-genai-prep-entitlements",
        "ielts-genai-prep-reset-tokens",
        "ielts-genai-prep-rubrics",
        "ielts-genai-prep-sessions",
        "ielts-genai-prep-users",
        "ielts-listening-answers",
        "ielts-listening-questions",
        "ielts-listening-tests",
        "ielts-reading-answers",
        "ielts-reading-questions",
        "ielts-reading-tests",
        "ielts-support-tickets",
        "ielts-test-progress",
        "ielts-test-results",
        "ielts-genai-prep-qr-tokens",
    },
    "aitutor": {
        f"aitutor_{name}"
        for name in (
            "users",
            "educators",
            "students",
            "modules",
            "files",
            "departments",
            "campuses",
            "courses",
            "faculties",
            "chat_sessions",
            "chat_messages",
            "audit_logs",
        )
    },
}


def module_block(
    family: str, literals: Mapping[str, object] | None = None, expressions: Mapping[str, str] | None = None
) -> str:
    """HCL of one family module call: literal inputs (JSON is valid HCL) and raw HCL expressions."""
    args = {key: json.dumps(value) for key, value in (literals or {}).items()} | dict(expressions or {})
    body = "\n".join(f"  {key} = {value}" for key, value in args.items())
    return f'module "{FAMILIES[family]}" {{\n  source = "../modules/{family}"\n{body}\n}}\n'


def outputs_block(label: str, names: tuple[str, ...] = FAMILY_OUTPUTS) -> str:
    return "".join(f'output "{label}_{name}" {{\n  value = module.{label}.{name}\n}}\n' for name in names)


def planned_outputs(plan: Mapping[str, Any]) -> dict[str, Any]:
    """Root outputs known at plan time: name => value (unknown ones are absent)."""
    outputs = plan.get("planned_values", {}).get("outputs", {})
    return {name: out["value"] for name, out in outputs.items() if "value" in out}


def table_resources(plan: Mapping[str, Any], family: str | None = None) -> dict[str, dict[str, Any]]:
    """Real table name => planned `aws_dynamodb_table` values (tags, pitr, ttl, stream...), optionally of one family."""
    prefix = f"module.{FAMILIES[family]}." if family else ""
    found = {}
    for change in plan.get("resource_changes", []):
        if change["type"] == "aws_dynamodb_table" and change["address"].startswith(prefix):
            after = change["change"]["after"]
            found[after["name"]] = after
    return found


def seed_rows(family: str) -> dict[str, list[dict[str, Any]]]:
    """Table name (file stem) => rows, across every set of one family's seed data."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for path in sorted((SEED_DATA / family).glob("*/*.json")):
        rows.setdefault(path.stem, []).extend(json.loads(path.read_text()))
    return rows


class ReadOnlyDynamo:
    """Wraps a boto3 DynamoDB client and exposes only Query and GetItem.

    Why a wrapper: access patterns must never Scan (or write). Anything but `query`/`get_item`
    raises here, so a pattern that scans fails its own test; `calls` lets tests see what ran.
    """

    _METHODS = {"Query": "query", "GetItem": "get_item"}

    def __init__(self, client: Any):
        self._client = client
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        allowed = {method: op for op, method in self._METHODS.items() if op in ALLOWED_OPERATIONS}
        if name not in allowed:
            raise AssertionError(f"access patterns may only Query or GetItem, not call {name!r}")
        method = getattr(self._client, name)

        def call(**request: Any) -> Any:
            self.calls.append(allowed[name])
            return method(**request)

        return call


def require_seed_rows(local_env: Any, env_var: str, key: Mapping[str, str]) -> dict[str, str]:
    """The env's app_config, after checking one known seed row is loaded; fails with the reason if not.

    Without this, a setup that skipped the seed data shows up as dozens of confusing `[] != [...]`.
    """
    config = local_env.app_config
    if env_var not in config:
        raise AssertionError(f"local_env.app_config has no {env_var}: is the family in envs/local?")
    typed = serialize_item(key)
    if "Item" not in local_env.client("dynamodb").get_item(TableName=config[env_var], Key=typed):
        raise AssertionError(
            f"{config[env_var]} has no row {dict(key)}: local_env must load seed_data "
            "(reference + demo) for local before access-pattern tests run"
        )
    return dict(config)
