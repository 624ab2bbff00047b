"""Adopt tables that already exist (e.g. the 19 IELTS tables created by hand) into Terraform state.

Why plan-driven: the addresses of an env's tables depend on how families nest the generic module
(`module.estate.module.ielts_genai_prep.module.table["ielts-genai-prep-users"]...`). Hard-coding
them would break whenever a family is refactored, so we take them from the plan itself: every
aws_dynamodb_table the plan wants to *create* whose `name` already exists in the account is a
table to import instead. The same plan tells us the resources that belong to each table (the ones
in the same module instance, plus autoscaling targets/policies naming the table) and their import
IDs, so we never guess an ID format from a name.

Why import and not "create and let it fail": CreateTable on an existing name fails half-way through
an apply and leaves the other resources of the run in an unclear state; importing first turns the
plan for those tables into no-ops (or visible updates if the real table differs from the code).

Terraform 1.0 has no `import` blocks, so this runs `terraform import ADDRESS ID` once per resource.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from tablekit.aws import ClientFactory
from tablekit.terraform.plan import Action, Counts, Plan, ResourceChange
from tablekit.terraform.runner import Terraform, var_args


@dataclass
class ImportItem:
    """One resource to import: where it goes in state and the ID `terraform import` needs."""

    table: str
    address: str
    type: str
    import_id: str | None
    exists: bool = False
    action: str = ""
    note: str = ""

    def command(self, variables: Mapping[str, object] | None = None) -> str:
        """The `terraform import` command line, quoted for a POSIX shell."""
        args = ["terraform", "import", "-input=false", *var_args(variables), self.address, self.import_id or "?"]
        return shlex.join(args)


@dataclass
class AdoptReport:
    """Everything `adopt` found and did; the CLI prints it and tests assert on it."""

    items: list[ImportItem] = field(default_factory=list)
    plan_before: Counts = field(default_factory=Counts)
    plan_after: Counts | None = None
    # address => (action, changed attribute names) of each adopted table in the plan after import
    tables_after: dict[str, tuple[Action, list[str]]] = field(default_factory=dict)
    dry_run: bool = False

    @property
    def imported(self) -> list[ImportItem]:
        return [item for item in self.items if item.action == "imported"]


# ------------------------------------------------------------------------------------------------
# Reading the plan
# ------------------------------------------------------------------------------------------------


def planned_tables(plan: Plan) -> list[ResourceChange]:
    """aws_dynamodb_table resources the plan would create."""
    return plan.changes(types=["aws_dynamodb_table"], actions=[Action.CREATE])


def _autoscaling_id(after: Mapping[str, Any]) -> str | None:
    parts = [after.get("service_namespace"), after.get("resource_id"), after.get("scalable_dimension")]
    return "/".join(str(p) for p in parts) if all(parts) else None


def _policy_id(after: Mapping[str, Any]) -> str | None:
    base = _autoscaling_id(after)
    return f"{base}/{after['name']}" if base and after.get("name") else None


# Resource type => how its import ID is built from the planned values (provider 3.39 formats).
# Types not listed (e.g. aws_dynamodb_table_item) cannot be imported and are left to the plan.
IMPORT_IDS: dict[str, Callable[[Mapping[str, Any]], str | None]] = {
    "aws_dynamodb_table": lambda after: after.get("name"),
    "aws_appautoscaling_target": _autoscaling_id,
    "aws_appautoscaling_policy": _policy_id,
    "aws_cloudwatch_metric_alarm": lambda after: after.get("alarm_name"),
}
# Import order inside one table: the table first, then what refers to it.
_ORDER = {kind: position for position, kind in enumerate(IMPORT_IDS)}


def _names_table(rc: ResourceChange, table: str) -> bool:
    """True for autoscaling resources whose resource_id points at the table or one of its indexes."""
    resource_id = (rc.after or {}).get("resource_id") or ""
    return resource_id == f"table/{table}" or resource_id.startswith(f"table/{table}/index/")


def related(plan: Plan, table_rc: ResourceChange) -> list[ResourceChange]:
    """Importable resources the plan would create together with one table.

    Related means: in the same module instance as the table (the generic module holds exactly one
    table plus its autoscaling and alarms), or an autoscaling resource naming the table anywhere.
    A table at the root shares its module with everything else, so only the second rule applies.
    """
    name = table_rc.after["name"]
    module = table_rc.module_address
    found = []
    for rc in plan.changes(actions=[Action.CREATE]):
        if rc is table_rc or rc.type not in IMPORT_IDS or rc.type == "aws_dynamodb_table":
            continue
        if (module and rc.module_address == module) or _names_table(rc, name):
            found.append(rc)
    return sorted(found, key=lambda rc: (_ORDER[rc.type], rc.address))


# ------------------------------------------------------------------------------------------------
# Asking the account what exists
# ------------------------------------------------------------------------------------------------


def existing_tables(client_factory: ClientFactory) -> set[str]:
    """Every table name in the account/region (ListTables, paginated)."""
    names: set[str] = set()
    for page in client_factory("dynamodb").get_paginator("list_tables").paginate():
        names.update(page.get("TableNames", []))
    return names


def _exists(client_factory: ClientFactory, kind: str, after: Mapping[str, Any]) -> bool:
    """Whether a related resource exists, so only real objects are imported (the rest gets created)."""
    if kind == "aws_appautoscaling_target":
        found = client_factory("application-autoscaling").describe_scalable_targets(
            ServiceNamespace=after["service_namespace"],
            ResourceIds=[after["resource_id"]],
            ScalableDimension=after["scalable_dimension"],
        )["ScalableTargets"]
        return bool(found)
    if kind == "aws_appautoscaling_policy":
        found = client_factory("application-autoscaling").describe_scaling_policies(
            ServiceNamespace=after["service_namespace"],
            ResourceId=after["resource_id"],
            ScalableDimension=after["scalable_dimension"],
            PolicyNames=[after["name"]],
        )["ScalingPolicies"]
        return bool(found)
    if kind == "aws_cloudwatch_metric_alarm":
        return bool(client_factory("cloudwatch").describe_alarms(AlarmNames=[after["alarm_name"]])["MetricAlarms"])
    return False


def find_imports(plan: Plan, client_factory: ClientFactory) -> list[ImportItem]:
    """The import list: each planned table (existing or not) and the related resources that exist."""
    in_account = existing_tables(client_factory)
    items: list[ImportItem] = []
    for table_rc in sorted(planned_tables(plan), key=lambda rc: (rc.after or {}).get("name") or ""):
        name = (table_rc.after or {}).get("name")
        if not name:
            items.append(
                ImportItem(
                    table="?",
                    address=table_rc.address,
                    type="aws_dynamodb_table",
                    import_id=None,
                    note="name unknown until apply",
                )
            )
            continue
        exists = name in in_account
        items.append(
            ImportItem(table=name, address=table_rc.address, type="aws_dynamodb_table", import_id=name, exists=exists)
        )
        if not exists:
            continue
        for rc in related(plan, table_rc):
            after = rc.after or {}
            import_id = IMPORT_IDS[rc.type](after)
            if import_id is None:
                items.append(
                    ImportItem(
                        table=name,
                        address=rc.address,
                        type=rc.type,
                        import_id=None,
                        note="import ID unknown until apply",
                    )
                )
                continue
            items.append(
                ImportItem(
                    table=name,
                    address=rc.address,
                    type=rc.type,
                    import_id=import_id,
                    exists=_exists(client_factory, rc.type, after),
                )
            )
    return items


# ------------------------------------------------------------------------------------------------
# Doing it
# ------------------------------------------------------------------------------------------------


def _changed_attributes(change: ResourceChange) -> list[str]:
    """Top-level attributes an update would change (what to look at when an adopted table drifts)."""
    before, after = change.before or {}, change.after or {}
    unknown = change.after_unknown or {}
    return sorted(
        key for key in set(before) | set(after) if before.get(key) != after.get(key) or unknown.get(key) is True
    )


def adopt(
    tf: Terraform,
    variables: Mapping[str, object],
    client_factory: ClientFactory,
    plan_dir: Path,
    dry_run: bool = False,
    var_files: Sequence[Path] = (),
) -> AdoptReport:
    """Plan, import every planned table that already exists (and its related resources), plan again.

    `tf` must be initialised. With dry_run nothing is imported: the report lists what would be.
    Safe to re-run after a failure half-way: imported resources no longer plan as "create", so
    only the rest is imported the second time.
    """
    plan_dir.mkdir(parents=True, exist_ok=True)
    plan = tf.plan(plan_dir / "adopt-before.tfplan", variables, var_files)
    report = AdoptReport(items=find_imports(plan, client_factory), plan_before=plan.counts(), dry_run=dry_run)
    todo = [item for item in report.items if item.exists and item.import_id is not None]
    for item in report.items:
        if not (item.exists and item.import_id is not None):
            item.action = "not in account" if item.import_id else "skipped"
    for position, item in enumerate(todo, start=1):
        assert item.import_id is not None  # filtered above; narrows the type
        if dry_run:
            item.action = "would import"
            continue
        # Each import is a separate terraform run (seconds each): show progress on stderr.
        print(f"[{position}/{len(todo)}] terraform import {item.address} {item.import_id}", file=sys.stderr, flush=True)
        tf.import_(item.address, item.import_id, variables, var_files)
        item.action = "imported"
    if report.imported:
        after = tf.plan(plan_dir / "adopt-after.tfplan", variables, var_files)
        report.plan_after = after.counts()
        adopted = {item.address for item in report.imported if item.type == "aws_dynamodb_table"}
        for rc in after.managed():
            if rc.address in adopted:
                changed = _changed_attributes(rc) if rc.action != Action.NOOP else []
                report.tables_after[rc.address] = (rc.action, changed)
    return report


def print_report(
    report: AdoptReport,
    variables: Mapping[str, object] | None = None,
    workdir: Path | None = None,
    data_dir: Path | None = None,
    console: Console | None = None,
) -> None:
    """Readable result: one row per resource, the import commands (dry run) and the plan summary."""
    # Addresses are long; piped output (CI logs, tests) gets a wide console instead of folded cells.
    console = console or Console(highlight=False, width=None if sys.stdout.isatty() else 220)
    title = "adopt (dry run): nothing imported" if report.dry_run else "adopt"
    table = Table(title=title)
    for column in ("table", "address", "action", "plan after import"):
        table.add_column(column, overflow="fold")
    for item in report.items:
        after = ""
        if item.address in report.tables_after:
            action, changed = report.tables_after[item.address]
            after = action.value + (f" ({', '.join(changed)})" if changed else "")
        done = item.action + (f" — {item.note}" if item.note else "")
        table.add_row(item.table, item.address, done, after)
    console.print(table)
    todo = [item for item in report.items if item.action == "would import"]
    if report.dry_run and todo:
        where = f" in {workdir}" if workdir else ""
        data = f" with TF_DATA_DIR={data_dir}" if data_dir else ""
        print(f"# import commands (run{where}{data}, using the project's terraform):")
        for item in todo:
            print(item.command(variables))
    print(f"plan before: {report.plan_before.line()}")
    if report.plan_after is not None:
        print(f"plan after : {report.plan_after.line()}")
    drifted = {address: changed for address, (action, changed) in report.tables_after.items() if action != Action.NOOP}
    for address, changed in drifted.items():
        if report.tables_after[address][0].destroys:
            # A key or index the code declares differently from the real table forces replacement.
            print(
                f"WARNING: {address} would be REPLACED (table deleted and recreated, data lost) because the real "
                f"table differs in {', '.join(changed) or 'its keys'}: fix the code to match the table before applying"
            )
            continue
        print(
            f"note: {address} differs from the code after import ({', '.join(changed) or 'see plan'}); "
            f"the next apply changes the real table to match the code — review that plan first"
        )
    missing = sum(1 for item in report.items if item.type == "aws_dynamodb_table" and item.action == "not in account")
    if missing:
        print(f"{missing} planned table(s) do not exist yet; the next apply creates them")


def adopt_env(
    env: str,
    endpoint_url: str | None = None,
    data_dir: Path | None = None,
    dry_run: bool = False,
    region: str = "us-east-1",
    extra_variables: Mapping[str, object] | None = None,
    var_files: list[Path] | None = None,
) -> tuple[AdoptReport, Mapping[str, object], Path, Path]:
    """Adopt for one env (local: the local endpoint; dev/prod: real AWS, or the simulated account
    with endpoint_url).

    Returns the report plus what print_report needs to print runnable commands.
    """
    from tablekit import envs

    simulated = env != "local" and endpoint_url is not None
    if env == "local" and endpoint_url is None:
        endpoint_url = "http://127.0.0.1:4566"
    ctx = envs.context(
        env,
        endpoint_url=endpoint_url,
        data_dir=data_dir,
        account_name="simulated" if simulated else None,
        variables=dict(extra_variables or {}),
        var_files=var_files,
    )
    tf = envs.init(ctx)
    variables = ctx.tf_variables()
    report = adopt(
        tf,
        variables,
        ctx.clients(region),  # the env's own account: the endpoint's (local, simulated) or AWS
        ctx.data_dir / "adopt",
        dry_run=dry_run,
        var_files=ctx.var_files,
    )
    return report, variables, ctx.workdir, ctx.data_dir / "tfdata"
