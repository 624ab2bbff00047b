"""The reviewed list of changes that lose data, with the reason a reviewer is shown for each.

Why a list in one place: "does this plan destroy data?" is the question the PR comment exists to
answer, and the answer is not "is it a table". A destroyed KMS key makes every table, backup and
state object encrypted with it unreadable once its deletion window ends; a backup vault takes its
recovery points with it; a table update that drops a `replica` block deletes that region's copy.
Each entry below was reviewed against what AWS does when Terraform destroys (or replaces) that
type; adding a type here is how a new kind of loss gets onto the data-loss banner. Any other
destroy still gets a plain warning line in the comment, never silence.

Standard library only (CI renders the comment from a bare checkout).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from tablekit.terraform.plan import Action, Plan, ResourceChange

# type -> what is lost when Terraform destroys (or replaces) an object of that type.
DESTROY_LOSSES: Mapping[str, str] = {
    "aws_dynamodb_table": "every item in the table is deleted; a replacement starts empty",
    "aws_dynamodb_table_item": "the item is deleted from its table",
    "aws_dynamodb_table_replica": "that region's copy of the table and its items is deleted",
    "aws_dynamodb_global_table": "the global table and every regional copy of its items are deleted",
    "aws_kms_key": (
        "the key is scheduled for deletion: once the window ends, every table, backup and state object "
        "encrypted with it is unreadable for good (cancel it with aws kms cancel-key-deletion before then)"
    ),
    "aws_kms_replica_key": (
        "the replica key is scheduled for deletion: data encrypted with it in that region becomes unreadable"
    ),
    "aws_backup_vault": "every recovery point in the vault is deleted with it",
    "aws_backup_plan": "no new recovery points are taken for the resources it covered",
    "aws_backup_selection": "the resources it selected are no longer backed up",
    "aws_s3_bucket": (
        "the bucket and its objects are deleted (for the Terraform state bucket: every env's state and its history)"
    ),
}
# Queues are data only when they hold dead letters (messages that failed and wait to be replayed).
DEAD_LETTER_QUEUE = "aws_sqs_queue"
DEAD_LETTER_LOSS = "the dead letters waiting in the queue (failed records to replay) are deleted"
LOCK_TABLE_LOSS = "this is a Terraform state lock table: every env locking with it loses its lock (and digests)"
REPLICA_LOSS = "removing the replica deletes that region's copy of the table and its items"
PITR_LOSS = "switching point-in-time recovery off discards the table's continuous backups (every restore point)"


@dataclass(frozen=True)
class Loss:
    """One data loss a plan causes: which change, what is lost, and (for replicas) where."""

    change: ResourceChange
    reason: str
    region: Any = None  # a removed replica's region_name (a raw value: mask it before printing)
    region_index: int | None = None  # its position in `before.replica`, to find its sensitivity mark


def _body(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _blocks(value: Any) -> list[Mapping[str, Any]]:
    return [b for b in value if isinstance(b, dict)] if isinstance(value, list) else []


def _names(values: Iterable[Any]) -> set[str]:
    """String leaves of queue names/ARNs and redrive policies, to find which queues are DLQs."""
    found: set[str] = set()
    for value in values:
        if isinstance(value, str):
            try:
                parsed = json.loads(value)
            except ValueError:
                parsed = None
            if isinstance(parsed, dict):
                found |= _names(parsed.values())
            else:
                found.add(value)
        elif isinstance(value, dict):
            found |= _names(value.values())
        elif isinstance(value, list):
            found |= _names(value)
    return found


def dead_letter_targets(plan: Plan) -> set[str]:
    """ARNs/URLs/names that some queue's redrive policy or a mapping's on-failure destination points at."""
    refs: list[Any] = []
    for rc in plan.resource_changes:
        for body in (_body(rc.before), _body(rc.after)):
            if rc.type == "aws_sqs_queue" and body.get("redrive_policy"):
                refs.append(body["redrive_policy"])
            if rc.type in ("aws_lambda_event_source_mapping", "aws_lambda_function_event_invoke_config"):
                refs.append(body.get("destination_config"))
    return _names(refs)


def _is_dead_letter_queue(rc: ResourceChange, targets: set[str]) -> bool:
    body = _body(rc.before) or _body(rc.after)
    name = body.get("name")
    ids = {str(body.get(k)) for k in ("arn", "id", "url", "name") if body.get(k)}
    if ids & targets:
        return True
    if body.get("redrive_allow_policy"):
        return True
    label = f"{rc.name} {name if isinstance(name, str) else ''}".lower()
    return any(word in label for word in ("dlq", "dead-letter", "deadletter", "dead_letter"))


def _destroy_reason(rc: ResourceChange, targets: set[str]) -> str | None:
    if rc.type == DEAD_LETTER_QUEUE:
        return DEAD_LETTER_LOSS if _is_dead_letter_queue(rc, targets) else None
    reason = DESTROY_LOSSES.get(rc.type)
    if reason and rc.type == "aws_dynamodb_table" and _body(rc.before).get("hash_key") == "LockID":
        return f"{reason}; {LOCK_TABLE_LOSS}"
    return reason


def _update_losses(rc: ResourceChange) -> list[Loss]:
    """Losses of in-place updates: replicas dropped from a table, PITR switched off."""
    if rc.type not in ("aws_dynamodb_table", "aws_dynamodb_global_table"):
        return []
    before, after = _body(rc.before), _body(rc.after)
    losses: list[Loss] = []
    kept = {json.dumps(b.get("region_name"), sort_keys=True) for b in _blocks(after.get("replica"))}
    for index, block in enumerate(before.get("replica") or []):
        if isinstance(block, dict) and json.dumps(block.get("region_name"), sort_keys=True) not in kept:
            losses.append(Loss(rc, REPLICA_LOSS, region=block.get("region_name"), region_index=index))
    was = _blocks(before.get("point_in_time_recovery"))
    now = _blocks(after.get("point_in_time_recovery"))
    if was and was[0].get("enabled") is True and not (now and now[0].get("enabled") is True):
        losses.append(Loss(rc, PITR_LOSS))
    return losses


def losses(plan: Plan) -> list[Loss]:
    """Every data loss of a plan, in plan order (managed resources only; deposed objects included)."""
    targets = dead_letter_targets(plan)
    found: list[Loss] = []
    for rc in plan.managed():
        if rc.action.destroys:
            reason = _destroy_reason(rc, targets)
            if reason:
                found.append(Loss(rc, reason))
        elif rc.action == Action.UPDATE:
            found += _update_losses(rc)
    return found
