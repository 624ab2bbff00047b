"""Synthetic `terraform show -json` plans (Terraform 1.0, format_version 0.2) for the comment tests.

The shapes follow what Terraform 1.0.3 + hashicorp/aws 3.39 write: `resource_changes[].change`
with actions/before/after/after_unknown/before_sensitive/after_sensitive, `replace_paths` and
`action_reason` on replacements, and `resource_drift` entries (same shape) for changes made
outside Terraform. Only the fields the renderer reads are filled realistically; the rest is kept
to the minimum Terraform always writes.
"""

from __future__ import annotations

import copy
from typing import Any, Iterable

from tablekit.review import policy_gate

AWS = "registry.terraform.io/hashicorp/aws"


def table(
    name: str,
    *,
    hash_key: str = "pk",
    range_key: str | None = None,
    pitr: bool = True,
    ttl: str | None = None,
    gsis: Iterable[dict[str, Any]] = (),
    billing: str = "PAY_PER_REQUEST",
    kms: str | None = None,
    tags: dict[str, str] | None = None,
    stream: str | None = None,
) -> dict[str, Any]:
    """An aws_dynamodb_table body as provider 3.39 plans it."""
    keys = {hash_key: "S"}
    if range_key:
        keys[range_key] = "S"
    gsi_list = []
    for g in gsis:
        keys.setdefault(g["hash_key"], "S")
        gsi_list.append(
            {
                "hash_key": g["hash_key"],
                "name": g["name"],
                "non_key_attributes": None,
                "projection_type": g.get("projection_type", "ALL"),
                "range_key": g.get("range_key"),
                "read_capacity": None,
                "write_capacity": None,
            }
        )
    return {
        "arn": f"arn:aws:dynamodb:us-east-1:111122223333:table/{name}",
        "attribute": [{"name": k, "type": t} for k, t in sorted(keys.items())],
        "billing_mode": billing,
        "global_secondary_index": gsi_list,
        "hash_key": hash_key,
        "id": name,
        "local_secondary_index": [],
        "name": name,
        "point_in_time_recovery": [{"enabled": pitr}],
        "range_key": range_key,
        "read_capacity": 0,
        "replica": [],
        "server_side_encryption": [{"enabled": True, "kms_key_arn": kms}] if kms else [],
        "stream_arn": "",
        "stream_enabled": stream is not None,
        "stream_label": "",
        "stream_view_type": stream or "",
        "tags": dict(tags or {}),
        "tags_all": dict(tags or {}),
        "timeouts": None,
        "ttl": [{"attribute_name": ttl or "", "enabled": ttl is not None}],
        "write_capacity": 0,
    }


def _split(address: str) -> tuple[str | None, str, str]:
    parts = address.split(".")
    # module.a.module.b["k"].aws_x.name -> module address, type, name (names/keys have no dots here)
    rtype, name = parts[-2], parts[-1]
    module = ".".join(parts[:-2]) or None
    return module, rtype, name


def change(
    address: str,
    actions: list[str],
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    *,
    after_unknown: dict[str, Any] | None = None,
    replace_paths: list[list[Any]] | None = None,
    action_reason: str | None = None,
    after_sensitive: Any = None,
    before_sensitive: Any = None,
    previous_address: str | None = None,
    importing: dict[str, Any] | None = None,
    deposed: str | None = None,
) -> dict[str, Any]:
    """One resource_changes (or resource_drift) entry (Terraform >= 1.1 fields when given)."""
    module, rtype, name = _split(address)
    index = None
    if "[" in name:
        name, _, key = name.partition("[")
        index = key.rstrip("]").strip('"')
    entry: dict[str, Any] = {"address": address}
    if module:
        entry["module_address"] = module
    entry.update({"mode": "managed", "type": rtype, "name": name})
    if index is not None:
        entry["index"] = index
    entry["provider_name"] = AWS
    body: dict[str, Any] = {
        "actions": actions,
        "before": before,
        "after": after,
        "after_unknown": after_unknown if after_unknown is not None else {},
        "before_sensitive": before_sensitive if before_sensitive is not None else (False if before is None else {}),
        "after_sensitive": after_sensitive if after_sensitive is not None else (False if after is None else {}),
    }
    if replace_paths:
        body["replace_paths"] = replace_paths
    if importing is not None:
        body["importing"] = importing
    entry["change"] = body
    if previous_address:
        entry["previous_address"] = previous_address
    if deposed:
        entry["deposed"] = deposed
    if action_reason:
        entry["action_reason"] = action_reason
    return entry


def create(address: str, after: dict[str, Any]) -> dict[str, Any]:
    unknown = {"arn": True, "id": True, "stream_arn": True, "stream_label": True, "tags_all": True}
    after = {k: v for k, v in after.items() if k not in unknown}
    return change(address, ["create"], None, after, after_unknown=unknown)


def update(address: str, before: dict[str, Any], after: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return change(address, ["update"], before, after, **kw)


def replace(
    address: str,
    before: dict[str, Any],
    after: dict[str, Any],
    paths: list[list[Any]],
    reason: str = "replace_because_cannot_update",
) -> dict[str, Any]:
    unknown = {"arn": True, "id": True, "stream_arn": True, "stream_label": True}
    after = {k: v for k, v in after.items() if k not in unknown}
    return change(
        address, ["delete", "create"], before, after, after_unknown=unknown, replace_paths=paths, action_reason=reason
    )


def destroy(address: str, before: dict[str, Any]) -> dict[str, Any]:
    return change(address, ["delete"], before, None)


def noop(address: str, body: dict[str, Any]) -> dict[str, Any]:
    return change(address, ["no-op"], body, copy.deepcopy(body))


def plan(changes: Iterable[dict[str, Any]], drift: Iterable[dict[str, Any]] = (), **extra: Any) -> dict[str, Any]:
    """A whole plan document around the given entries."""
    doc: dict[str, Any] = {
        "format_version": "0.2",
        "terraform_version": "1.0.3",
        "planned_values": {"root_module": {}},
        "resource_changes": list(changes),
        "configuration": {"root_module": {}},
    }
    drift = list(drift)
    if drift:
        doc["resource_drift"] = drift
    doc.update(extra)
    return doc


def tbl(family: str, key: str) -> str:
    """Address of a family table as the generic module nests it."""
    return f'module.{family}.module.table["{key}"].aws_dynamodb_table.this'


def lambda_fn(name: str, memory: int = 128, timeout: int = 30) -> dict[str, Any]:
    return {
        "function_name": name,
        "memory_size": memory,
        "timeout": timeout,
        "runtime": "python3.8",
        "handler": "index.handler",
        "environment": [{"variables": {"TABLE": "university"}}],
        "tags": {},
        "tags_all": {},
    }


def alarm(name: str, threshold: int = 1) -> dict[str, Any]:
    return {
        "alarm_name": name,
        "threshold": threshold,
        "comparison_operator": "GreaterThanOrEqualToThreshold",
        "evaluation_periods": 1,
        "tags": {},
        "tags_all": {},
    }


def output(actions: list[str], before: Any, after: Any, sensitive: bool = False) -> dict[str, Any]:
    """One output_changes entry."""
    return {
        "actions": actions,
        "before": before,
        "after": after,
        "after_unknown": False,
        "before_sensitive": sensitive,
        "after_sensitive": sensitive,
    }


def kms_key(description: str, window: int = 30) -> dict[str, Any]:
    return {
        "description": description,
        "deletion_window_in_days": window,
        "enable_key_rotation": True,
        "is_enabled": True,
        "key_usage": "ENCRYPT_DECRYPT",
        "tags": {},
        "tags_all": {},
    }


def queue(name: str, redrive_to: str | None = None) -> dict[str, Any]:
    policy = None
    if redrive_to:
        policy = f'{{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:111122223333:{redrive_to}","maxReceiveCount":5}}'
    return {
        "name": name,
        "arn": f"arn:aws:sqs:us-east-1:111122223333:{name}",
        "message_retention_seconds": 1209600,
        "redrive_policy": policy,
        "tags": {},
        "tags_all": {},
    }


def named(attr: str, value: str, **extra: Any) -> dict[str, Any]:
    """A minimal body of any resource: its naming attribute plus extras."""
    return {attr: value, "tags": {}, "tags_all": {}, **extra}


# What the project-gate tests (test_project_gate*.py) report when the policy gate fails.
def gate_problems(gate: policy_gate.GateResult) -> list[str]:
    """Every reason the gate fails, one line each."""
    problems = [
        f"{scan.name}: {f.check_id} {f.resource} ({f.where()}) {f.check_name}"
        for scan in gate.scans
        for f in scan.failed
    ]
    problems += [
        f"{scan.name}: skip of {f.check_id} on {f.resource} has no reason"
        for scan in gate.scans
        for f in scan.unreasoned_skips
    ]
    problems += [
        f"{scan.name}: checkov crashed (exit {scan.returncode}): {scan.stderr}" for scan in gate.scans if scan.crashed
    ]
    problems += [f"{scan.name}: {scan.parsing_errors} parsing errors" for scan in gate.scans if scan.parsing_errors]
    problems += gate.config_problems
    problems += [f"{env}: {p}" for env, found in gate.wiring_problems.items() for p in found]
    return problems
