"""Environments (envs/local, envs/dev, envs/prod): where their files live and how Terraform runs them.

Every generated file of an environment run lives under one data directory (default
build/envs/<env>, build/envs/<env>-simulated on the simulated account): the staged copy of the
code Terraform runs in, TF_DATA_DIR, the local state of `local`, plan files and logs. Tests pass
their own data directory and endpoint, so they never touch a developer's estate.

Why every run works on a staged copy (tablekit.staging.copies): Terraform writes `.terraform` lock and
override files next to the code, and the copy is where the code is adapted to the offline double.
The copy has the repository's layout, so relative module sources resolve unchanged.

The account chooses the toolchain (tablekit.terraform.toolchain.for_account): `local` and the simulated
account run the pinned double on an adapted copy; a real account runs a current Terraform from
PATH on the code exactly as committed, and `require_toolchain` stops it before anything is staged
or run when PATH has none. A real account's saved plan travels with the `.terraform.lock.hcl` its
init wrote (`lock_file_for`), and `apply_saved` initialises with exactly that file.

dev and prod always run with their own partial S3 backend and provider blocks. Which account they
reach is the one switch of tablekit.envs.account: `aws` (real credentials, envs/<env>/backend.hcl) or
`simulated` (the local endpoint, the backend.hcl `bootstrap-state --account simulated` wrote, and
only endpoints and credentials redirected). What the endpoint cannot create is planned only there
(tablekit.staging.planned_only); `review` plans both and proves the difference.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tablekit import aws
from tablekit.envs import account, inputs
from tablekit.envs.account import Credentials
from tablekit.errors import UserError
from tablekit.paths import BUILD, ROOT, env_dir
from tablekit.staging import compat, copies, planned_only, providers
from tablekit.terraform import toolchain
from tablekit.terraform.plan import Plan
from tablekit.terraform.runner import Terraform

BACKEND_CONFIG_ENV = "TABLEKIT_BACKEND_CONFIG"
ACCOUNT_OVERRIDE = "zz_tablekit_account_override.tf"
DEFAULT_ENDPOINT = "http://127.0.0.1:{port}"


@dataclass
class EnvContext:
    """One environment run: which env, which account and endpoint, where its files go, which inputs."""

    env: str
    endpoint_url: str | None = None
    data_dir: Path = field(default_factory=Path)
    account: str = account.AWS
    variables: dict[str, object] = field(default_factory=dict)
    var_files: list[Path] = field(default_factory=list)
    # An explicit backend.hcl (tests, CI); else TABLEKIT_BACKEND_CONFIG, else the account's default.
    backend_file: Path | None = None
    # The tree whose modules/ and envs/ are staged: this repository, or another commit's export
    # (`plan local --base REF` applies the base branch's code first).
    source_root: Path = ROOT
    _credentials: Credentials | None = field(default=None, repr=False)

    @property
    def simulated(self) -> bool:
        return self.account == account.SIMULATED

    @property
    def offline(self) -> bool:
        """Deprecated name of `simulated` (the old local-backend override is gone)."""
        return self.simulated

    @property
    def real(self) -> bool:
        """A real account: the real toolchain and the code as committed (tablekit.terraform.toolchain)."""
        return self.account == account.AWS and self.env != "local"

    @property
    def toolchain(self) -> toolchain.Toolchain:
        return toolchain.for_account(account.AWS if self.real else account.SIMULATED)

    @property
    def source_dir(self) -> Path:
        return self.source_root / env_dir(self.env).relative_to(ROOT)

    @property
    def stage_root(self) -> Path:
        return self.data_dir / "stage"

    @property
    def workdir(self) -> Path:
        """Directory terraform runs in: the env inside its staged copy."""
        return self.stage_root / "envs" / self.env

    @property
    def state_path(self) -> Path:
        return self.data_dir / "terraform.tfstate"

    @property
    def saved_plan(self) -> Path:
        """Where `plan` saves the plan file `apply` applies unless told otherwise."""
        return self.data_dir / "plan.tfplan"

    @property
    def is_local_backend(self) -> bool:
        return self.env == "local"

    @property
    def uses_endpoint(self) -> bool:
        return self.env == "local" or self.simulated

    def credentials(self) -> Credentials | None:
        """Keys for the endpoint account of this env (None: real AWS, boto3's default chain)."""
        if self.env == "local":
            return account.STATE_CREDENTIALS
        if not self.simulated:
            return None
        if self._credentials is None:
            self._credentials = account.env_credentials(self.env, self.endpoint_url or "")
        return self._credentials

    def terraform(self) -> Terraform:
        env = {"TF_DATA_DIR": str(self.data_dir / "tfdata")}
        if self.simulated:
            creds = self.credentials()
            assert creds is not None
            env.update(creds.environment())  # the env account's keys: in no file, in no plan
        return Terraform(self.workdir, toolchain=self.toolchain, env=env)

    def clients(self, region: str | None = None) -> aws.Clients:
        """boto3 clients for this env: the endpoint (local, simulated account) or real AWS."""
        if not self.uses_endpoint:
            return aws.clients(None, region)
        creds = self.credentials()
        return aws.clients(self.endpoint_url, region, credentials=creds.boto() if creds else None)

    def tf_variables(self) -> dict[str, object]:
        """Variables every run of this env gets, plus the caller's (-var wins over -var-file)."""
        values: dict[str, object] = {}
        if self.env == "local":
            values["endpoint_url"] = self.endpoint_url or "http://127.0.0.1:4566"
        lambda_zip = _lambda_zip_var(self.source_dir)
        if lambda_zip:
            values["lambda_zip_path"] = str(lambda_zip)
        values.update(self.variables)
        return values


def _lambda_zip_var(source_dir: Path) -> Path | None:
    """Build the stream-processor zip when the env declares `lambda_zip_path` (no archive provider offline)."""
    variables_tf = source_dir / "variables.tf"
    if not variables_tf.exists() or 'variable "lambda_zip_path"' not in variables_tf.read_text():
        return None
    from tablekit.staging.lambda_build import build_all

    return build_all()["university-stream"]


def context(
    env: str,
    endpoint_url: str | None = None,
    data_dir: Path | None = None,
    offline: bool = False,
    variables: dict[str, object] | None = None,
    var_files: list[Path] | None = None,
    *,
    account_name: str | None = None,
    backend_file: Path | None = None,
    source_root: Path | None = None,
) -> EnvContext:
    """Build the context of one env run.

    `account_name` is --account (None: TABLEKIT_ACCOUNT, then `aws`); `offline=True` is the
    deprecated spelling of the simulated account. The simulated account defaults to the endpoint
    on TABLEKIT_ENDPOINT_PORT.
    """
    env_dir(env)  # validates the name
    chosen = account.resolve(env, account.SIMULATED if offline and env != "local" else account_name)
    if chosen == account.SIMULATED and not endpoint_url:
        from tablekit.endpoint.server import DEFAULT_PORT

        endpoint_url = DEFAULT_ENDPOINT.format(port=DEFAULT_PORT)
    for path in var_files or []:
        if not Path(path).is_file():
            raise UserError(f"--var-file {path}: no such file")
    suffix = "-simulated" if chosen == account.SIMULATED else ""
    return EnvContext(
        env=env,
        endpoint_url=endpoint_url,
        data_dir=Path(data_dir or (BUILD / "envs" / f"{env}{suffix}")),
        account=chosen,
        variables=dict(variables or {}),
        var_files=[Path(p).resolve() for p in var_files or []],
        backend_file=Path(backend_file) if backend_file else None,
        source_root=Path(source_root) if source_root else ROOT,
    )


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


def require_toolchain(ctx: EnvContext) -> None:
    """A real account: stop (UserError, exit 2) before anything is staged or run unless PATH has a
    Terraform the committed `required_version` constraints admit. The double needs no check."""
    if ctx.real:
        toolchain.require_real(ctx.source_root)


def stage(ctx: EnvContext) -> Path:
    """Copy modules/ and the env into the data dir: adapted to the double (tablekit.staging.compat) for
    local and the simulated account, which also gets its provider redirect; as committed for a
    real account."""
    require_toolchain(ctx)
    copies.stage(ctx.stage_root, include=("modules", f"envs/{ctx.env}"), root=ctx.source_root, real=ctx.real)
    if ctx.simulated:
        _write_account_override(ctx)
    return ctx.workdir


def _write_account_override(ctx: EnvContext) -> None:
    # Override files merge argument by argument: the env's regions and aliases stay, and only
    # endpoints and start-up flags are added, for every alias. The env account's keys go to the
    # Terraform process environment (EnvContext.terraform), never into a file or a plan.
    sources = "".join(p.read_text() for p in ctx.workdir.glob("*.tf") if not p.name.startswith("zz_tablekit_"))
    aliases = [None, *sorted(set(re.findall(r'alias\s*=\s*"([^"]+)"', sources)))]
    schema = providers.in_use()
    creds = ctx.credentials()
    assert creds is not None
    blocks = "\n".join(
        providers.local_provider_hcl(schema, ctx.endpoint_url or "", region=None, alias=a, credentials={})
        for a in aliases
    )
    header = (
        f"# Generated by tablekit for the simulated account: the env's own provider blocks, aimed at the local\n"
        f"# endpoint as endpoint account {creds.account_id}. The backend stays the env's S3 backend.\n"
    )
    (ctx.workdir / ACCOUNT_OVERRIDE).write_text(header + blocks)


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def backend_file(ctx: EnvContext) -> Path:
    """The env's backend.hcl: explicit, TABLEKIT_BACKEND_CONFIG, or the account's default."""
    configured = ctx.backend_file or (
        Path(os.environ[BACKEND_CONFIG_ENV]) if os.environ.get(BACKEND_CONFIG_ENV) else None
    )
    if configured is not None:
        if not configured.is_file():
            raise UserError(f"{BACKEND_CONFIG_ENV}/backend file {configured} does not exist: point it at a backend.hcl")
        return configured
    if ctx.simulated:
        path = account.simulated_backend_file(ctx.env)
        if not path.is_file():
            raise account.missing_bootstrap_error(ctx.env, path)
        return path
    path = ctx.source_dir / "backend.hcl"
    if not path.exists():
        raise UserError(
            f"{ctx.env} uses a partial S3 backend but {_shown(path)} does not exist: copy "
            f"envs/{ctx.env}/backend.hcl.example to backend.hcl and fill in bucket/table "
            f"(or set {BACKEND_CONFIG_ENV}), or try it on the simulated account with --account simulated"
        )
    return path


def _modern_terraform() -> bool:
    """Terraform >= 1.6 spells the S3 backend's endpoint settings differently; the simulated account
    (the only caller) always runs the double."""
    from tablekit.terraform.toolchain import TERRAFORM_VERSION

    major, minor = (int(part) for part in TERRAFORM_VERSION.split(".")[:2])
    return (major, minor) >= (1, 6)


def backend_config(ctx: EnvContext) -> list[str]:
    """-backend-config values for this run."""
    if ctx.is_local_backend:
        return [f"path={ctx.state_path}"]
    configured = backend_file(ctx)
    if not ctx.simulated:
        return [str(configured.resolve())]
    redirect = ctx.data_dir / "simulated-backend.hcl"
    redirect.parent.mkdir(parents=True, exist_ok=True)
    redirect.write_text(account.backend_settings(ctx.endpoint_url or "", _modern_terraform()))
    return [str(configured.resolve()), str(redirect)]


def _bucket_of(path: Path) -> str | None:
    match = re.search(r'^\s*bucket\s*=\s*"([^"]+)"', path.read_text(), re.MULTILINE)
    return match.group(1) if match else None


def require_account(ctx: EnvContext) -> None:
    """Fail before Terraform when the account cannot work: no credentials (AWS), no endpoint or no
    state bucket (simulated account)."""
    if ctx.env == "local":
        return
    if not ctx.simulated:
        if not aws.credentials_available():
            raise UserError(
                f"{ctx.env} talks to real AWS but no credentials were found: set AWS_PROFILE or "
                f"AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or try it on the simulated account with --account simulated)"
            )
        require_toolchain(ctx)
        return
    from tablekit.endpoint.probes import healthy

    if not healthy(ctx.endpoint_url or ""):
        raise UserError(
            f"the simulated account needs the local endpoint, but nothing answers at {ctx.endpoint_url}: "
            "start it with `just up` (or pass --endpoint-url)"
        )
    configured = backend_file(ctx)
    bucket = _bucket_of(configured)
    if bucket:
        s3 = aws.clients(ctx.endpoint_url, account.SIMULATED_REGION).client("s3")
        try:
            s3.head_bucket(Bucket=bucket)
        except Exception:
            raise account.missing_bootstrap_error(ctx.env, configured) from None


# Deprecated name kept for callers of the old API (seed, adopt).
require_credentials = require_account


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
        compat.note_instances(planned.raw)  # which resources each stripped argument applied to
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


def export_tree(ref: str, dest: Path, repo: Path = ROOT) -> Path:
    """The Terraform code and stream processor of commit `ref` (git archive), for `plan local --base`."""
    if dest.exists():
        import shutil

        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    try:
        archive = subprocess.run(
            ["git", "-C", str(repo), "archive", "--format=tar", ref, "modules", "envs", "lambda_function"],
            capture_output=True,
            check=True,
        )
    except FileNotFoundError:
        raise UserError("--base needs git on PATH") from None
    except subprocess.CalledProcessError as exc:
        detail = exc.stderr.decode(errors="replace").strip().splitlines()
        raise UserError(
            f"--base {ref}: git cannot export it ({detail[0] if detail else 'unknown revision'}); "
            "fetch it first (CI: actions/checkout with fetch-depth: 0)"
        ) from None
    import io
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(dest, filter="data")
    return dest


def example_inputs(env: str) -> Path | None:
    """The env's committed, safe example values of its required inputs (envs/<env>/example.tfvars), if any.

    For the simulated account, lint and tests only: a real account takes its values from --var,
    --var-file or the repository variables the workflows read (tablekit.envs.inputs).
    """
    path = env_dir(env) / inputs.EXAMPLE_TFVARS
    return path if path.is_file() else None


def on_endpoint(env: str, endpoint_url: str, data_dir: Path, *, example_values: bool = True) -> EnvContext:
    """An env run on a throwaway endpoint (lint's plans, test fixtures): local as it is, dev and
    prod on the simulated account with a state bucket and lock table made on that endpoint
    (tablekit.envs.account.state_store) and, with `example_values`, their committed example inputs."""
    if env == "local":
        return context(env, endpoint_url=endpoint_url, data_dir=data_dir)
    example = example_inputs(env) if example_values else None
    return context(
        env,
        endpoint_url=endpoint_url,
        data_dir=data_dir,
        var_files=[example] if example else [],
        account_name=account.SIMULATED,
        backend_file=account.state_store(endpoint_url, env, data_dir / "account"),
    )
