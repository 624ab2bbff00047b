"""Judging a plan made against an older release's state: which destroys and replacements lose data.

A data-bearing resource (`DATA_BEARING`) that is destroyed or replaced, or an object that only
moved address without its migration (`IDENTITY` attributes agree), is a finding that fails the
check unless an allow entry names it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from tablekit.terraform.plan import Action, Plan, ResourceChange
from tablekit.upgrade import migrations
from tablekit.upgrade.allowlist import AllowEntry

# Resource types whose destruction loses data (or makes it unreadable), with what is lost.
DATA_BEARING: dict[str, str] = {
    "aws_dynamodb_table": "a table and all its items",
    "aws_dynamodb_table_item": "a table item",
    "aws_dynamodb_table_replica": "a global-table replica",
    "aws_dynamodb_global_table": "a global table",
    "aws_kms_key": "a KMS key: everything encrypted with it becomes unreadable",
    "aws_kms_replica_key": "a KMS replica key: the replica's data becomes unreadable",
    "aws_backup_vault": "a backup vault and its recovery points",
    "aws_s3_bucket": "an S3 bucket and its objects (e.g. Terraform state)",
}


# Attributes that identify the real object: a delete and a create of the same type that agree on
# every one they both have are the same object at a new address (a move without its migration).
IDENTITY = (
    "name",
    "alarm_name",
    "function_name",
    "bucket",
    "role",
    "table_name",
    "hash_key",
    "range_key",
    "resource_id",
    "scalable_dimension",
    "event_source_arn",
    "description",
)


class Verdict(StrEnum):
    FAIL = "FAIL"
    ALLOWED = "allowed"
    NOTED = "no data lost"


@dataclass(frozen=True)
class Finding:
    """One destroy or replacement in an env's plan, and what the check makes of it."""

    env: str
    address: str
    type: str
    action: str  # "delete", "replace", "replica removed"
    object: str  # the real object's name (table name, alarm name, ...) when known
    reason: str
    data_bearing: bool
    verdict: Verdict
    moved_to: str | None = None
    allowed_by: AllowEntry | None = None

    @property
    def suggestion(self) -> str:
        """The migration line that would keep the object, for a move without one."""
        if not self.moved_to:
            return ""
        source, destination = move_pair(self.address, self.moved_to)
        return migrations.Move(source, destination, Path("unreleased.txt"), 0).command()


def _split_resource(address: str) -> tuple[str, str]:
    """("module.a.module.b[0]", "aws_x.name[key]") -- the module path and the resource part."""
    match = re.search(r"(?:^|\.)((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*(?:\[[^\]]*\])?)$", address)
    if match is None:
        return "", address
    return address[: match.start(1)].rstrip("."), match.group(1)


def move_pair(source: str, destination: str) -> tuple[str, str]:
    """The move to suggest: the whole module instance when only the module path changed (so the
    table's alarms and autoscaling move with it), else the resource itself."""
    source_module, source_resource = _split_resource(source)
    destination_module, destination_resource = _split_resource(destination)
    if source_module and destination_module and source_resource == destination_resource:
        return source_module, destination_module
    return source, destination


def _path_text(path: Sequence[Any]) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


def _object_name(values: Any) -> str:
    if not isinstance(values, Mapping):
        return ""
    for key in ("name", "alarm_name", "function_name", "bucket", "table_name", "description"):
        value = values.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def _same_object(deleted: ResourceChange, created: ResourceChange) -> bool:
    if deleted.type != created.type:
        return False
    before, after = deleted.before or {}, created.after or {}
    if not isinstance(before, Mapping) or not isinstance(after, Mapping):
        return False
    shared = [key for key in IDENTITY if before.get(key) is not None and after.get(key) is not None]
    return bool(shared) and all(before[key] == after[key] for key in shared)


def _replica_regions(values: Any) -> set[str]:
    if not isinstance(values, Mapping):
        return set()
    return {str(r.get("region_name")) for r in values.get("replica") or [] if isinstance(r, Mapping)}


def judge(env: str, plan: Plan, allow: Sequence[AllowEntry] = ()) -> list[Finding]:
    """Every destroy/replace (and replica removal) of the plan, with its reason and verdict."""
    creates = plan.changes(actions=[Action.CREATE])
    found: list[Finding] = []

    def add(rc: ResourceChange, action: str, reason: str, data_bearing: bool, moved_to: str | None = None) -> None:
        allowed = next((entry for entry in allow if entry.matches(env, rc.address)), None)
        if allowed is not None:
            verdict = Verdict.ALLOWED
        elif data_bearing or moved_to:
            verdict = Verdict.FAIL
        else:
            verdict = Verdict.NOTED
        found.append(
            Finding(
                env=env,
                address=rc.address,
                type=rc.type,
                action=action,
                object=_object_name(rc.before),
                reason=reason,
                data_bearing=data_bearing,
                verdict=verdict,
                moved_to=moved_to,
                allowed_by=allowed,
            )
        )

    for rc in plan.managed():
        data = rc.type in DATA_BEARING
        if rc.action == Action.REPLACE:
            reason = rc.reason or "Terraform must replace it"
            if rc.replace_paths:
                reason += ": " + ", ".join(_path_text(p) for p in rc.replace_paths)
            if data:
                reason += f" (loses {DATA_BEARING[rc.type]})"
            add(rc, "replace", reason, data)
        elif rc.action == Action.DELETE:
            twin = next((c for c in creates if _same_object(rc, c)), None)
            if twin is not None:
                reason = f"its address changed to {twin.address} without a migration"
            else:
                reason = rc.reason or "it is no longer in the configuration"
            if rc.deposed:
                reason = f"a deposed object left by an earlier failed replacement ({rc.deposed})"
            if data:
                reason += f" (loses {DATA_BEARING[rc.type]})"
            add(rc, "delete", reason, data, twin.address if twin is not None else None)
        elif rc.action == Action.UPDATE and rc.type == "aws_dynamodb_table":
            gone = sorted(_replica_regions(rc.before) - _replica_regions(rc.after))
            if gone:
                reason = f"replica in {', '.join(gone)} removed: that region's copy of the table is deleted"
                add(rc, "replica removed", reason, True)
    return found
