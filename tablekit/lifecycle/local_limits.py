"""Changes the local endpoint (moto) cannot apply, found in the plan before anything is applied.

Why predict instead of applying and seeing: moto fails some table updates outright and silently
ignores others. A failed update ("Cannot enable stream") wedges the table: every later setup tries
it again and fails. An ignored one (a new customer-managed key, a removed index's attribute) lets
setup report success while every later plan shows the same update forever. Either way the table
never converges, and the only way out on the local endpoint is a new table. So setup reads its
saved plan first and, for each such change, stops before applying anything and offers the one
command that recreates just that table with its seed data (`./just setup --recreate TABLE`).

The rules, each measured against moto 5.x with the pinned provider (tests/lifecycle):

- re-enabling a stream, or changing the view type of an enabled one: moto refuses to enable a
  stream on a table that ever had one (`ResourceInUseException: Cannot enable stream`);
- dropping an attribute definition (removing a GSI, or changing one's keys): moto keeps the old
  definition, so the plan shows the update forever;
- changing server-side encryption (another customer-managed key, or SSE on/off): moto accepts the
  UpdateTable and ignores it;
- PROVISIONED -> PAY_PER_REQUEST on a table with indexes: moto keeps reporting the indexes'
  capacity, so the next plan wants to clear it again.

A backstop catches what the rules do not know: a table update that the last successful setup
applied and the plan still shows, unchanged, did not reach the endpoint either.

Some resources cannot be created on the local endpoint at all (AWS Backup selections): those stop
setup with the setting to change, since no recreate helps.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tablekit.envs.listings import Remote
from tablekit.errors import OperationFailed, UserError
from tablekit.terraform.plan import Action, Plan, ResourceChange

TABLE = "aws_dynamodb_table"

# Resource types the local endpoint does not implement: what it lacks and which setting avoids it.
UNSUPPORTED: dict[str, str] = {
    "aws_backup_selection": (
        "the local endpoint does not implement AWS Backup selections: keep backup_enabled = false for local "
        "(dev and prod plan and apply it)"
    ),
}


@dataclass(frozen=True)
class Blocked:
    """One planned table change the local endpoint cannot follow."""

    table: str
    address: str
    reason: str


class CannotApplyLocally(OperationFailed):
    """The plan holds table changes the local endpoint cannot follow; nothing was applied."""

    def __init__(self, message: str, blocked: Sequence[Blocked]):
        super().__init__(message)
        self.blocked = list(blocked)


def recreate_command(tables: Sequence[str]) -> str:
    """The one command that recreates exactly these local tables with their seed data."""
    return "./just setup " + " ".join(f"--recreate {name}" for name in sorted(set(tables)))


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _first(value: Any) -> Mapping[str, Any]:
    """First element of a nested block list (Terraform encodes single blocks as lists)."""
    if isinstance(value, list) and value and isinstance(value[0], Mapping):
        return value[0]
    return {}


def _attribute_names(values: Mapping[str, Any]) -> set[str]:
    return {str(a.get("name")) for a in values.get("attribute") or [] if isinstance(a, Mapping)}


def _had_stream(remote: Remote, name: str) -> bool:
    """True when the table on the endpoint ever had a stream (moto then refuses a new one)."""
    try:
        table = remote.client("dynamodb").describe_table(TableName=name)["Table"]
    except Exception as exc:
        if getattr(exc, "response", None):
            return False
        raise
    return bool(table.get("LatestStreamLabel") or table.get("LatestStreamArn"))


def _reasons(rc: ResourceChange, remote: Remote) -> list[str]:
    before, after = _mapping(rc.before), _mapping(rc.after)
    unknown = _mapping(rc.after_unknown)
    name = str(after.get("name") or before.get("name") or "")
    reasons = []
    stream_on = bool(after.get("stream_enabled"))
    if stream_on and not before.get("stream_enabled") and _had_stream(remote, name):
        reasons.append(
            "re-enabling its stream (the local endpoint refuses a new stream on a table that had one: "
            "Cannot enable stream)"
        )
    elif (
        stream_on
        and before.get("stream_enabled")
        and before.get("stream_view_type") != after.get("stream_view_type")
        and not unknown.get("stream_view_type")
    ):
        reasons.append(
            f"changing its stream view type to {after.get('stream_view_type')} (the local endpoint refuses "
            "a new stream on a table that had one)"
        )
    dropped = sorted(_attribute_names(before) - _attribute_names(after))
    if dropped:
        reasons.append(
            f"dropping attribute definition {', '.join(dropped)} (the local endpoint keeps the definitions of "
            "removed indexes, so the plan would show this update forever)"
        )
    sse_before, sse_after = _first(before.get("server_side_encryption")), _first(after.get("server_side_encryption"))
    key_unknown = bool(_first(unknown.get("server_side_encryption")).get("kms_key_arn"))
    key_changed = key_unknown or (
        sse_after.get("kms_key_arn") not in (None, "") and sse_after.get("kms_key_arn") != sse_before.get("kms_key_arn")
    )
    if key_changed or bool(sse_after.get("enabled")) != bool(sse_before.get("enabled")):
        reasons.append(
            "changing its server-side encryption (the local endpoint accepts and ignores it, so the plan "
            "would show this update forever)"
        )
    indexes = before.get("global_secondary_index") or []
    if before.get("billing_mode") == "PROVISIONED" and after.get("billing_mode") == "PAY_PER_REQUEST" and indexes:
        reasons.append(
            "switching to on-demand with indexes (the local endpoint keeps reporting the indexes' capacity, so "
            "the next plan wants to clear it again)"
        )
    return reasons


def fingerprint(rc: ResourceChange) -> str:
    """A stable digest of what an update changes (the attributes that differ, before and after)."""
    before, after = _mapping(rc.before), _mapping(rc.after)
    changed = sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key))
    body = {key: [before.get(key), after.get(key)] for key in changed}
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()[:16]


def table_updates(plan: Plan) -> list[ResourceChange]:
    return plan.changes(types=[TABLE], actions=[Action.UPDATE])


def cannot_apply(plan: Plan, remote: Remote, last_applied: Mapping[str, str] | None = None) -> list[Blocked]:
    """Table updates of the plan the local endpoint cannot follow (rules, then the backstop)."""
    blocked = []
    for rc in table_updates(plan):
        name = str(_mapping(rc.after).get("name") or _mapping(rc.before).get("name") or rc.address)
        reasons = _reasons(rc, remote)
        if not reasons and last_applied and last_applied.get(rc.address) == fingerprint(rc):
            reasons.append(
                "a change the last setup applied without error, which the plan still shows: the local endpoint "
                "did not take it"
            )
        if reasons:
            blocked.append(Blocked(name, rc.address, "; ".join(reasons)))
    return blocked


def require_supported(plan: Plan) -> None:
    """Stop (UserError, nothing applied) when the plan creates what the local endpoint cannot."""
    for rc in plan.changes(actions=[Action.CREATE, Action.REPLACE]):
        why = UNSUPPORTED.get(rc.type)
        if why:
            raise UserError(f"the local plan creates {rc.address}, but {why}; nothing was applied")


def require_applicable(plan: Plan, remote: Remote, last_applied: Mapping[str, str] | None = None) -> None:
    """Raise CannotApplyLocally (with the recreate command) for changes the endpoint cannot follow."""
    blocked = cannot_apply(plan, remote, last_applied)
    if not blocked:
        return
    what = "; ".join(f"{b.table}: {b.reason}" for b in blocked)
    them = "that table" if len(blocked) == 1 else "those tables"
    raise CannotApplyLocally(
        f"the local endpoint cannot apply {len(blocked)} planned table change(s), so nothing was applied ({what}); "
        f"recreate {them} with {'its' if len(blocked) == 1 else 'their'} seed data: "
        f"{recreate_command([b.table for b in blocked])}",
        blocked,
    )


_FAILED_AT = re.compile(r"with (\S+?),\s*$", re.MULTILINE)


def explain_apply_error(output: str, plan: Plan) -> str | None:
    """For an apply that failed on a table update the rules did not foresee: the recreate offer."""
    updates = {rc.address: rc for rc in table_updates(plan)}
    tables = []
    for address in _FAILED_AT.findall(output):
        rc = updates.get(address)
        if rc is not None:
            tables.append(str(_mapping(rc.after).get("name") or address))
    if not tables:
        return None
    return (
        f"the local endpoint refused the update of {', '.join(sorted(set(tables)))}; "
        f"recreate it with its seed data: {recreate_command(tables)}"
    )
