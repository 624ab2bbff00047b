"""Environments (envs/local, envs/dev, envs/prod): where their files live and how Terraform runs them.

Every generated file of an environment run lives under one data directory (default
build/envs/<env>): the staged copy of the code Terraform runs in, TF_DATA_DIR, the local state
of `local`, plan files and logs. Tests pass their own data directory and endpoint, so they never
touch a developer's local estate.

Why every run works on a staged copy (tablekit.staging): Terraform writes `.terraform` lock and
override files next to the code, and the copy is where the code is adapted to the provider in
use. The copy has the repository's layout, so relative module sources resolve unchanged.

dev and prod normally use a partial S3 backend (envs/<env>/backend.hcl) and real credentials.
`offline=True` plans them without either: the staged copy gets an override file that swaps in
a local backend and a provider aimed at the local endpoint.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tablekit import aws, compat, providers, staging
from tablekit.errors import UserError
from tablekit.paths import BUILD, ROOT, env_dir
from tablekit.plan import Plan
from tablekit.terraform import Terraform

BACKEND_CONFIG_ENV = "TABLEKIT_BACKEND_CONFIG"


@dataclass
class EnvContext:
    """One environment run: which env, which endpoint, where its generated files go, which inputs."""

    env: str
    endpoint_url: str | None = None
    data_dir: Path = field(default_factory=Path)
    offline: bool = False
    variables: dict[str, object] = field(default_factory=dict)
    var_files: list[Path] = field(default_factory=list)
    # The tree whose modules/ and envs/ are staged: the repository, or another release's tree
    # (upgrade-check stages a previous release exported from git).
    source_root: Path = ROOT

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
    def is_local_backend(self) -> bool:
        return self.env == "local" or self.offline

    def terraform(self) -> Terraform:
        return Terraform(self.workdir, env={"TF_DATA_DIR": str(self.data_dir / "tfdata")})

    def clients(self, region: str | None = None) -> aws.Clients:
        """boto3 clients for this env: the local endpoint (local, offline) or real AWS."""
        return aws.clients(self.endpoint_url if self.is_local_backend else None, region)

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
    from tablekit.lambda_build import build_all

    return build_all()["university-stream"]


def context(
    env: str,
    endpoint_url: str | None = None,
    data_dir: Path | None = None,
    offline: bool = False,
    variables: dict[str, object] | None = None,
    var_files: list[Path] | None = None,
    source_root: Path | None = None,
) -> EnvContext:
    """Build the context of one env run; `offline` plans dev/prod against the local endpoint.

    `source_root` stages another tree's modules/ and envs/ (default: this repository).
    """
    env_dir(env)  # validates the name
    if offline and not endpoint_url:
        raise UserError("offline plans need the local endpoint: start it with `just up` or pass --endpoint-url")
    for path in var_files or []:
        if not Path(path).is_file():
            raise UserError(f"--var-file {path}: no such file")
    base = data_dir or (BUILD / "envs" / (f"{env}-offline" if offline and env != "local" else env))
    return EnvContext(
        env=env,
        endpoint_url=endpoint_url,
        data_dir=Path(base),
        offline=offline and env != "local",
        variables=dict(variables or {}),
        var_files=[Path(p).resolve() for p in var_files or []],
        source_root=Path(source_root) if source_root else ROOT,
    )


def stage(ctx: EnvContext) -> Path:
    """Copy modules/ and the env (from ctx.source_root: the repository, or another release's tree)
    into the data dir, adapt the copy to the provider in use (tablekit.compat); offline runs of
    dev/prod also get the override file."""
    staging.stage(ctx.stage_root, include=("modules", f"envs/{ctx.env}"), root=ctx.source_root)
    if ctx.offline:
        _write_offline_override(ctx)
    return ctx.workdir


def _write_offline_override(ctx: EnvContext) -> None:
    # Override files merge attribute by attribute: the region expressions of the env stay, while
    # credentials, skips and endpoints are swapped for the local endpoint's, for every alias.
    sources = "".join(p.read_text() for p in ctx.workdir.glob("*.tf"))
    aliases = [None, *sorted(set(re.findall(r'alias\s*=\s*"([^"]+)"', sources)))]
    schema = providers.in_use()
    blocks = "\n".join(
        providers.local_provider_hcl(schema, ctx.endpoint_url or "", region=None, alias=a) for a in aliases
    )
    override = (
        "# Generated by tablekit for offline plans: local state, providers aimed at the local endpoint.\n"
        'terraform {\n  backend "local" {}\n}\n\n' + blocks
    )
    (ctx.workdir / "zz_tablekit_override.tf").write_text(override)
    example_values = ctx.source_dir / "offline.tfvars"
    if example_values.exists():
        (ctx.workdir / "zz_tablekit_offline.auto.tfvars").write_text(example_values.read_text())


def backend_config(ctx: EnvContext) -> list[str]:
    """-backend-config values for this run."""
    if ctx.is_local_backend:
        return [f"path={ctx.state_path}"]
    configured = os.environ.get(BACKEND_CONFIG_ENV)
    path = Path(configured) if configured else ctx.source_dir / "backend.hcl"
    if not path.exists():
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        raise UserError(
            f"{ctx.env} uses a partial S3 backend but {shown} does not exist: copy "
            f"envs/{ctx.env}/backend.hcl.example to backend.hcl and fill in bucket/table "
            f"(or set {BACKEND_CONFIG_ENV}), or plan offline with --offline"
        )
    return [str(path.resolve())]


def require_credentials(ctx: EnvContext) -> None:
    """Real envs need AWS credentials; say so before terraform prints a long provider error."""
    if ctx.env == "local" or ctx.offline:
        return
    if not aws.credentials_available():
        raise UserError(
            f"{ctx.env} talks to real AWS but no credentials were found: set AWS_PROFILE or "
            f"AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or use --offline to plan against the local endpoint)"
        )


def init(ctx: EnvContext) -> Terraform:
    """Stage the code and `terraform init` it with the env's backend."""
    ctx.data_dir.mkdir(parents=True, exist_ok=True)
    backend = backend_config(ctx)
    require_credentials(ctx)
    stage(ctx)
    tf = ctx.terraform()
    tf.init(backend_config=backend)
    return tf


def apply(ctx: EnvContext) -> dict[str, Any]:
    """init + apply (plan and apply in one run); returns the env's outputs."""
    tf = init(ctx)
    tf.apply(variables=ctx.tf_variables(), var_files=ctx.var_files, log_file=ctx.data_dir / "apply.log")
    return tf.output()


def plan(ctx: EnvContext, out_json: Path | None = None, refresh: bool = True, destroy: bool = False) -> Plan:
    """init + plan into a saved plan file; returns the plan (and writes its JSON to out_json)."""
    tf = init(ctx)
    plan_file = ctx.data_dir / ("destroy.tfplan" if destroy else "plan.tfplan")
    planned = tf.plan(
        plan_file,
        ctx.tf_variables(),
        ctx.var_files,
        refresh=refresh,
        destroy=destroy,
        json_out=out_json,
    )
    compat.note_instances(planned.raw)  # which resources each stripped argument applied to
    return planned


def destroy(ctx: EnvContext) -> None:
    tf = init(ctx)
    tf.destroy(ctx.tf_variables(), ctx.var_files, log_file=ctx.data_dir / "destroy.log")


def outputs(ctx: EnvContext) -> dict[str, Any]:
    """The env's `terraform output -json` values (`tables`, `app_config`, …); {} before the first apply."""
    if not ctx.workdir.exists():
        if ctx.is_local_backend and not ctx.state_path.exists():
            return {}
        stage(ctx)
    return ctx.terraform().output()
