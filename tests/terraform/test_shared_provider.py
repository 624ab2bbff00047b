"""The tests' shared provider changes what a Terraform command costs, not what it computes.

Each guarantee tests/terraform/shared_provider.py states is held here: the schema Terraform sees is
the provider's own for every declared type and nothing else; provider configurations (aliases) and
provider environments (the simulated accounts' keys and regions) never share a provider process; a
type nobody declared fails loudly; commands about the installed providers never attach; a real
account never attaches; and the tests that watch Terraform's own processes opt out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from terraform.shared_provider import REATTACH_VAR, SharedProvider, declared_types, mirror_binary, trim_schema

from tablekit.terraform.runner import Terraform, TerraformError
from tablekit.terraform.toolchain import DEFAULT, REAL

TESTS = Path(__file__).resolve().parents[1]


def _key(number: int, wire: int) -> bytes:
    return bytes([number << 3 | wire])


def _message(number: int, payload: bytes) -> bytes:
    assert len(payload) < 128
    return _key(number, 2) + bytes([len(payload)]) + payload


def _entry(number: int, name: str, schema: bytes) -> bytes:
    return _message(number, _message(1, name.encode()) + _message(2, schema))


def test_the_trimmed_schema_keeps_each_declared_type_and_every_other_field_byte_for_byte() -> None:
    provider, diagnostic, meta = _message(1, b"\x08\x01"), _message(4, b"warn"), _message(5, b"\x08\x02")
    kept_resource, kept_data = _entry(2, "aws_dynamodb_table", b"\x08\x03"), _entry(3, "aws_region", b"\x08\x04")
    response = (
        provider
        + _entry(2, "aws_s3_bucket", b"\x08\x05")
        + kept_resource
        + _entry(3, "aws_dynamodb_table", b"\x08\x06")  # a data source of a kept resource's name
        + kept_data
        + diagnostic
        + _key(6, 0)
        + b"\x2a"  # an unknown varint field is copied too
        + meta
    )
    trimmed = trim_schema(response, {"aws_dynamodb_table", "aws_region"})
    assert trimmed == provider + kept_resource + _entry(3, "aws_dynamodb_table", b"\x08\x06") + kept_data + (
        diagnostic + _key(6, 0) + b"\x2a" + meta
    )
    assert trim_schema(response, set()) == provider + diagnostic + _key(6, 0) + b"\x2a" + meta


def test_the_declared_types_are_read_from_tf_files_and_the_roots_tests_write(tmp_path: Path) -> None:
    (tmp_path / "modules").mkdir()
    (tmp_path / "modules" / "main.tf").write_text('resource "aws_one" "a" {}\ndata "aws_two" "b" {}\n')
    (tmp_path / "test_root.py").write_text(
        'ROOT = "resource \\"aws_three\\" \\"c\\" {}"\nHCL = \'data "aws_four" "d"\'\n'
    )
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "x.tf").write_text('resource "aws_vendored" "v" {}\n')
    (tmp_path / "notes.md").write_text('resource "aws_documented" "m" {}\n')
    assert declared_types(tmp_path) == {"aws_one", "aws_two", "aws_three", "aws_four"}


# --- through Terraform ----------------------------------------------------------------------------

PROVIDER = """
provider "aws" {{
  {region}
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_get_ec2_platforms      = true
  skip_region_validation      = true
  {alias}
}}
"""


def _root(path: Path, body: str) -> Path:
    path.mkdir()
    (path / "main.tf").write_text(
        'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws" }\n  }\n}\n' + body
    )
    return path


def _region_root(path: Path, region: str = "") -> Path:
    """A root whose one output is the region its provider configuration resolves to."""
    body = PROVIDER.format(region=region, alias="") + 'data "aws_region" "here" {}\n'
    return _root(path, body + 'output "here" {\n  value = data.aws_region.here.name\n}\n')


@pytest.fixture(scope="module")
def server() -> Iterator[SharedProvider]:
    shared = SharedProvider(mirror_binary(), frozenset({"aws_region"}))
    shared.start()
    try:
        yield shared
    finally:
        shared.stop()


def _applied_outputs(root: Path, server: SharedProvider, **env: str) -> dict[str, str]:
    tf = Terraform(root, env={REATTACH_VAR: server.reattach, **env})
    tf.init(backend=False)
    tf.run(["apply", "-auto-approve", "-input=false", "-no-color"])
    shown = json.loads(tf.run(["output", "-json"]).stdout)
    return {name: value["value"] for name, value in shown.items()}


@pytest.mark.slow
def test_each_provider_alias_gets_a_provider_process_of_its_own(tmp_path: Path, server: SharedProvider) -> None:
    body = (
        PROVIDER.format(region='region = "us-east-1"', alias="")
        + PROVIDER.format(region='region = "us-west-2"', alias='alias = "west"')
        + 'data "aws_region" "home" {}\n'
        + 'data "aws_region" "west" {\n  provider = aws.west\n}\n'
        + 'output "home" {\n  value = data.aws_region.home.name\n}\n'
        + 'output "west" {\n  value = data.aws_region.west.name\n}\n'
    )
    before = server.processes
    assert _applied_outputs(_root(tmp_path / "aliases", body), server) == {"home": "us-east-1", "west": "us-west-2"}
    assert server.processes == before + 2


@pytest.mark.slow
def test_a_provider_process_is_shared_only_by_terraform_runs_with_the_same_provider_environment(
    tmp_path: Path, server: SharedProvider
) -> None:
    """The simulated accounts hand their keys and regions to Terraform in its environment."""
    root = _region_root(tmp_path / "from-env")
    assert _applied_outputs(root, server, AWS_REGION="eu-west-1") == {"here": "eu-west-1"}
    assert _applied_outputs(root, server, AWS_REGION="ap-south-1") == {"here": "ap-south-1"}
    assert _applied_outputs(root, server, AWS_REGION="eu-west-1") == {"here": "eu-west-1"}


@pytest.mark.slow
def test_provider_sockets_live_in_the_servers_own_directory_and_go_with_it(tmp_path: Path) -> None:
    """The server kills its provider processes, which then cannot remove their plugin sockets."""
    shared = SharedProvider(mirror_binary(), frozenset({"aws_region"}))
    shared.start()
    try:
        root = _region_root(tmp_path / "sockets", 'region = "us-east-1"')
        assert _applied_outputs(root, shared) == {"here": "us-east-1"}
        home = Path(shared.home)
        assert len([p for p in home.iterdir() if p.is_socket()]) == shared.processes == 2  # validator + one
    finally:
        shared.stop()
    assert not home.exists()


@pytest.mark.slow
def test_a_type_nobody_declared_fails_loudly(tmp_path: Path, server: SharedProvider) -> None:
    undeclared = "aws_" + "sqs_queue"  # spelled apart, so declared_types never finds it in this file
    root = _root(tmp_path / "undeclared", PROVIDER.format(region='region = "us-east-1"', alias="") + "")
    (root / "queue.tf").write_text(f'resource "{undeclared}" "q" {{\n  name = "q"\n}}\n')
    tf = Terraform(root, env={REATTACH_VAR: server.reattach})
    tf.init(backend=False)
    with pytest.raises(TerraformError, match=f'does not support resource type "{undeclared}"'):
        tf.run(["plan", "-input=false", "-no-color", "-refresh=false"])


def test_commands_about_the_installed_providers_never_attach(tmp_path: Path) -> None:
    """init records the mirror's own hashes in the lock file a saved plan carries."""
    tf = Terraform(tmp_path, env={REATTACH_VAR: "{}"})
    assert REATTACH_VAR not in tf._environ(["init", "-input=false"])
    assert REATTACH_VAR not in tf._environ(["providers", "schema", "-json"])
    assert tf._environ(["plan"])[REATTACH_VAR] == "{}"


def test_a_real_account_never_attaches_to_a_provider() -> None:
    assert REATTACH_VAR not in REAL.env({REATTACH_VAR: "{}", "PATH": "/usr/bin"})
    assert DEFAULT.env({REATTACH_VAR: "{}", "PATH": "/usr/bin"})[REATTACH_VAR] == "{}"


# What only a Terraform that launches its own provider shows: its process groups and children.
_WATCHES_PROCESSES = re.compile(r"\b(group_alive|group_ids|processes_using)\b")


def test_every_test_file_that_watches_terraform_processes_runs_with_a_launched_provider() -> None:
    unmarked = [
        path.relative_to(TESTS).as_posix()
        for path in sorted(TESTS.rglob("test_*.py"))
        if _WATCHES_PROCESSES.search(path.read_text()) and "pytest.mark.launched_provider" not in path.read_text()
    ]
    assert unmarked == [], f"mark these pytestmark = pytest.mark.launched_provider: {unmarked}"
