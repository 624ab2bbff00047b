"""The one model of a Terraform plan (`terraform show -json PLANFILE`), read by everything else.

Why one model: the PR comment, the plan inventories, `adopt`, `upgrade-check`, the env commands
and the tests all ask the same questions of a plan (what is created, destroyed, replaced, imported,
moved, forgotten), and each used to answer them with its own loop over `resource_changes` -- with
different meanings of "replace". Here every question has one answer:

- ``Action`` is the single classification of Terraform's action list, including the ones that
  are easy to miss (`create`+`delete` is a replacement whichever comes first, `forget` removes an
  object from state without destroying it);
- ``ResourceChange`` carries what Terraform says about one instance (import, previous address,
  deposed key, action reason, replace paths) next to its values and their sensitivity and
  unknown marks, untouched, so renderers can mask values by walking value and mark together;
- ``Plan.parse`` refuses what is not a plan (a state file, a provider schema, an HCP Terraform
  redacted plan, malformed shapes) with one line naming what it got, before any caller trusts its absence of changes.

Standard library only: CI renders the PR comment from a bare checkout without the project venv.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from tablekit.errors import UserError


class PlanError(UserError):
    """The input is not `terraform show -json` output of a plan (or is malformed)."""


class Action(StrEnum):
    """What applying the plan does to one resource instance (one meaning per word, project-wide)."""

    NOOP = "no-op"
    CREATE = "create"
    READ = "read"
    UPDATE = "update"
    REPLACE = "replace"  # destroy and create, in either order (see ResourceChange.create_first)
    DELETE = "delete"
    FORGET = "forget"  # removed from state, the real object is kept (Terraform >= 1.7 `removed`)
    REPLACE_FORGET = "create-then-forget"  # a new object is created, the old one is only forgotten

    @property
    def destroys(self) -> bool:
        """True when the real object is destroyed (its data, if any, is gone)."""
        return self in (Action.DELETE, Action.REPLACE)

    @property
    def changes(self) -> bool:
        """True for every action that changes infrastructure or state (not no-op, not read)."""
        return self not in (Action.NOOP, Action.READ)


# Terraform's action lists (plans/action.go, as encoded by `terraform show -json`).
_ACTIONS: dict[tuple[str, ...], Action] = {
    ("no-op",): Action.NOOP,
    ("create",): Action.CREATE,
    ("read",): Action.READ,
    ("update",): Action.UPDATE,
    ("delete", "create"): Action.REPLACE,
    ("create", "delete"): Action.REPLACE,
    ("delete",): Action.DELETE,
    ("forget",): Action.FORGET,
    ("create", "forget"): Action.REPLACE_FORGET,
}

# Why Terraform chose an action, in words a reviewer reads (`action_reason` in plan JSON).
ACTION_REASONS: dict[str, str] = {
    "replace_because_tainted": "the object is tainted (a previous apply failed half-way)",
    "replace_because_cannot_update": "an argument that cannot be changed in place changed",
    "replace_by_request": "replacement was requested with -replace",
    "replace_by_triggers": "a replace_triggered_by reference changed",
    "delete_because_no_resource_config": "its resource block was removed from the configuration",
    "delete_because_no_module": "its module call was removed from the configuration",
    "delete_because_wrong_repetition": "count/for_each was added or removed on its resource",
    "delete_because_count_index": "its count index is now out of range",
    "delete_because_each_key": "its for_each key no longer exists",
    "delete_because_no_move_target": "a moved block points at an address that does not exist",
    "read_because_config_unknown": "its configuration depends on values known only after apply",
    "read_because_dependency_pending": "it depends on a resource with pending changes",
    "read_because_check_nested": "it is read by a check block",
}


def classify(actions: Sequence[str]) -> Action:
    """Terraform's action list -> one Action; an unknown list is an error, never a silent no-op."""
    try:
        return _ACTIONS[tuple(actions)]
    except (KeyError, TypeError):
        raise PlanError(f"unknown Terraform action list {list(actions)!r}: update tablekit.terraform.plan") from None


_KIND_NAMES: dict[type, str] = {dict: "an object", list: "a list", str: "a string"}


def _require(value: Any, kind: type, where: str) -> Any:
    if not isinstance(value, kind):
        expected = _KIND_NAMES.get(kind, kind.__name__)
        raise PlanError(f"malformed plan JSON: {_one_line(where)} should be {expected}, got {type(value).__name__}")
    return value


def _one_line(where: str) -> str:
    """A field path as one printable line: its keys come from the plan (an output may be named
    "a\nb"), and a refusal is one line whatever the input holds."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in where)


def _optional(value: Any, kind: type, where: str) -> Any:
    """A field Terraform writes only sometimes: absent/null, or of the given type."""
    return None if value is None else _require(value, kind, where)


@dataclass(frozen=True)
class Importing:
    """The plan imports an existing object (Terraform >= 1.5 `import` blocks)."""

    id: str | None
    identity: Any = None


@dataclass(frozen=True)
class ResourceChange:
    """One resource instance of `resource_changes` (or `resource_drift`), as Terraform wrote it."""

    address: str
    type: str
    name: str
    mode: str
    action: Action
    actions: tuple[str, ...]
    module_address: str | None = None
    index: Any = None
    provider_name: str = ""
    previous_address: str | None = None
    deposed: str | None = None
    action_reason: str | None = None
    replace_paths: tuple[tuple[Any, ...], ...] = ()
    importing: Importing | None = None
    generated_config: str | None = None
    before: Any = None
    after: Any = None
    after_unknown: Any = None
    before_sensitive: Any = False
    after_sensitive: Any = False

    @classmethod
    def parse(cls, entry: Any, where: str) -> ResourceChange:
        entry = _require(entry, dict, where)
        change = _require(entry.get("change"), dict, f"{where}.change")
        actions = _require(change.get("actions"), list, f"{where}.change.actions")
        address = _require(entry.get("address"), str, f"{where}.address")
        importing = change.get("importing")
        if importing is not None:
            importing = _require(importing, dict, f"{where}.change.importing")
            importing = Importing(
                id=_optional(importing.get("id"), str, f"{where}.change.importing.id"),
                identity=importing.get("identity"),
            )
        paths = _require(change.get("replace_paths") or [], list, f"{where}.change.replace_paths")
        for i, step_list in enumerate(paths):
            _require(step_list, list, f"{where}.change.replace_paths[{i}]")
        for key in ("module_address", "previous_address", "deposed", "action_reason"):
            _optional(entry.get(key), str, f"{where}.{key}")
        _optional(change.get("generated_config"), str, f"{where}.change.generated_config")
        return cls(
            address=address,
            type=str(entry.get("type", "")),
            name=str(entry.get("name", "")),
            mode=str(entry.get("mode", "managed")),
            action=classify(actions),
            actions=tuple(str(a) for a in actions),
            module_address=entry.get("module_address"),
            index=entry.get("index"),
            provider_name=str(entry.get("provider_name", "")),
            previous_address=entry.get("previous_address"),
            deposed=entry.get("deposed"),
            action_reason=entry.get("action_reason"),
            replace_paths=tuple(tuple(p) for p in paths),
            importing=importing,
            generated_config=change.get("generated_config"),
            before=change.get("before"),
            after=change.get("after"),
            after_unknown=change.get("after_unknown"),
            before_sensitive=change.get("before_sensitive", False),
            after_sensitive=change.get("after_sensitive", False),
        )

    # -- what it is ----------------------------------------------------------------------------

    @property
    def managed(self) -> bool:
        return self.mode == "managed"

    @property
    def is_import(self) -> bool:
        return self.importing is not None

    @property
    def is_move(self) -> bool:
        return bool(self.previous_address) and self.previous_address != self.address

    @property
    def destroys(self) -> bool:
        """The real object is destroyed by this change (delete, replace, or a deposed object's delete)."""
        return self.action.destroys

    @property
    def is_deposed(self) -> bool:
        """A deposed object: left behind by a create-before-destroy replacement whose destroy failed."""
        return bool(self.deposed)

    @property
    def create_first(self) -> bool:
        """For a replacement: the new object is created before the old one is destroyed."""
        return self.actions == ("create", "delete")

    @property
    def noteworthy(self) -> bool:
        """Anything a reviewer must see: a real action, an import, a move (even with no-op values)."""
        return self.action.changes or self.is_import or self.is_move

    @property
    def reason(self) -> str:
        """Terraform's action_reason in words ("" when it gave none or an unknown one)."""
        return ACTION_REASONS.get(self.action_reason or "", "")

    @property
    def body(self) -> Any:
        """The values that describe the object: after, or before for a destroy."""
        return self.before if self.action == Action.DELETE or self.after is None else self.after


@dataclass(frozen=True)
class OutputChange:
    """One root output's planned change (`output_changes`)."""

    name: str
    action: Action
    before: Any = None
    after: Any = None
    after_unknown: Any = False
    before_sensitive: Any = False
    after_sensitive: Any = False

    @classmethod
    def parse(cls, name: str, change: Any) -> OutputChange:
        where = f"output_changes.{name}"
        change = _require(change, dict, where)
        return cls(
            name=name,
            action=classify(_require(change.get("actions"), list, f"{where}.actions")),
            before=change.get("before"),
            after=change.get("after"),
            after_unknown=change.get("after_unknown", False),
            before_sensitive=change.get("before_sensitive", False),
            after_sensitive=change.get("after_sensitive", False),
        )


@dataclass(frozen=True)
class Counts:
    """How many resource instances each action touches; a replacement counts only as a replace."""

    create: int = 0
    update: int = 0
    delete: int = 0
    replace: int = 0
    read: int = 0
    forget: int = 0
    imports: int = 0
    moves: int = 0

    @property
    def destroys(self) -> int:
        return self.delete + self.replace

    @property
    def total(self) -> int:
        return self.create + self.update + self.delete + self.replace + self.forget + self.imports + self.moves

    def line(self) -> str:
        """`3 to add, 1 to change, 0 to destroy, 2 to replace` (+ import/move/forget when present)."""
        parts = [
            f"{self.create} to add",
            f"{self.update} to change",
            f"{self.delete} to destroy",
            f"{self.replace} to replace",
        ]
        extra = ((self.imports, "import"), (self.moves, "move"), (self.forget, "forget"))
        parts += [f"{n} to {word}" for n, word in extra if n]
        return ", ".join(parts)


@dataclass(frozen=True)
class Plan:
    """A parsed `terraform show -json` plan."""

    format_version: str
    terraform_version: str
    resource_changes: tuple[ResourceChange, ...] = ()
    resource_drift: tuple[ResourceChange, ...] = ()
    output_changes: tuple[OutputChange, ...] = ()
    relevant_attributes: tuple[tuple[str, tuple[Any, ...]], ...] | None = None
    errored: bool = False
    applyable: bool | None = None
    complete: bool | None = None
    variables: Mapping[str, Any] = field(default_factory=dict)
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    # -- reading -------------------------------------------------------------------------------

    @classmethod
    def parse(cls, data: Any, source: str = "input") -> Plan:
        """Validate and wrap plan JSON; anything that is not a plan raises PlanError naming `source`."""
        if not isinstance(data, dict):
            raise PlanError(f"{source}: not a Terraform plan (`terraform show -json PLANFILE` output is a JSON object)")
        if "plan_format_version" in data:
            # HCP Terraform's run API serves this for a run's plan: changes plus the provider
            # schemas, no `format_version`, sensitive values already gone (not what `show` prints).
            raise PlanError(
                f"{source}: this is an HCP Terraform redacted plan (`plan_format_version`), not a plan: "
                "run `terraform show -json PLANFILE` on a saved plan"
            )
        if "provider_schemas" in data:
            raise PlanError(f"{source}: this is a provider schema (`terraform providers schema -json`), not a plan")
        if "lineage" in data or "serial" in data:
            raise PlanError(f"{source}: this is a raw state file (terraform.tfstate), not a plan")
        if "values" in data and "planned_values" not in data:
            raise PlanError(f"{source}: this is a state (`terraform show -json` without a plan file), not a plan")
        if "format_version" not in data or not any(
            key in data for key in ("planned_values", "resource_changes", "output_changes", "configuration")
        ):
            raise PlanError(f"{source}: not a Terraform plan: run `terraform show -json PLANFILE` on a saved plan")
        try:
            changes = _require(data.get("resource_changes") or [], list, "resource_changes")
            drift = _require(data.get("resource_drift") or [], list, "resource_drift")
            outputs = _require(data.get("output_changes") or {}, dict, "output_changes")
            relevant = data.get("relevant_attributes")
            relevant_parsed = None
            if relevant is not None:
                relevant_parsed = tuple(
                    (
                        str(_require(item, dict, f"relevant_attributes[{i}]").get("resource", "")),
                        tuple(_require(item.get("attribute") or [], list, f"relevant_attributes[{i}].attribute")),
                    )
                    for i, item in enumerate(_require(relevant, list, "relevant_attributes"))
                )
            variables = _require(data.get("variables") or {}, dict, "variables")
            return cls(
                format_version=str(data["format_version"]),
                terraform_version=str(data.get("terraform_version", "")),
                resource_changes=tuple(
                    ResourceChange.parse(entry, f"resource_changes[{i}]") for i, entry in enumerate(changes)
                ),
                resource_drift=tuple(
                    ResourceChange.parse(entry, f"resource_drift[{i}]") for i, entry in enumerate(drift)
                ),
                output_changes=tuple(OutputChange.parse(str(k), v) for k, v in sorted(outputs.items())),
                relevant_attributes=relevant_parsed,
                errored=bool(data.get("errored", False)),
                applyable=data.get("applyable"),
                complete=data.get("complete"),
                variables=variables,
                raw=data,
            )
        except PlanError as exc:
            raise PlanError(f"{source}: {exc}") from None

    @classmethod
    def from_ui_messages(cls, messages: Iterable[Mapping[str, Any]]) -> Plan:
        """A Plan from the machine-readable UI of `terraform plan|apply -json` (one JSON object per line).

        Why a second reader: a test step that applies and checks what was planned would otherwise
        need a saved plan plus a `terraform show -json` process. The UI stream carries addresses,
        actions, reasons, moves and imports (not values), so the Plan it gives has no before/after.
        """
        changes: list[ResourceChange] = []
        outputs: dict[str, Any] = {}
        version = ""
        for message in messages:
            kind = message.get("type")
            if kind == "version":
                version = str(message.get("terraform", ""))
            elif kind == "planned_change":
                changes.append(_ui_change(message.get("change") or {}))
            elif kind == "outputs":
                outputs = dict(message.get("outputs") or {})
        return cls(
            format_version="ui",
            terraform_version=version,
            resource_changes=tuple(changes),
            raw={"outputs": {name: out.get("value") for name, out in outputs.items() if "value" in out}},
        )

    @classmethod
    def of(cls, plan: Plan | Mapping[str, Any]) -> Plan:
        """A Plan as is, or plan JSON parsed (for functions that accept either)."""
        return plan if isinstance(plan, Plan) else cls.parse(dict(plan))

    @classmethod
    def load(cls, path: Path | str) -> Plan:
        """Read a plan JSON file; unreadable or non-JSON files raise PlanError with the path."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise PlanError(f"{path}: no such file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise PlanError(f"{path}: cannot read it ({exc})") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PlanError(
                f"{path}: not JSON (line {exc.lineno}: {exc.msg}); give `terraform show -json PLANFILE` output"
            ) from None
        return cls.parse(data, source=str(path))

    # -- asking --------------------------------------------------------------------------------

    @property
    def configuration(self) -> Mapping[str, Any]:
        """The plan's `configuration` section (expressions and references of every module call), as is."""
        config = self.raw.get("configuration") or {}
        return config if isinstance(config, Mapping) else {}

    def managed(self) -> Iterator[ResourceChange]:
        """Managed resources only (data sources are reads, never changes)."""
        return (rc for rc in self.resource_changes if rc.managed)

    def changes(
        self, *, types: Iterable[str] | None = None, actions: Iterable[Action] | None = None, module: str | None = None
    ) -> list[ResourceChange]:
        """Managed resource changes filtered by type, action and module address prefix."""
        wanted_types = set(types) if types is not None else None
        wanted_actions = set(actions) if actions is not None else None
        prefix = f"{module}." if module else ""
        return [
            rc
            for rc in self.managed()
            if (wanted_types is None or rc.type in wanted_types)
            and (wanted_actions is None or rc.action in wanted_actions)
            and rc.address.startswith(prefix)
        ]

    def destroyed(self, types: Iterable[str] | None = None) -> list[ResourceChange]:
        """Every managed instance whose real object the plan destroys (delete or replace)."""
        return [rc for rc in self.changes(types=types) if rc.destroys]

    def counts(self, module: str | None = None) -> Counts:
        """Counts of managed changes (a replace is one replace, not an add plus a destroy)."""
        tally: Counter[str] = Counter()
        for rc in self.changes(module=module):
            if rc.action in (Action.CREATE, Action.UPDATE, Action.DELETE, Action.REPLACE, Action.FORGET):
                tally[rc.action.value] += 1
            elif rc.action == Action.REPLACE_FORGET:
                tally["create"] += 1
                tally["forget"] += 1
            tally["imports"] += rc.is_import
            tally["moves"] += rc.is_move
        reads = sum(1 for rc in self.resource_changes if rc.action == Action.READ)
        return Counts(
            create=tally["create"],
            update=tally["update"],
            delete=tally["delete"],
            replace=tally["replace"],
            forget=tally["forget"],
            read=reads,
            imports=tally["imports"],
            moves=tally["moves"],
        )

    @property
    def has_changes(self) -> bool:
        """True when applying would change infrastructure, state or outputs."""
        return any(rc.noteworthy for rc in self.managed()) or any(o.action.changes for o in self.output_changes)

    def relevant_paths(self, address: str) -> list[tuple[Any, ...]] | None:
        """Attribute paths of `address` that the plan's configuration reads (`relevant_attributes`).

        None when the plan has no relevant_attributes at all (Terraform < 1.2 does not write them);
        a resource-level entry (`aws_x.y` for instance `aws_x.y["k"]`) applies to every instance.
        """
        if self.relevant_attributes is None:
            return None
        return [
            path
            for resource, path in self.relevant_attributes
            if resource == address or address.startswith(resource + "[")
        ]

    def actions_by_address(self) -> dict[str, Action]:
        return {rc.address: rc.action for rc in self.managed()}


# The UI stream's action words and reasons -> plan JSON's (views/json in Terraform).
_UI_ACTIONS: dict[str, tuple[str, ...]] = {
    "noop": ("no-op",),
    "create": ("create",),
    "read": ("read",),
    "update": ("update",),
    "replace": ("delete", "create"),
    "delete": ("delete",),
    "move": ("no-op",),
    "import": ("no-op",),
    "remove": ("forget",),
}
_UI_REASONS = {
    "tainted": "replace_because_tainted",
    "requested": "replace_by_request",
    "cannot_update": "replace_because_cannot_update",
    "replace_by_triggers": "replace_by_triggers",
}


def _ui_change(change: Mapping[str, Any]) -> ResourceChange:
    resource = change.get("resource") or {}
    previous = change.get("previous_resource") or {}
    actions = _UI_ACTIONS.get(str(change.get("action")))
    if actions is None:
        raise PlanError(
            f"unknown action {change.get('action')!r} in terraform's -json output: update tablekit.terraform.plan"
        )
    importing = change.get("importing")
    reason = change.get("reason")
    return ResourceChange(
        address=str(resource.get("addr", "")),
        type=str(resource.get("resource_type", "")),
        name=str(resource.get("resource_name", "")),
        mode="data" if str(resource.get("resource", "")).startswith("data.") else "managed",
        action=classify(actions),
        actions=actions,
        module_address=resource.get("module") or None,
        index=resource.get("resource_key"),
        provider_name=str(resource.get("implied_provider", "")),
        previous_address=previous.get("addr"),
        action_reason=_UI_REASONS.get(str(reason), str(reason)) if reason else None,
        importing=Importing(id=importing.get("id")) if isinstance(importing, Mapping) else None,
    )
