"""The local env's apply, made to converge whatever state the last run left: reconcile, plan, check, apply.

`setup local` used to be one `terraform apply`. Run the way a laptop is used (the endpoint
restarted, a run killed, settings toggled) that wedged with messages that led in circles. Now:

1. `terraform init` (the runner first ends any process group a killed run left behind);
2. reconcile the state with the endpoint (``tablekit.envs.reconcile``): an endpoint that lost the
   estate gets a fresh state, objects lost one by one are forgotten so they are recreated;
3. plan into a saved plan file (``-replace`` for each ``--recreate TABLE``);
4. check the plan: creates the endpoint cannot make stop with the setting to change; table changes
   it cannot follow stop with the one recreate command (``tablekit.lifecycle.local_limits``); objects a
   create would collide with (an interrupted apply's) are deleted, so the saved plan holds;
5. apply exactly that saved plan (skipped when it changes nothing), with ``apply-pending.json``
   recording its creates until it succeeds (``tablekit.lifecycle.applylog``).

Steps 2 and 4 only ask the endpoint (a handful of list calls for the whole estate; no Terraform
run): ``Converged.reconcile.seconds`` is what they add to a setup, and `bench/bench_reconcile.py`
measures it. Only the local env comes here; dev and prod get ``reconcile.require_agreement``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tablekit import envs
from tablekit.envs import reconcile
from tablekit.envs.listings import Remote
from tablekit.errors import OperationFailed, UserError
from tablekit.lifecycle import local_limits, resume
from tablekit.lifecycle.applylog import ApplyLog
from tablekit.terraform.plan import Counts, Plan
from tablekit.terraform.runner import Terraform, TerraformError

Say = Callable[[str], None]


@dataclass
class Reconciled:
    """What reconciling found and did (one line per repair), and how long its questions took."""

    tracked: int = 0
    seconds: float = 0.0
    lines: list[str] = field(default_factory=list)
    kept_state: Path | None = None
    forgotten: list[str] = field(default_factory=list)
    deleted: list[reconcile.Untracked] = field(default_factory=list)

    def detail(self) -> str:
        if not self.lines:
            return f"state and endpoint agree ({self.tracked} resources)"
        repairs = []
        if self.kept_state:
            repairs.append("fresh state (the endpoint had lost the estate)")
        if self.forgotten:
            repairs.append(f"{len(self.forgotten)} lost resource(s) forgotten")
        if self.deleted:
            repairs.append(f"{len(self.deleted)} untracked object(s) deleted")
        return "; ".join(repairs)


@dataclass
class Converged:
    """The result of one converge: outputs, the plan's counts and whether an apply ran."""

    outputs: dict[str, Any]
    counts: Counts
    applied: bool
    reconcile: Reconciled
    plan: Plan | None = None


def _print(line: str) -> None:
    from tablekit.lifecycle.steps import console

    console.print(line, markup=False, highlight=False)


def _shown(path: Path) -> str:
    from tablekit.paths import ROOT

    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def reconcile_state(ctx: envs.EnvContext, tf: Terraform, remote: Remote, say: Say = _print) -> Reconciled:
    """Step 2: make the local state describe only what the endpoint holds (see the module docstring)."""
    started = time.perf_counter()
    result = Reconciled()
    try:
        tracked = reconcile.read_state_file(ctx.state_path) or []
    except reconcile.StateUnreadable as exc:
        result.kept_state = reconcile.set_aside(ctx.state_path)
        result.lines.append(
            f"{exc}: starting from an empty state (the file is kept as {_shown(result.kept_state or ctx.state_path)})"
        )
        tracked = []
    result.tracked = len(tracked)
    check = reconcile.check_state(tracked, remote)
    result.seconds = time.perf_counter() - started
    if check.lost:
        result.kept_state = reconcile.set_aside(ctx.state_path)
        ApplyLog(ctx.data_dir).clear()
        result.lines.append(
            f"the local endpoint at {ctx.endpoint_url} holds none of the {check.tracked} resources the state tracks "
            f"(it keeps everything in memory, so a restart, `just down`/`up`, a crash or a reboot empties it): "
            f"starting from an empty state (the old one is kept as {_shown(result.kept_state or ctx.state_path)})"
        )
    elif check.missing:
        result.forgotten = [entry.address for entry in check.missing]
        tf.state_rm(*result.forgotten)
        shown = ", ".join(result.forgotten[:3]) + (
            f" and {len(result.forgotten) - 3} more" if len(result.forgotten) > 3 else ""
        )
        result.lines.append(
            f"{len(result.forgotten)} resource(s) the state tracks are gone from the endpoint ({shown}): "
            "removed them from the state, so this apply creates them again"
        )
    for line in result.lines:
        say(line)
    return result


def _tracked_tables(ctx: envs.EnvContext) -> tuple[dict[str, str], set[str]]:
    """(table name => address) of the state, and every table name its last `tables` output listed."""
    try:
        state = json.loads(ctx.state_path.read_text())
    except (OSError, ValueError):
        return {}, set()
    addresses = {
        str(entry.attributes.get("name")): entry.address
        for entry in reconcile.tracked_in_state(state)
        if entry.type == local_limits.TABLE and entry.attributes.get("name")
    }
    output = ((state.get("outputs") or {}).get("tables") or {}).get("value") or {}
    return addresses, set(output) if isinstance(output, dict) else set()


def replace_addresses(ctx: envs.EnvContext, tables: Sequence[str], say: Say = _print) -> list[str]:
    """The state addresses of the tables to recreate; a name the estate does not have is a UserError."""
    addresses, declared = _tracked_tables(ctx)
    known = set(addresses) | declared
    chosen = []
    for name in tables:
        if name in addresses:
            chosen.append(addresses[name])
        elif known and name not in known:
            raise UserError(
                f"--recreate {name}: the local estate has no table {name!r}; its tables: {', '.join(sorted(known))}"
            )
        else:
            say(f"--recreate {name}: not in the local state, so this setup creates it anyway")
    return chosen


class LocalConverge:
    """Steps 1-5 of the module docstring as methods, so `setup` can show each as a step."""

    def __init__(self, ctx: envs.EnvContext, say: Say = _print):
        if ctx.env != "local":
            raise UserError(
                f"only the local env is reconciled automatically, not {ctx.env}: see reconcile.require_agreement"
            )
        self.ctx = ctx
        self.say = say
        self.remote = Remote(ctx.clients())
        self.log = ApplyLog(ctx.data_dir)
        self.plan_file = ctx.data_dir / "plan.tfplan"
        self.reconciled = Reconciled()
        self._tf: Terraform | None = None

    @property
    def tf(self) -> Terraform:
        if self._tf is None:
            # init is the first run: the runner ends any group a killed run left behind before it
            # starts, so no leftover provider races the reconcile or holds the state lock.
            self._tf = envs.init(self.ctx)
        return self._tf

    def reconcile(self) -> Reconciled:
        self.reconciled = reconcile_state(self.ctx, self.tf, self.remote, self.say)
        return self.reconciled

    def plan(self, recreate: Sequence[str] = ()) -> Plan:
        replace = replace_addresses(self.ctx, recreate, self.say)
        return self.tf.plan(self.plan_file, self.ctx.tf_variables(), self.ctx.var_files, replace=replace)

    def check(self, plan: Plan) -> None:
        """Stop on what the endpoint cannot do; delete what an interrupted apply left untracked."""
        started = time.perf_counter()
        local_limits.require_supported(plan)
        local_limits.require_applicable(plan, self.remote, self.log.last_updates())
        tracked = reconcile.read_state_file(self.ctx.state_path) or []
        untracked = reconcile.find_untracked(reconcile.planned_creates(plan), self.remote, tracked)
        self.reconciled.seconds += time.perf_counter() - started
        if not untracked:
            return
        reconcile.delete_untracked(self.remote, untracked)
        self.reconciled.deleted = untracked
        names = sorted({item.object_id.rstrip("/").rsplit("/", 1)[-1] for item in untracked})
        line = (
            f"deleted {len(untracked)} object(s) an interrupted apply left on the endpoint without recording them "
            f"in the state ({', '.join(names[:4])}{', ...' if len(names) > 4 else ''}): "
            "this apply creates them as planned"
        )
        self.reconciled.lines.append(line)
        self.say(line)

    def apply(self, plan: Plan, on_apply_line: Callable[[str], None] | None = None) -> bool:
        """Apply exactly the saved plan; False (nothing run) when it changes nothing."""
        if not plan.has_changes:
            return False
        self.log.begin(reconcile.planned_creates(plan))
        try:
            with resume.watch(self.ctx.endpoint_url):
                self.tf.apply(self.plan_file, log_file=self.ctx.data_dir / "apply.log", on_line=on_apply_line)
        except TerraformError as exc:
            hint = local_limits.explain_apply_error(exc.output, plan)
            if hint:
                raise OperationFailed(f"terraform apply of envs/local failed: {hint}") from exc
            raise
        self.log.finish(plan)
        return True

    def outputs(self) -> dict[str, Any]:
        return self.tf.output()


def converge(
    ctx: envs.EnvContext,
    *,
    recreate: Sequence[str] = (),
    on_apply_line: Callable[[str], None] | None = None,
    say: Say = _print,
) -> Converged:
    """All five steps for the local env; returns outputs and what was done."""
    run = LocalConverge(ctx, say)
    reconciled = run.reconcile()
    plan = run.plan(recreate)
    run.check(plan)
    applied = run.apply(plan, on_apply_line)
    return Converged(run.outputs(), plan.counts(), applied, reconciled, plan)


def compare(ctx: envs.EnvContext, remote: Remote) -> tuple[reconcile.StateCheck, list[reconcile.Untracked]]:
    """For teardown and status, without changing anything: what the state tracks against the endpoint,
    and the objects unfinished applies created that exist on the endpoint untracked."""
    try:
        tracked = reconcile.read_state_file(ctx.state_path) or []
    except reconcile.StateUnreadable:
        tracked = []
    check = reconcile.check_state(tracked, remote)
    leftovers = reconcile.find_untracked(ApplyLog(ctx.data_dir).pending(), remote, tracked)
    return check, leftovers


@dataclass
class Agreement:
    """What `status` shows: does the local state describe what the endpoint holds?"""

    endpoint_url: str
    healthy: bool
    tracked: int = 0
    present: int = 0
    missing: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    untracked: list[str] = field(default_factory=list)
    unreadable: str | None = None

    @property
    def agrees(self) -> bool:
        """Nothing to repair: every tracked object is there (or nothing is tracked and no endpoint runs)."""
        reachable = self.healthy or not self.tracked
        return reachable and not self.missing and not self.untracked and self.unreadable is None

    def verdict(self) -> str:
        """One line: agree, or what disagrees and the command that repairs it."""
        if self.unreadable:
            return f"disagree: {self.unreadable}; `./just setup` starts from an empty state"
        if not self.healthy:
            if not self.tracked:
                return (
                    f"agree: no endpoint at {self.endpoint_url} and no local resources (nothing to compare); "
                    "`./just setup` creates the estate"
                )
            return (
                f"disagree: the endpoint at {self.endpoint_url} is not running, so the {self.tracked} resources the "
                "state tracks are gone (it keeps everything in memory): `./just setup` starts it and recreates them"
            )
        if self.agrees:
            unknown = f" ({len(self.unknown)} not checkable)" if self.unknown else ""
            return f"agree: the endpoint holds all {self.tracked} resources the state tracks{unknown}"
        parts = []
        if self.missing:
            lost = "all" if not self.present else str(len(self.missing))
            parts.append(f"{lost} of {self.tracked} tracked resources are gone from the endpoint")
        if self.untracked:
            parts.append(f"{len(self.untracked)} object(s) an interrupted apply left are not in the state")
        return f"disagree: {'; '.join(parts)}: `./just setup` reconciles and converges"


def agreement(ctx: envs.EnvContext, healthy: bool) -> Agreement:
    """Read-only comparison for `status` (no Terraform run: the state file and endpoint listings)."""
    found = Agreement(str(ctx.endpoint_url), healthy)
    try:
        tracked = reconcile.read_state_file(ctx.state_path) or []
    except reconcile.StateUnreadable as exc:
        found.unreadable = str(exc)
        return found
    found.tracked = len(tracked)
    if not healthy:
        return found
    check, leftovers = compare(ctx, Remote(ctx.clients()))
    found.present = len(check.present)
    found.missing = [entry.address for entry in check.missing]
    found.unknown = [entry.address for entry in check.unknown]
    found.untracked = [f"{item.address} ({item.object_id})" for item in leftovers]
    return found
