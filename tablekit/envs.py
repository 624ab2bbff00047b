"""Environments (envs/local, envs/dev, envs/prod): where their Terraform state lives and how to run them.

Every generated file of an environment run lives under one data directory (default
build/envs/<env>): TF_DATA_DIR, the local state of `local`, plan files. Tests pass their own data
directory and endpoint, so they never touch a developer's local estate.

dev and prod normally use a partial S3 backend (envs/<env>/backend.hcl) and real credentials.
`offline=True` plans them without either: the env is staged into the data directory with an
override file that swaps in a local backend and a provider aimed at the local endpoint. That is
how tests, `just lint` and PR comments see dev/prod plans on a machine with no AWS account.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from tablekit.errors import UserError
from tablekit.paths import BUILD, ROOT, env_dir
from tablekit.terraform import Terraform, var_args
from tablekit.testing import local_provider_hcl
from tablekit.toolchain import online

# Newest Lambda runtime hashicorp/aws 3.39 accepts; real envs default to a current one.
OFFLINE_LAMBDA_RUNTIME = "python3.8"
BACKEND_CONFIG_ENV = "TABLEKIT_BACKEND_CONFIG"


@dataclass
class EnvContext:
    """One environment run: which env, which endpoint, where its generated files go."""

    env: str
    endpoint_url: str | None = None
    data_dir: Path = field(default_factory=Path)
    offline: bool = False
    variables: dict[str, object] = field(default_factory=dict)

    @property
    def source_dir(self) -> Path:
        return env_dir(self.env)

    @property
    def workdir(self) -> Path:
        """Directory terraform runs in: the env itself, or its staged copy when planning offline."""
        return self.data_dir / "stage" / "envs" / self.env if self.offline else self.source_dir

    @property
    def state_path(self) -> Path:
        return self.data_dir / "terraform.tfstate"

    @property
    def is_local_backend(self) -> bool:
        return self.env == "local" or self.offline

    def terraform(self) -> Terraform:
        return Terraform(self.workdir, extra_env={"TF_DATA_DIR": str(self.data_dir / "tfdata")})

    def tf_variables(self) -> dict[str, object]:
        """Variables every run of this env gets, plus the caller's."""
        values: dict[str, object] = {}
        if self.env == "local":
            values["endpoint_url"] = self.endpoint_url or "http://127.0.0.1:4566"
        if self.offline and self.env != "local" and not online():
            values["lambda_runtime"] = OFFLINE_LAMBDA_RUNTIME
        lambda_zip = _lambda_zip_var(self.workdir)
        if lambda_zip:
            values["lambda_zip_path"] = str(lambda_zip)
        values.update(self.variables)
        return values


def _lambda_zip_var(workdir: Path) -> Path | None:
    """Build the stream-processor zip when the env declares `lambda_zip_path` (no archive provider offline)."""
    variables_tf = workdir / "variables.tf"
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
) -> EnvContext:
    """Build the context of one env run; `offline` plans dev/prod against the local endpoint."""
    env_dir(env)  # validates the name
    if offline and not endpoint_url:
        raise UserError("offline plans need the local endpoint: start it with `just up` or pass --endpoint-url")
    base = data_dir or (BUILD / "envs" / (f"{env}-offline" if offline and env != "local" else env))
    return EnvContext(
        env=env,
        endpoint_url=endpoint_url,
        data_dir=Path(base),
        offline=offline and env != "local",
        variables=dict(variables or {}),
    )


def _stage(ctx: EnvContext) -> None:
    """Copy modules/ and the env into the data dir and add the offline override file."""
    stage_root = ctx.data_dir / "stage"
    ignore = shutil.ignore_patterns(".terraform", "*.tfstate*", ".terraform.lock.hcl", "backend.hcl")
    for rel in ("modules", f"envs/{ctx.env}"):
        target = stage_root / rel
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(ROOT / rel, target, ignore=ignore)
    # Override files merge attribute by attribute: the region expressions of the env stay, while
    # credentials, skips and endpoints are swapped for the local endpoint's, for every alias.
    sources = "".join(p.read_text() for p in ctx.workdir.glob("*.tf"))
    aliases = [None, *sorted(set(re.findall(r'alias\s*=\s*"([^"]+)"', sources)))]
    providers = "\n".join(local_provider_hcl(ctx.endpoint_url or "", region=None, alias=a) for a in aliases)
    override = (
        "# Generated by tablekit for offline plans: local state, providers aimed at the local endpoint.\n"
        'terraform {\n  backend "local" {}\n}\n\n' + providers
    )
    (ctx.workdir / "zz_tablekit_override.tf").write_text(override)
    example_values = ctx.source_dir / "offline.tfvars"
    if example_values.exists():
        shutil.copyfile(example_values, ctx.workdir / "zz_offline.auto.tfvars")


def backend_config(ctx: EnvContext) -> list[str]:
    """-backend-config values for this run."""
    if ctx.is_local_backend:
        return [f"path={ctx.state_path}"]
    configured = os.environ.get(BACKEND_CONFIG_ENV)
    path = Path(configured) if configured else ctx.source_dir / "backend.hcl"
    if not path.exists():
        raise UserError(
            f"{ctx.env} uses a partial S3 backend but {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} "
            f"does not exist: copy envs/{ctx.env}/backend.hcl.example to backend.hcl and fill in bucket/table "
            f"(or set {BACKEND_CONFIG_ENV}), or plan offline with --offline"
        )
    return [str(path)]


def require_credentials(ctx: EnvContext) -> None:
    """Real envs need AWS credentials; say so before terraform prints a long provider error."""
    if ctx.env == "local" or ctx.offline:
        return
    import boto3

    if boto3.session.Session().get_credentials() is None:
        raise UserError(
            f"{ctx.env} talks to real AWS but no credentials were found: set AWS_PROFILE or "
            f"AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or use --offline to plan against the local endpoint)"
        )


def init(ctx: EnvContext) -> Terraform:
    ctx.data_dir.mkdir(parents=True, exist_ok=True)
    if ctx.offline:
        _stage(ctx)
    require_credentials(ctx)
    tf = ctx.terraform()
    tf.init(backend_config=backend_config(ctx))
    return tf


def apply(ctx: EnvContext) -> dict[str, object]:
    """init + apply; returns the env's outputs."""
    tf = init(ctx)

    tf.stream(
        ["apply", "-input=false", "-auto-approve", "-no-color", *var_args(ctx.tf_variables())],
        log_file=ctx.data_dir / "apply.log",
    )
    return tf.output()


def plan(ctx: EnvContext, out_json: Path | None = None, refresh: bool = True, destroy: bool = False) -> dict:
    """init + plan; returns `terraform show -json` of the plan (and writes it to out_json)."""

    tf = init(ctx)
    plan_file = ctx.data_dir / ("destroy.tfplan" if destroy else "plan.tfplan")

    args = ["plan", "-input=false", "-no-color", f"-out={plan_file}", *var_args(ctx.tf_variables())]
    if not refresh:
        args.append("-refresh=false")
    if destroy:
        args.append("-destroy")
    tf.run(args, capture=True)
    shown = json.loads(tf.run(["show", "-json", str(plan_file)], capture=True).stdout)
    if out_json:
        out_json.parent.mkdir(parents=True, exist_ok=True)
        out_json.write_text(json.dumps(shown, indent=1, sort_keys=True))
    return shown


def destroy(ctx: EnvContext) -> None:
    tf = init(ctx)

    tf.stream(
        ["destroy", "-input=false", "-auto-approve", "-no-color", *var_args(ctx.tf_variables())],
        log_file=ctx.data_dir / "destroy.log",
    )


def outputs(ctx: EnvContext) -> dict[str, object]:
    """The env's `terraform output -json` values (`tables`, `app_config`, …)."""
    return ctx.terraform().output()
