"""Which AWS account an env command works on: the real one (`aws`) or the simulated one (`simulated`).

One switch for every env command: `--account simulated|aws`, or `TABLEKIT_ACCOUNT` (the form CI
and tests use). `local` always works on the local endpoint and ignores it.

Why a simulated account at all: dev and prod use a partial S3 backend, a DynamoDB lock table and
real provider blocks. Planning them with a swapped-in local backend (the old `--offline`) hid every
backend, lock and variable mistake until someone had a real account. On the simulated account the
local endpoint (moto) stands in for AWS and dev and prod run with their **real** configuration:

- the backend is the env's own `backend "s3" {}` with the backend.hcl `bootstrap-state` wrote for
  the simulated account; the harness adds only endpoints, test credentials and skip flags
  (`backend_settings`), in a second `-backend-config` file;
- the provider blocks are the env's own (region, aliases); a generated override file adds only
  endpoints, credentials and start-up flags (`tablekit.staging.providers`);
- dev and prod are separate accounts, as they are in AWS: the harness assumes a role in each one's
  endpoint account (`ENV_ACCOUNTS`) through the endpoint's STS, and the state bucket and lock
  table live in a third one (the endpoint's default account, where `local` lives too). Table
  names are equal in every env, so one shared account would make dev and prod collide.

What the endpoint cannot do (replicas, AWS Backup selections, a Lambda's dead-letter config) is
planned but never applied there: see `tablekit.staging.planned_only`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tablekit.errors import UserError
from tablekit.paths import BUILD

ACCOUNT_ENV = "TABLEKIT_ACCOUNT"
AWS = "aws"
SIMULATED = "simulated"
LOCAL = "local"  # what `local` always is: the endpoint, no choice
CHOICES = (AWS, SIMULATED)
DEFAULT = AWS

# Endpoint accounts of the simulated account. The state bucket and lock table live in moto's
# default account (the fixed test keys), which is also where `local` lives.
STATE_ACCOUNT = "123456789012"
ENV_ACCOUNTS = {"dev": "111111111111", "prod": "222222222222"}
ROLE_NAME = "tablekit-simulated"
# bootstrap-state --account simulated writes each env's backend.hcl here, never into envs/.
SIMULATED_DIR = BUILD / "accounts" / SIMULATED
# The state bucket and lock table `bootstrap-state --account simulated` creates when not told otherwise.
SIMULATED_BUCKET = "tablekit-simulated-state"
SIMULATED_LOCK_TABLE = "tablekit-simulated-locks"
SIMULATED_REGION = "us-east-1"


def resolve(env: str, value: str | None = None) -> str:
    """The account an env runs on: `local` for local; else --account, TABLEKIT_ACCOUNT, then `aws`."""
    if env == LOCAL:
        return LOCAL
    chosen = (value or os.environ.get(ACCOUNT_ENV) or DEFAULT).strip().lower()
    if chosen not in CHOICES:
        source = "--account" if value else ACCOUNT_ENV
        raise UserError(f"{source} {chosen!r}: choose {' or '.join(CHOICES)} (simulated: the local endpoint)")
    return chosen


def simulated_backend_file(env: str, root: Path = SIMULATED_DIR) -> Path:
    """Where the simulated account's backend.hcl of an env lives (written by bootstrap-state)."""
    return root / env / "backend.hcl"


@dataclass(frozen=True)
class Credentials:
    """Keys of one endpoint account: what the provider block and boto3 clients of an env use."""

    access_key: str
    secret_key: str
    token: str = ""
    account_id: str = STATE_ACCOUNT

    def environment(self) -> dict[str, str]:
        """The standard AWS variables for a Terraform process: the provider reads them, and neither
        the override file nor the plan's provider configuration holds a key."""
        keys = {"AWS_ACCESS_KEY_ID": self.access_key, "AWS_SECRET_ACCESS_KEY": self.secret_key}
        if self.token:
            keys["AWS_SESSION_TOKEN"] = self.token
        return keys

    def boto(self) -> dict[str, str]:
        """boto3 client keyword arguments (tablekit.aws.clients)."""
        keys = {"aws_access_key_id": self.access_key, "aws_secret_access_key": self.secret_key}
        if self.token:
            keys["aws_session_token"] = self.token
        return keys


STATE_CREDENTIALS = Credentials("test", "test")


def env_credentials(env: str, endpoint_url: str) -> Credentials:
    """Keys of the env's own endpoint account, from an AssumeRole through the endpoint's STS.

    Why assume a role on every run: the endpoint keeps keys in memory only, and keys it does not
    know silently mean its default account (where the state bucket and `local` live). Fresh keys
    per run can never point at the wrong account after the endpoint restarted.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    from tablekit import aws

    account_id = ENV_ACCOUNTS[env]
    sts = aws.clients(endpoint_url, SIMULATED_REGION).client("sts")
    try:
        issued: dict[str, Any] = sts.assume_role(
            RoleArn=f"arn:aws:iam::{account_id}:role/{ROLE_NAME}", RoleSessionName=f"tablekit-{env}"
        )["Credentials"]
    except (BotoCoreError, ClientError) as exc:
        raise UserError(
            f"the simulated account needs the local endpoint, but {endpoint_url} did not answer ({exc}): "
            "start it with `just up` or pass --endpoint-url"
        ) from None
    return Credentials(issued["AccessKeyId"], issued["SecretAccessKey"], issued["SessionToken"], account_id)


def backend_settings(endpoint_url: str, modern: bool) -> str:
    """A -backend-config file body that aims an S3 backend (state + locks) at the endpoint.

    Only endpoints, the state account's test keys and the skip flags (no STS/IMDS probes the
    endpoint cannot answer meaningfully); bucket, key, region and lock table stay those of the
    env's backend.hcl. Terraform 1.6 renamed the endpoint settings (`modern`); 1.0 knows only
    the old names.
    """
    url = endpoint_url.replace('"', "")
    common = (
        "skip_credentials_validation = true\n"
        "skip_metadata_api_check     = true\n"
        "skip_region_validation      = true\n"
        f'access_key                  = "{STATE_CREDENTIALS.access_key}"\n'
        f'secret_key                  = "{STATE_CREDENTIALS.secret_key}"\n'
    )
    header = "# Generated by tablekit for the simulated account: the env's S3 backend aimed at the local endpoint.\n"
    if modern:
        endpoints = "".join(f'  {name:<8} = "{url}"\n' for name in ("s3", "dynamodb", "sts", "iam"))
        return (
            header
            + f"endpoints = {{\n{endpoints}}}\n"
            + "use_path_style              = true\n"
            + "skip_requesting_account_id  = true\n"
            + common
        )
    return (
        header
        + f'endpoint                    = "{url}"\n'
        + f'dynamodb_endpoint           = "{url}"\n'
        + f'sts_endpoint                = "{url}"\n'
        + f'iam_endpoint                = "{url}"\n'
        + "force_path_style            = true\n"
        + common
    )


def missing_bootstrap_error(env: str, path: Path) -> UserError:
    """What to do when the simulated account has no state backend for an env yet."""
    return UserError(
        f"the simulated account has no state backend for {env} yet ({path} does not exist): create the "
        f"state bucket and lock table on the endpoint first with `just bootstrap-state {SIMULATED_BUCKET} "
        f"{SIMULATED_LOCK_TABLE} {SIMULATED_REGION} --account simulated`"
    )


def state_store(endpoint_url: str, env: str, out_dir: Path) -> Path:
    """The state bucket and lock table of the simulated account on a throwaway endpoint, and env's backend.hcl.

    Why not `bootstrap-state`: that applies modules/state-backend (policies, versioning rules, KMS)
    with Terraform, which a throwaway endpoint of a single run (upgrade-check) does not need and
    pays ~15 s for. The backend that reads the result is the same: bucket, key, region and lock
    table, as the module's backend_hcl output writes them; `backend_settings` adds the endpoint.
    """
    from tablekit import aws

    clients = aws.clients(endpoint_url, SIMULATED_REGION)
    s3 = clients.client("s3")
    if SIMULATED_BUCKET not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
        s3.create_bucket(Bucket=SIMULATED_BUCKET)
        s3.put_bucket_versioning(Bucket=SIMULATED_BUCKET, VersioningConfiguration={"Status": "Enabled"})
    dynamodb = clients.client("dynamodb")
    if SIMULATED_LOCK_TABLE not in dynamodb.list_tables().get("TableNames", []):
        dynamodb.create_table(
            TableName=SIMULATED_LOCK_TABLE,
            AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
    path = simulated_backend_file(env, out_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'bucket         = "{SIMULATED_BUCKET}"\nkey            = "{env}/terraform.tfstate"\n'
        f'region         = "{SIMULATED_REGION}"\ndynamodb_table = "{SIMULATED_LOCK_TABLE}"\nencrypt        = true\n'
    )
    return path
