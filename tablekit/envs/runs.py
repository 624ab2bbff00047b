"""The Terraform runs of an env: stage, init, plan, apply a saved plan, review, destroy, outputs.

Why every run works on a staged copy (tablekit.staging.copies): Terraform writes `.terraform` lock and
override files next to the code, and the copy is where the code is adapted to the offline double.
The copy has the repository's layout, so relative module sources resolve unchanged.

A real account's saved plan travels with the `.terraform.lock.hcl` its init wrote
(`lock_file_for`), and `apply_saved` initialises with exactly that file. What the endpoint cannot
create is planned only on the simulated account (tablekit.staging.planned_only); `review` plans
both and proves the difference.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tablekit.envs import inputs
from tablekit.envs.backend import backend_config, require_account, require_toolchain, write_account_override
from tablekit.envs.context import DEFAULT_ENDPOINT, EnvContext
from tablekit.errors import UserError
from tablekit.staging import copies, planned_only, removals
from tablekit.terraform.plan import Plan
from tablekit.terraform.runner import Terraform


def ensure_endpoint(ctx: EnvContext) -> None:
    """The simulated account's endpoint: started when it is the default one and not running yet."""
    from tablekit.endpoint.probes import healthy
    from tablekit.endpoint.server import DEFAULT_PORT, Endpoint

    if not ctx.simulated or healthy(ctx.endpoint_url or ""):
        return
    if ctx.endpoint_url != DEFAULT_ENDPOINT.format(port=DEFAULT_PORT):
        raise UserError(
            f"the simulated account needs the local endpoint, but nothing answers at {ctx.endpoint_url}: "
            "start it or leave out --endpoint-url"
        )
    url = Endpoint(port=DEFAULT_PORT).start()
    print(f"tablekit: started the local endpoint for the simulated account at {url}", file=sys.stderr)


def stage(ctx: EnvContext) -> Path:
    """Copy modules/ and the env into the data dir: adapted to the double (tablekit.staging.compat) for
    local and the simulated account, which also gets its provider redirect; as committed for a
    real account."""
    require_toolchain(ctx)
    copies.stage(ctx.stage_root, include=("modules", f"envs/{ctx.env}"), root=ctx.source_root, real=ctx.real)
    if ctx.simulated:
        write_account_override(ctx)
    return ctx.workdir


def check_inputs(ctx: EnvContext) -> None:
    """Every required input has a value before Terraform runs (tablekit.envs.inputs)."""
    require_toolchain(ctx)
    inputs.check(ctx.env, ctx.source_dir, ctx.source_dir, ctx.tf_variables(), ctx.var_files)


def lock_file_for(plan_file: Path) -> Path:
    """Where a saved plan's dependency lock file travels: next to it (`<plan>.lock.hcl`)."""
    return plan_file.with_name(plan_file.name + ".lock.hcl")


def init(ctx: EnvContext, lock_file: Path | None = None) -> Terraform:
    """Stage the code and `terraform init` it with the env's backend.

    With `lock_file` (a real account's apply of a saved plan) the staged env gets exactly that
    `.terraform.lock.hcl` and init runs with -lockfile=readonly: the providers that planned are
    the ones that apply, or init fails.
    """
    require_account(ctx)
    ctx.data_dir.mkdir(parents=True, exist_ok=True)
    backend = backend_config(ctx)
    stage(ctx)
    if lock_file is not None:
        (ctx.workdir / ".terraform.lock.hcl").write_bytes(lock_file.read_bytes())
    if ctx.simulated:
        # The endpoint (and so the backend's endpoint settings) may differ from the last run's, and
        # its state lives in the endpoint's bucket, never here: forget the cached backend settings
        # (what -reconfigure does) instead of failing with "Backend configuration changed".
        (ctx.data_dir / "tfdata" / "terraform.tfstate").unlink(missing_ok=True)
    tf = ctx.terraform()
    tf.init(backend_config=backend, lockfile_readonly=lock_file is not None)
    return tf


def keep_lock_file(ctx: EnvContext, plan_file: Path) -> Path | None:
    """Copy the lock file the plan's init wrote next to the saved plan (lock_file_for); returns it."""
    written = ctx.workdir / ".terraform.lock.hcl"
    if not written.is_file():
        return None
    target = lock_file_for(Path(plan_file))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(written.read_bytes())
    return target


def _hold_back(ctx: EnvContext, held: bool) -> None:
    """Write (or remove) the simulated account's overrides for what the endpoint cannot create."""
    planned_only.remove_overrides(ctx.stage_root)
    if held and ctx.simulated:
        planned_only.write_overrides(ctx.stage_root, ctx.workdir)


def apply(ctx: EnvContext) -> dict[str, Any]:
    """init + apply (plan and apply in one run, what `setup` does); returns the env's outputs."""
    check_inputs(ctx)
    tf = init(ctx)
    _hold_back(ctx, True)
    tf.apply(variables=ctx.tf_variables(), var_files=ctx.var_files, log_file=ctx.data_dir / "apply.log")
    return tf.output()


def saved_plan_files(ctx: EnvContext, plan_file: Path, lock_file: Path | None = None) -> tuple[Path, Path]:
    """The saved plan and the lock file an apply would use, refused when missing (no side effects).

    Checked before anything starts (the endpoint, staging, Terraform), so a wrong path is one line
    and leaves nothing running; apply_saved checks again for callers of the Python API.
    """
    plan_file = Path(plan_file).resolve()
    if not plan_file.is_file():
        raise UserError(f"no saved plan at {plan_file}: run `tablekit plan {ctx.env}` first (it writes the plan file)")
    lock = Path(lock_file).resolve() if lock_file else lock_file_for(plan_file)
    if not lock.is_file() and (lock_file is not None or ctx.real):
        raise UserError(
            f"no lock file {lock} for the saved plan: apply with the .terraform.lock.hcl the plan's init wrote "
            f"(`tablekit plan` saves it next to the plan file; --lock-file names another), so the providers "
            "that planned are the ones that apply"
        )
    return plan_file, lock


def apply_saved(
    ctx: EnvContext, plan_file: Path, lock_timeout: str | None = None, lock_file: Path | None = None
) -> dict[str, Any]:
    """Apply exactly a saved plan file (what was reviewed); returns the env's outputs.

    The plan file carries its configuration, variables and backend; the working directory only
    needs the same providers, and the stream-processor zip at the path the plan recorded (the zip
    is built deterministically, so rebuilding it yields the same bytes the plan hashed). The
    providers are those of the plan's lock file (`lock_file`, default next to the plan): a real
    account refuses to apply without it; the double uses it when present.
    """
    require_toolchain(ctx)
    plan_file, lock = saved_plan_files(ctx, plan_file, lock_file)
    ctx.tf_variables()  # builds the stream-processor zip the plan refers to
    tf = init(ctx, lock_file=lock if lock.is_file() else None)
    tf.apply(plan_file, log_file=ctx.data_dir / "apply.log", lock_timeout=lock_timeout)
    return tf.output()


def plan(
    ctx: EnvContext,
    out_json: Path | None = None,
    refresh: bool = True,
    destroy: bool = False,
    *,
    lock: bool = True,
    lock_timeout: str | None = None,
    plan_file: Path | None = None,
    full: bool = False,
    refresh_only: bool = False,
) -> Plan:
    """init + plan into a saved plan file; returns the plan (and writes its JSON to out_json).
    `refresh_only`: what changed outside Terraform, nothing to apply (drift detection).

    On the simulated account the saved plan holds back what the endpoint cannot create (see
    tablekit.staging.planned_only) unless `full`: the plan of the code as committed, which only a real account
    could apply (lint, inventories and `review` use it).
    """
    check_inputs(ctx)
    tf = init(ctx)
    if refresh_only:
        plan_file = plan_file or ctx.data_dir / "drift.tfplan"
    return _plan(
        ctx, tf, out_json, refresh, destroy, lock, lock_timeout, plan_file, not full, not refresh_only, refresh_only
    )


def _plan(
    ctx: EnvContext,
    tf: Terraform,
    out_json: Path | None,
    refresh: bool,
    destroy: bool,
    lock: bool,
    lock_timeout: str | None,
    plan_file: Path | None,
    held: bool,
    note: bool = True,
    refresh_only: bool = False,
) -> Plan:
    _hold_back(ctx, held)
    default = ctx.data_dir / "destroy.tfplan" if destroy else ctx.saved_plan
    planned = tf.plan(
        Path(plan_file or default),
        ctx.tf_variables(),
        ctx.var_files,
        refresh=refresh,
        destroy=destroy,
        lock=lock,
        lock_timeout=lock_timeout,
        json_out=out_json,
        refresh_only=refresh_only,
    )
    keep_lock_file(ctx, Path(plan_file or default))
    if note:
        removals.note_instances(planned.raw)  # which resources each stripped argument applied to
    return planned


@dataclass
class Review:
    """A plan as a reviewer sees it: the saved plan, and what the simulated account plans only."""

    plan: Plan
    plan_file: Path
    planned_only: list[planned_only.PlannedOnly] = field(default_factory=list)
    full: Plan | None = None


def review(
    ctx: EnvContext,
    out_json: Path | None = None,
    refresh: bool = True,
    *,
    lock: bool = True,
    lock_timeout: str | None = None,
    plan_file: Path | None = None,
) -> Review:
    """The plan `plan` shows and `apply` applies, saved to plan_file (JSON to out_json).

    On the simulated account the code as committed is planned first (the full plan, never saved for
    apply), then the saved plan with the endpoint's gaps held back; `gaps.compare` proves they differ
    only in those gaps and lists them as planned only.
    """
    check_inputs(ctx)
    tf = init(ctx)
    saved = Path(plan_file or ctx.saved_plan)
    if not ctx.simulated:
        found = Review(_plan(ctx, tf, out_json, refresh, False, lock, lock_timeout, saved, held=False), saved)
    else:
        full = _plan(ctx, tf, None, refresh, False, lock, lock_timeout, ctx.data_dir / "full.tfplan", False, note=False)
        held = _plan(ctx, tf, out_json, refresh, False, lock, lock_timeout, saved, held=True)
        found = Review(held, saved, planned_only.compare(full, held), full)
    if ctx.env != "local" and refresh:
        # dev and prod are never repaired: a state that lost track of its account (an object it
        # tracks is gone, a planned create would collide with one it lacks) stops the review with
        # the `terraform state rm` / `terraform import` commands to run after checking each object.
        from tablekit.envs import reconcile

        reconcile.require_agreement(found.full or found.plan, ctx.clients(), ctx.env, ctx.tf_variables(), ctx.var_files)
    return found


def destroy(ctx: EnvContext) -> None:
    check_inputs(ctx)
    tf = init(ctx)
    _hold_back(ctx, True)
    tf.destroy(ctx.tf_variables(), ctx.var_files, log_file=ctx.data_dir / "destroy.log")


def outputs(ctx: EnvContext) -> dict[str, Any]:
    """The env's `terraform output -json` values (`tables`, `app_config`, …); {} before the first apply."""
    if ctx.is_local_backend:
        if not ctx.workdir.exists():
            if not ctx.state_path.exists():
                return {}
            stage(ctx)
        return ctx.terraform().output()
    return init(ctx).output()
