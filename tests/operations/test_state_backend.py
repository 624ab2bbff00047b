"""modules/state-backend and `tablekit state bootstrap` against the session's local endpoint.

The locking test needs two applies to collide deterministically. Racing two `-auto-approve`
processes would pass or fail on timing, so the first apply is started *without* -auto-approve: it
takes the lock, plans, and then waits at its approval prompt for as long as the test likes. While
it holds the lock a second apply with -lock-timeout=0s must fail and name the holder, and a third
with a generous -lock-timeout must wait and succeed once the first is approved and finishes.
"""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
import time
from pathlib import Path

import pytest

from tablekit.commands import state
from tablekit.envs import account
from tablekit.errors import UserError
from tablekit.staging.copies import scratch_root
from tablekit.terraform.runner import Terraform, TerraformError

pytestmark = pytest.mark.apply

BUCKET = "ops-tf-state"
LOCK_TABLE = "ops-tf-locks"


def _hcl_settings(text: str) -> dict[str, str]:
    """key => raw value of a flat backend.hcl (quotes stripped); enough for `a = "b"` lines."""
    pairs = re.findall(r'^\s*([a-z_]+)\s*=\s*"?([^"\n]*)"?\s*$', text, flags=re.M)
    return dict(pairs)


def test_module_defaults_make_a_private_versioned_encrypted_tls_only_bucket(endpoint_url: str, aws, tmp_path) -> None:
    main_tf = (
        'module "state" {\n  source          = "../modules/state-backend"\n'
        '  bucket_name     = "ops-defaults-state"\n  lock_table_name = "ops-defaults-locks"\n'
        '  tags            = { Owner = "platform" }\n}\n'
        'output "state" {\n  value = module.state\n}\n'
    )
    root = scratch_root(tmp_path, main_tf, endpoint_url)
    runner = Terraform(root)
    runner.init()
    runner.apply()
    out = runner.output()["state"]

    s3 = aws("s3")
    bucket = "ops-defaults-state"
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block == dict.fromkeys(
        ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
    )
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    [deny] = policy["Statement"]
    assert deny["Effect"] == "Deny"
    condition = deny["Condition"]["Bool"]["aws:SecureTransport"]
    assert condition in ("false", ["false"]), "deny every request that does not use TLS"
    assert sorted(deny["Resource"]) == [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]
    [lifecycle] = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert lifecycle["Status"] == "Enabled"
    assert lifecycle["NoncurrentVersionExpiration"]["NoncurrentDays"] == 90
    assert lifecycle["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == 7
    tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=bucket)["TagSet"]}
    assert tags["Owner"] == "platform" and tags["Purpose"] == "terraform-state"

    ddb = aws("dynamodb")
    table = ddb.describe_table(TableName="ops-defaults-locks")["Table"]
    assert table["KeySchema"] == [{"AttributeName": "LockID", "KeyType": "HASH"}]
    assert table["AttributeDefinitions"] == [{"AttributeName": "LockID", "AttributeType": "S"}]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["SSEDescription"]["Status"] == "ENABLED"
    backups = ddb.describe_continuous_backups(TableName="ops-defaults-locks")["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"

    assert out["bucket_arn"] == f"arn:aws:s3:::{bucket}"
    assert out["lock_table_arn"].endswith(":table/ops-defaults-locks")
    assert _hcl_settings(out["backend_hcl"]["prod"]) == {
        "bucket": bucket,
        "key": "prod/terraform.tfstate",
        "region": "us-east-1",
        "dynamodb_table": "ops-defaults-locks",
        "encrypt": "true",
    }

    replan = runner.plan(root / "replan.tfplan")
    changed = {rc.address: rc.action for rc in replan.managed() if rc.noteworthy}
    assert not changed, f"a second plan must be empty, got {changed}"


def test_bad_bucket_name_is_rejected_with_the_rule(endpoint_url: str, tmp_path) -> None:
    main_tf = (
        'module "state" {\n  source          = "../modules/state-backend"\n'
        '  bucket_name     = "Bad_Bucket"\n  lock_table_name = "ok-locks"\n}\n'
    )
    root = scratch_root(tmp_path, main_tf, endpoint_url)
    runner = Terraform(root)
    runner.init()
    with pytest.raises(TerraformError, match=r"bucket_name must be 3-63 characters"):
        runner.plan(root / "bad.tfplan")


@pytest.fixture(scope="module")
def bootstrapped(endpoint_url: str, tmp_path_factory: pytest.TempPathFactory) -> state.BootstrapResult:
    """`tablekit state bootstrap` on the local endpoint; its dev backend.hcl drives the locking test."""
    work = tmp_path_factory.mktemp("bootstrap")
    return state.bootstrap(
        BUCKET,
        LOCK_TABLE,
        "us-east-1",
        envs=("dev",),
        endpoint_url=endpoint_url,
        workdir=work / "root",
        out_dir=work / "envs",
    )


def test_bootstrap_writes_backend_hcl_and_refuses_to_overwrite_a_different_one(
    bootstrapped: state.BootstrapResult, endpoint_url: str
) -> None:
    [written] = bootstrapped.written
    assert written.parent.name == "dev"
    settings = _hcl_settings(written.read_text())
    assert settings["bucket"] == BUCKET and settings["dynamodb_table"] == LOCK_TABLE
    assert settings["key"] == "dev/terraform.tfstate"
    # Exactly what a real account's file holds: the endpoint is added per run (tablekit.envs.account).
    assert not {"endpoint", "dynamodb_endpoint", "access_key"} & set(settings)
    assert (bootstrapped.workdir / "terraform.tfstate").exists(), "the bootstrap keeps its own state locally"

    written.write_text(written.read_text().replace(LOCK_TABLE, "someone-elses-locks"))
    with pytest.raises(UserError, match=r"already exist\(s\) with different settings.*--force"):
        state.write_backend_files(bootstrapped.backend_hcl, written.parent.parent)
    state.write_backend_files(bootstrapped.backend_hcl, written.parent.parent, force=True)
    assert _hcl_settings(written.read_text())["dynamodb_table"] == LOCK_TABLE


def _read_until(proc: subprocess.Popen, marker: str, timeout: float) -> str:
    """Read a child's stdout until marker shows up (the approval prompt has no newline to readline on)."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    seen = b""
    deadline = time.monotonic() + timeout
    while marker.encode() not in seen:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or proc.poll() is not None:
            raise AssertionError(f"no {marker!r} from terraform within {timeout}s; output so far:\n{seen.decode()}")
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            seen += os.read(fd, 65536)
    return seen.decode()


def _state_versions(s3, key: str) -> list[dict]:
    """Every stored version of the state object, oldest first, parsed.

    LastModified has one-second resolution, so two quick applies tie; S3 lists a key's versions
    newest first, which is the order that always holds.
    """
    versions = s3.list_object_versions(Bucket=BUCKET, Prefix=key)["Versions"]
    assert versions[0]["IsLatest"], "S3 lists the newest version first"
    parsed = []
    for version in reversed(versions):
        body = s3.get_object(Bucket=BUCKET, Key=key, VersionId=version["VersionId"])["Body"].read()
        parsed.append(json.loads(body))
    return parsed


def test_concurrent_applies_are_serialised_by_the_lock_table(
    bootstrapped: state.BootstrapResult, aws, endpoint_url: str, tmp_path: Path
) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text(
        'terraform {\n  backend "s3" {}\n}\n\nvariable "release" {\n  type = string\n}\n\n'
        'output "release" {\n  value = var.release\n}\n'
    )
    backend_file = bootstrapped.written[0]
    redirect = tmp_path / "endpoint.hcl"  # what `plan --account simulated` adds as a second file
    redirect.write_text(account.backend_settings(endpoint_url, modern=False))
    tf = Terraform(root, env={"TF_DATA_DIR": str(root / ".terraform")})
    tf.init(backend_config=[str(backend_file), str(redirect)])

    # First apply: holds the lock while it waits for "yes".
    holder = tf.start(["apply", "-no-color", "-var", "release=first"], interactive=True)
    waiter = None
    try:
        _read_until(holder, "Enter a value:", timeout=60)
        lock_path = f"{BUCKET}/dev/terraform.tfstate"
        item = aws("dynamodb").get_item(TableName=LOCK_TABLE, Key={"LockID": {"S": lock_path}}).get("Item")
        assert item, "the holder's lock must be in the lock table while it waits"
        info = json.loads(item["Info"]["S"])

        refused = tf.run(
            ["apply", "-no-color", "-input=false", "-auto-approve", "-lock-timeout=0s", "-var", "release=second"],
            check=False,
        )
        assert refused.returncode != 0
        assert "Error acquiring the state lock" in refused.stderr
        assert re.search(rf"ID:\s+{re.escape(info['ID'])}", refused.stderr), refused.stderr
        assert re.search(rf"Who:\s+{re.escape(info['Who'])}", refused.stderr)
        assert re.search(r"Operation:\s+OperationTypeApply", refused.stderr)
        assert re.search(rf"Path:\s+{re.escape(lock_path)}", refused.stderr)

        # Third apply waits for the lock instead of failing, then goes through after the holder.
        second = ["apply", "-no-color", "-input=false", "-auto-approve", "-lock-timeout=120s", "-var", "release=second"]
        waiter = tf.start(second)
        assert holder.stdin is not None
        holder.stdin.write("yes\n")
        holder.stdin.close()
        assert holder.wait(timeout=120) == 0
        waited_out, _ = waiter.communicate(timeout=180)
        if waiter.returncode != 0 and "unexpected end of JSON input" in waited_out:
            # Terraform 1.0's S3 backend reads the holder's lock info right after its PutItem is
            # refused; if the holder releases the lock in that instant the read finds nothing and
            # the waiter gives up instead of retrying (seen under heavy CPU load). Re-running is
            # what a user or CI does; the lock itself did its job.
            rerun = tf.run(second, check=False)
            waited_out = rerun.stdout + rerun.stderr
            assert rerun.returncode == 0, waited_out
        else:
            assert waiter.returncode == 0, waited_out
    finally:
        for proc in (holder, waiter):
            if proc is not None:
                tf.stop(proc)

    s3 = aws("s3")
    versions = _state_versions(s3, "dev/terraform.tfstate")
    releases = [v["outputs"]["release"]["value"] for v in versions]
    assert releases == ["first", "second"], "each apply wrote one state version, in lock order"
    assert versions[1]["serial"] > versions[0]["serial"]
    assert versions[0]["lineage"] == versions[1]["lineage"]
    left = aws("dynamodb").get_item(TableName=LOCK_TABLE, Key={"LockID": {"S": f"{BUCKET}/dev/terraform.tfstate"}})
    assert "Item" not in left, "no lock may be left behind"


def test_bootstrap_against_aws_without_credentials_explains_the_fix(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(UserError, match="no credentials were found: set AWS_PROFILE"):
        state.bootstrap("b-state", "b-locks", "eu-west-1", workdir=tmp_path / "root", out_dir=tmp_path / "envs")
    assert not (tmp_path / "root").exists(), "nothing may be generated before the credentials check"


def test_bad_tag_argument_is_a_user_error() -> None:
    with pytest.raises(UserError, match="write tags as KEY=VALUE"):
        state._tags(["Owner"])
