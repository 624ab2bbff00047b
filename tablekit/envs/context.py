"""One env run's context: which env, which account and toolchain, where its files go, which inputs.

Every generated file of an environment run lives under one data directory (default
build/envs/<env>, build/envs/<env>-simulated on the simulated account): the staged copy of the
code Terraform runs in, TF_DATA_DIR, the local state of `local`, plan files and logs. Tests pass
their own data directory and endpoint, so they never touch a developer's estate.

The account chooses the toolchain (tablekit.terraform.toolchain.for_account): `local` and the
simulated account run the pinned double on an adapted copy; a real account runs a current
Terraform from PATH on the code exactly as committed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tablekit import aws
from tablekit.envs import account, inputs
from tablekit.envs.account import Credentials
from tablekit.errors import UserError
from tablekit.paths import BUILD, ROOT, env_dir
from tablekit.terraform import toolchain
from tablekit.terraform.runner import Terraform

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
