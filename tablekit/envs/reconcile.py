"""Does the Terraform state agree with what the endpoint holds? And what to do when it does not.

Two ways they drift apart, both common on a laptop:

- **The endpoint lost objects the state tracks.** The local endpoint keeps everything in memory:
  after `just down`/`up`, a crash or a reboot it holds nothing, while the state still lists the
  whole estate. Terraform then fails on the first refresh (a KMS key that "does not exist") on
  every retry.
- **The endpoint holds objects the state lacks.** An apply killed half-way created tables, the
  stream processor's function, role, queue and log group, a KMS key, but never wrote them to the
  state. Every rerun fails with "already exists".

For the local env the harness repairs both before it applies (``tablekit.lifecycle.converge``): an endpoint
that lost every tracked object gets a fresh state (the old file is kept next to it); objects lost
one by one are forgotten (`terraform state rm`) so the apply recreates them; objects a planned
create would collide with are deleted, so the saved plan creates them as planned. Deleting rather
than importing is deliberate: `terraform import` re-evaluates the whole estate per object (7.5 s
each, measured; Terraform 1.0 imports one address per run), while the local estate is rebuilt from
code and seed data in seconds.

dev and prod are never repaired automatically: ``require_agreement(plan, clients)`` stops with
the exact `terraform state rm` / `terraform import` commands for a person to review.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tablekit.aws import ClientFactory
from tablekit.envs import holdings as kinds
from tablekit.envs.listings import Remote
from tablekit.errors import OperationFailed
from tablekit.terraform.plan import Action, Plan
from tablekit.terraform.runner import var_args


@dataclass(frozen=True)
class Tracked:
    """One managed resource instance the state records."""

    address: str
    type: str
    attributes: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def object_id(self) -> str:
        found = kinds.kind(self.type)
        return found.tracked_id(self.attributes) if found else str(self.attributes.get("id") or "")


@dataclass(frozen=True)
class Untracked:
    """An object on the endpoint that a planned create would collide with: what the state lacks."""

    address: str
    type: str
    object_id: str


@dataclass(frozen=True)
class PlannedCreate:
    """A create of the plan, with just the values needed to find its object (see Kind.needs)."""

    address: str
    type: str
    after: Mapping[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"address": self.address, "type": self.type, "after": dict(self.after)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlannedCreate:
        return cls(str(data["address"]), str(data["type"]), dict(data.get("after") or {}))


class StateUnreadable(OperationFailed):
    """The local state file exists but is not a Terraform state (e.g. cut short by a kill)."""


# ------------------------------------------------------------------------------------------------
# Reading what the state tracks
# ------------------------------------------------------------------------------------------------


def _index(key: Any) -> str:
    if key is None:
        return ""
    return f"[{json.dumps(key)}]" if isinstance(key, str) else f"[{key}]"


def tracked_in_state(state: Mapping[str, Any]) -> list[Tracked]:
    """Managed instances of a raw state document (the local backend's terraform.tfstate, v4)."""
    found: list[Tracked] = []
    for resource in state.get("resources") or []:
        if resource.get("mode") != "managed":
            continue
        prefix = f"{resource['module']}." if resource.get("module") else ""
        base = f"{prefix}{resource['type']}.{resource['name']}"
        for instance in resource.get("instances") or []:
            if instance.get("deposed"):
                continue
            address = base + _index(instance.get("index_key"))
            found.append(Tracked(address, str(resource["type"]), dict(instance.get("attributes") or {})))
    return found


def tracked_in_values(values: Mapping[str, Any]) -> list[Tracked]:
    """Managed instances of `terraform show -json` values (a state's, or a plan's prior_state)."""
    found: list[Tracked] = []

    def walk(module: Mapping[str, Any]) -> None:
        for resource in module.get("resources") or []:
            if resource.get("mode") == "managed":
                found.append(
                    Tracked(str(resource["address"]), str(resource["type"]), dict(resource.get("values") or {}))
                )
        for child in module.get("child_modules") or []:
            walk(child)

    walk(values.get("root_module") or {})
    return found


def read_state_file(path: Path) -> list[Tracked] | None:
    """What a local state file tracks; None when there is no file; StateUnreadable when it is not JSON."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return None
    try:
        data = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as exc:
        raise StateUnreadable(f"{path} is not a Terraform state ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(data, Mapping):
        raise StateUnreadable(f"{path} is not a Terraform state (a JSON {type(data).__name__})")
    return tracked_in_state(data)


# ------------------------------------------------------------------------------------------------
# Comparing with the endpoint
# ------------------------------------------------------------------------------------------------


@dataclass
class StateCheck:
    """Every tracked instance, sorted by what the endpoint says about it."""

    present: list[Tracked] = field(default_factory=list)
    missing: list[Tracked] = field(default_factory=list)
    unknown: list[Tracked] = field(default_factory=list)

    @property
    def tracked(self) -> int:
        return len(self.present) + len(self.missing) + len(self.unknown)

    @property
    def lost(self) -> bool:
        """The endpoint holds none of what the state tracks (it restarted, or is another endpoint)."""
        return bool(self.missing) and not self.present

    @property
    def agrees(self) -> bool:
        return not self.missing


def check_state(tracked: Iterable[Tracked], remote: Remote) -> StateCheck:
    """Ask the endpoint about every tracked instance (memoised listings: a handful of calls)."""
    check = StateCheck()
    for entry in tracked:
        answer = kinds.present(remote, entry.type, entry.attributes)
        (check.present if answer else check.missing if answer is False else check.unknown).append(entry)
    return check


def planned_creates(plan: Plan) -> list[PlannedCreate]:
    """Every create of a plan (replacements included), with the values its Kind needs."""
    found = []
    for rc in plan.changes(actions=[Action.CREATE, Action.REPLACE, Action.REPLACE_FORGET]):
        kind = kinds.kind(rc.type)
        after = rc.after if isinstance(rc.after, Mapping) else {}
        keep = set(kind.needs) | {"tags"} if kind else set()
        found.append(PlannedCreate(rc.address, rc.type, {k: after.get(k) for k in sorted(keep) if k in after}))
    return found


def find_untracked(creates: Iterable[PlannedCreate], remote: Remote, tracked: Iterable[Tracked]) -> list[Untracked]:
    """Objects on the endpoint that planned creates would collide with (the state does not track them).

    A replaced instance's own object is tracked (its ID is in the state), so it never counts.
    """
    tracked_ids = {entry.object_id for entry in tracked}
    found: list[Untracked] = []
    seen: set[tuple[str, str]] = set()
    for create in creates:
        for object_id in kinds.collisions(remote, create.type, create.after, tracked_ids):
            if (create.type, object_id) not in seen:
                seen.add((create.type, object_id))
                found.append(Untracked(create.address, create.type, object_id))
    return found


# ------------------------------------------------------------------------------------------------
# Local repairs
# ------------------------------------------------------------------------------------------------

# Dependents first, so nothing is deleted while something else still refers to it.
_DELETE_ORDER = [
    "aws_lambda_event_source_mapping",
    "aws_cloudwatch_metric_alarm",
    "aws_appautoscaling_policy",
    "aws_appautoscaling_target",
    "aws_backup_selection",
    "aws_backup_plan",
    "aws_backup_vault",
    "aws_lambda_function",
    "aws_cloudwatch_log_group",
    "aws_iam_role_policy",
    "aws_iam_role_policy_attachment",
    "aws_iam_role",
    "aws_sqs_queue",
    "aws_dynamodb_table",
    "aws_kms_alias",
    "aws_kms_key",
]


def delete_untracked(remote: Remote, items: Sequence[Untracked]) -> None:
    """Delete objects an interrupted apply left behind (local only: the saved plan recreates them)."""
    order = {kind: position for position, kind in enumerate(_DELETE_ORDER)}
    for item in sorted(items, key=lambda i: (order.get(i.type, -1), i.address)):
        kind = kinds.kind(item.type)
        if kind is not None:
            kind.delete(remote, item.object_id)
    remote.forget()


def set_aside(state_path: Path) -> Path | None:
    """Move a state file out of the way (kept as `<name>.lost`); returns where it went."""
    if not state_path.exists():
        return None
    kept = state_path.with_name(state_path.name + ".lost")
    state_path.replace(kept)
    return kept


# ------------------------------------------------------------------------------------------------
# dev and prod: never repaired, only explained
# ------------------------------------------------------------------------------------------------


@dataclass
class Review:
    """What a person must decide before a real env's plan can be trusted."""

    forget: list[Tracked] = field(default_factory=list)  # tracked, but gone from the account
    adopt: list[Untracked] = field(default_factory=list)  # in the account, but not tracked
    unknown: list[Tracked] = field(default_factory=list)

    @property
    def agrees(self) -> bool:
        return not self.forget and not self.adopt

    def commands(self, variables: Mapping[str, object] | None = None, var_files: Sequence[Path] = ()) -> list[str]:
        """The exact commands, quoted for a POSIX shell, to run in the env's directory after review."""
        lines = [shlex.join(["terraform", "state", "rm", entry.address]) for entry in self.forget]
        for item in self.adopt:
            args = [
                "terraform",
                "import",
                "-input=false",
                *var_args(variables, var_files),
                item.address,
                item.object_id,
            ]
            lines.append(shlex.join(args))
        return lines


class StateMismatch(OperationFailed):
    """A real env's state and account disagree; the message carries the commands to review."""

    def __init__(self, message: str, review: Review):
        super().__init__(message)
        self.review = review


def review(plan: Plan, clients: ClientFactory) -> Review:
    """Compare a dev/prod plan's prior state and its creates with the account the clients reach.

    Read-only: one listing per resource type and a describe per KMS key. Nothing is changed.
    """
    remote = Remote(clients)
    prior = plan.raw.get("prior_state") or {}
    tracked = tracked_in_values(prior.get("values") or {}) if isinstance(prior, Mapping) else []
    check = check_state(tracked, remote)
    adopt = find_untracked(planned_creates(plan), remote, tracked)
    return Review(forget=check.missing, adopt=adopt, unknown=check.unknown)


def require_agreement(
    plan: Plan,
    clients: ClientFactory,
    env: str,
    variables: Mapping[str, object] | None = None,
    var_files: Sequence[Path] = (),
) -> Review:
    """For dev/prod before an apply: raise StateMismatch with the commands when state and account
    disagree (objects the state tracks are gone, or objects a create would collide with exist);
    returns the (agreeing) review otherwise. Never changes anything."""
    found = review(plan, clients)
    if found.agrees:
        return found
    parts = []
    if found.forget:
        parts.append(f"{len(found.forget)} resource(s) in the state no longer exist")
    if found.adopt:
        parts.append(f"{len(found.adopt)} planned create(s) would collide with existing objects the state lacks")
    commands = "\n".join(f"  {line}" for line in found.commands(variables, var_files))
    raise StateMismatch(
        f"the {env} state and its account disagree ({'; '.join(parts)}); nothing was applied. Review each "
        f"object, then run the commands that apply in envs/{env} with its backend and plan again:\n{commands}",
        found,
    )
