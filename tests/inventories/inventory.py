"""Readable inventories of Terraform plans, checked against reviewed JSON files.

Why: plan JSON (`terraform show -json`) is thousands of lines of provider detail, so nobody
reviews it and unintended changes (an index dropped, PITR off, a replica added) slip through. An
inventory keeps only what a reviewer cares about -- resource counts per type and, for types with a
registered summariser, a few fields per resource -- in a stable form (sorted keys, sets as sorted
lists or maps) that diffs well in code review.

Usage:

    inventory = summarize_plan(plan_json, module="module.university")
    check_inventory(inventory, Path("tests/inventories/university/local.json"))

`check_inventory` raises `InventoryMismatch` (an AssertionError, so pytest shows it as a failure)
with a unified diff. Set TABLEKIT_UPDATE_INVENTORIES=1 to (re)write the files instead, then review
the diff in git like any other change.

Other families reuse this module as is. To summarise another resource type, register a function:

    @summarizer("aws_lambda_function")
    def _lambda(values: Values) -> dict[str, Any]:
        return {"runtime": values.get("runtime")}

`python tests/inventories/inventory.py plan.json [module.address]` prints the inventory of a saved plan.
"""

from __future__ import annotations

import difflib
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

from tablekit.terraform.plan import Action, Plan

UPDATE_ENV = "TABLEKIT_UPDATE_INVENTORIES"
UNKNOWN = "(known after apply)"
"""Marker for values Terraform only knows after apply (stable across runs, unlike real ids)."""


class InventoryMismatch(AssertionError):
    """The inventory of a plan differs from the reviewed file."""


class Values:
    """Planned attribute values of one resource, with Terraform's unknown markers applied.

    Plan JSON keeps unknown values out of `after` and flags them in `after_unknown`; reading both
    through one object lets summarisers tell "null" from "known after apply" without bookkeeping.
    """

    def __init__(self, after: Any, unknown: Any) -> None:
        self._after = after if after is not None else {}
        self._unknown = unknown if unknown is not None else {}

    def get(self, key: str | int, default: Any = None) -> Any:
        """Plain value (lists/maps as JSON), UNKNOWN if not known at plan time, else default."""
        if _is_unknown(self._unknown, key):
            return UNKNOWN
        try:
            value = self._after[key]
        except (KeyError, IndexError, TypeError):
            return default
        return default if value is None else value

    def child(self, key: str | int) -> Values:
        """Nested block or object, e.g. values.child("ttl").child(0)."""
        try:
            after = self._after[key]
        except (KeyError, IndexError, TypeError):
            after = None
        if self._unknown is True:
            return Values(after, True)
        try:
            unknown = self._unknown[key]
        except (KeyError, IndexError, TypeError):
            unknown = {}
        return Values(after, unknown)

    def blocks(self, key: str) -> list[Values]:
        """Every element of a nested block list/set (empty when absent)."""
        items = self._after.get(key) if isinstance(self._after, Mapping) else None
        return [self.child(key).child(i) for i in range(len(items or []))]

    def is_unknown(self) -> bool:
        """True when the whole value is unknown."""
        return self._unknown is True

    def __bool__(self) -> bool:
        return bool(self._after) or self._unknown is True


def _is_unknown(unknown: Any, key: str | int) -> bool:
    if unknown is True:
        return True
    try:
        return unknown[key] is True
    except (KeyError, IndexError, TypeError):
        return False


Summarizer = Callable[[Values], dict[str, Any]]
SUMMARIZERS: dict[str, Summarizer] = {}
"""resource type -> function turning planned values into the reviewed fields."""


def summarizer(resource_type: str) -> Callable[[Summarizer], Summarizer]:
    """Register the summariser of one resource type (decorator)."""

    def register(func: Summarizer) -> Summarizer:
        SUMMARIZERS[resource_type] = func
        return func

    return register


def _opt(value: Any) -> Any:
    """The provider plans an unset optional string as "": show it as null."""
    return None if value == "" else value


def _kms_set(value: Any) -> bool | str:
    """Whether a KMS key ARN is set: True/False, or UNKNOWN when computed at apply.

    With SSE on and no key configured the provider plans the ARN of the AWS-managed key as unknown,
    so UNKNOWN on a new table means "AWS picks the key" unless the config passes one from another
    resource created in the same apply.
    """
    if value == UNKNOWN:
        return UNKNOWN
    return bool(value)


@summarizer("aws_dynamodb_table")
def _dynamodb_table(values: Values) -> dict[str, Any]:
    provisioned = values.get("billing_mode") == "PROVISIONED"

    def capacity(block: Values) -> dict[str, Any] | None:
        if not provisioned:
            return None
        return {"read": block.get("read_capacity"), "write": block.get("write_capacity")}

    def projection(block: Values) -> dict[str, Any]:
        return {
            "type": block.get("projection_type"),
            "non_key_attributes": sorted(block.get("non_key_attributes") or []),
        }

    gsis = {
        gsi.get("name"): {
            "hash_key": gsi.get("hash_key"),
            "range_key": _opt(gsi.get("range_key")),
            "projection": projection(gsi),
            "capacity": capacity(gsi),
        }
        for gsi in values.blocks("global_secondary_index")
    }
    lsis = {
        lsi.get("name"): {"range_key": lsi.get("range_key"), "projection": projection(lsi)}
        for lsi in values.blocks("local_secondary_index")
    }
    ttl_blocks = values.blocks("ttl")
    ttl = (
        {"attribute": ttl_blocks[0].get("attribute_name"), "enabled": bool(ttl_blocks[0].get("enabled", False))}
        if ttl_blocks
        else None
    )
    pitr_blocks = values.blocks("point_in_time_recovery")
    sse_blocks = values.blocks("server_side_encryption")
    stream_enabled = bool(values.get("stream_enabled", False))
    return {
        "name": values.get("name"),
        "hash_key": values.get("hash_key"),
        "range_key": _opt(values.get("range_key")),
        "billing_mode": values.get("billing_mode"),
        "capacity": capacity(values),
        "attributes": {a.get("name"): a.get("type") for a in values.blocks("attribute")},
        "global_secondary_indexes": gsis,
        "local_secondary_indexes": lsis,
        "ttl": ttl,
        "stream": {
            "enabled": stream_enabled,
            "view_type": values.get("stream_view_type") if stream_enabled else None,
        },
        "point_in_time_recovery": bool(pitr_blocks and pitr_blocks[0].get("enabled", False)),
        "sse": {
            "enabled": bool(sse_blocks and sse_blocks[0].get("enabled", False)),
            "kms_key_set": _kms_set(sse_blocks[0].get("kms_key_arn")) if sse_blocks else False,
        },
        "replicas": sorted(
            (
                {"region": r.get("region_name"), "kms_key_set": _kms_set(r.get("kms_key_arn"))}
                for r in values.blocks("replica")
            ),
            key=lambda r: str(r["region"]),
        ),
        "tags": values.get("tags") or {},
    }


@summarizer("aws_appautoscaling_target")
def _scaling_target(values: Values) -> dict[str, Any]:
    return {
        "resource_id": values.get("resource_id"),
        "dimension": values.get("scalable_dimension"),
        "min": values.get("min_capacity"),
        "max": values.get("max_capacity"),
    }


@summarizer("aws_appautoscaling_policy")
def _scaling_policy(values: Values) -> dict[str, Any]:
    config = values.child("target_tracking_scaling_policy_configuration").child(0)
    metric = config.child("predefined_metric_specification").child(0)
    return {
        "type": values.get("policy_type"),
        "resource_id": values.get("resource_id"),
        "dimension": values.get("scalable_dimension"),
        "metric": metric.get("predefined_metric_type"),
        "target_value": config.get("target_value"),
    }


@summarizer("aws_cloudwatch_metric_alarm")
def _alarm(values: Values) -> dict[str, Any]:
    queries = values.blocks("metric_query")
    expressions = sorted(q.get("expression") for q in queries if q.get("expression"))
    metrics = sorted(
        {m.get("metric_name") for q in queries for m in q.blocks("metric")} | {values.get("metric_name")} - {None}
    )
    return {
        "alarm_name": values.get("alarm_name"),
        "metrics": metrics,
        "expressions": expressions,
        "dimensions": values.get("dimensions") or {},
        "statistic": values.get("extended_statistic") or values.get("statistic"),
        "comparison": values.get("comparison_operator"),
        "threshold": values.get("threshold"),
        "actions": len(values.get("alarm_actions") or []),
    }


def planned_resources(plan: Plan | Mapping[str, Any], module: str | None = None) -> Iterator[tuple[str, str, Values]]:
    """(address, type, values) of every managed resource that exists after the plan is applied.

    With `module` (e.g. "module.university") only resources inside that module call are returned and
    their addresses are relative to it, so an inventory does not depend on where a test or env
    instantiates the module.
    """
    prefix = f"{module}." if module else ""
    for change in Plan.of(plan).changes(module=module):
        if change.action in (Action.DELETE, Action.FORGET):
            continue
        yield change.address[len(prefix) :], change.type, Values(change.after, change.after_unknown)


def summarize_plan(plan: Plan | Mapping[str, Any], module: str | None = None) -> dict[str, Any]:
    """Inventory of a plan: counts per resource type plus the registered summaries per address."""
    counts: Counter[str] = Counter()
    details: dict[str, dict[str, Any]] = {}
    for address, rtype, values in planned_resources(plan, module):
        counts[rtype] += 1
        if rtype in SUMMARIZERS:
            details.setdefault(rtype, {})[address] = SUMMARIZERS[rtype](values)
    return {"resource_counts": dict(sorted(counts.items())), "resources": details}


def action_counts(plan: Plan | Mapping[str, Any], module: str | None = None) -> dict[str, int]:
    """How many resources each action touches, e.g. {"create": 3, "replace": 1} (no-ops left out)."""
    counts: Counter[str] = Counter(
        rc.action.value for rc in Plan.of(plan).changes(module=module) if rc.action != Action.NOOP
    )
    return dict(sorted(counts.items()))


def render(inventory: Mapping[str, Any]) -> str:
    """The canonical file form: pretty JSON with sorted keys and a trailing newline."""
    return json.dumps(inventory, indent=2, sort_keys=True) + "\n"


def update_requested() -> bool:
    """True when TABLEKIT_UPDATE_INVENTORIES asks to rewrite inventories instead of comparing."""
    return os.environ.get(UPDATE_ENV, "").lower() in {"1", "true", "yes"}


def check_inventory(inventory: Mapping[str, Any], path: Path, update: bool | None = None) -> None:
    """Compare an inventory with its reviewed file, or rewrite the file when updating.

    The comparison is on the rendered text, so what the diff shows is exactly what differs.
    """
    path = Path(path)
    actual = render(inventory)
    if update if update is not None else update_requested():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text() != actual:
            path.write_text(actual)
        return
    if not path.exists():
        raise InventoryMismatch(
            f"no reviewed inventory at {path}; create it with {UPDATE_ENV}=1 and review it before committing"
        )
    expected = path.read_text()
    if expected != actual:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                fromfile=f"{path} (reviewed)",
                tofile="plan (actual)",
            )
        )
        raise InventoryMismatch(
            f"plan inventory differs from {path}:\n{diff}\n"
            f"If the change is intended, rerun with {UPDATE_ENV}=1 and review the file diff."
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Print the inventory of a saved plan JSON: `python tests/inventories/inventory.py plan.json [module]`."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not 1 <= len(args) <= 2:
        print("usage: python tests/inventories/inventory.py PLAN_JSON [module.address]", file=sys.stderr)
        return 2
    sys.stdout.write(render(summarize_plan(Plan.load(args[0]), args[1] if len(args) > 1 else None)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
