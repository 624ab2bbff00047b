"""tablekit.staging.compat: what it strips, what it refuses, what it reports, and the verification table
(docs/toolchain.md)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tablekit.errors import UserError
from tablekit.paths import ROOT
from tablekit.staging import compat, modern_only, removals, schemas
from tablekit.staging.copies import scratch_root, stage
from tablekit.terraform import hclscan
from tablekit.terraform.plan import Action
from tablekit.terraform.runner import Terraform, TerraformError

MODERN = """resource "aws_dynamodb_table" "t" {
  name                        = "t"
  deletion_protection_enabled = true # 4.59+
  hash_key                    = "pk"

  attribute {
    name = "pk"
    type = "S"
  }

  point_in_time_recovery {
    enabled                 = true
    recovery_period_in_days = 7
  }

  dynamic "on_demand_throughput" {
    for_each = [1]
    content {
      max_read_request_units = 10
    }
  }

  dynamic "replica" {
    for_each = ["eu-west-1"]
    content {
      region_name    = replica.value
      propagate_tags = true
    }
  }

  ttl { enabled = false }
}
"""


@pytest.fixture(scope="module")
def pinned() -> schemas.ProviderSchema:
    return schemas.pinned()


def test_strips_exactly_what_the_pinned_schema_lacks(pinned: schemas.ProviderSchema) -> None:
    text, removals = compat.strip_text("m/main.tf", MODERN, pinned)
    assert [(r.line, r.what, r.name) for r in removals] == [
        (3, "argument", "deletion_protection_enabled"),
        (13, "argument", "point_in_time_recovery.recovery_period_in_days"),
        (16, "block", "on_demand_throughput"),
        (27, "argument", "replica.propagate_tags"),
    ]
    assert "deletion_protection_enabled" not in text and "on_demand_throughput" not in text
    assert "recovery_period_in_days" not in text and "propagate_tags" not in text
    for kept in (
        'hash_key                    = "pk"',
        "enabled                 = true",
        "region_name    = replica.value",
    ):
        assert kept in text
    assert compat.check_text("m/main.tf", text, pinned) == [], "the result is valid for the pinned provider"
    assert hclscan.parse(text), "and still parses"


def test_refuses_what_cannot_be_left_out(pinned: schemas.ProviderSchema) -> None:
    text = (
        'resource "aws_s3_bucket_versioning" "v" {\n  bucket = "b"\n}\n'
        'output "o" {\n  value = aws_dynamodb_table.t.deletion_protection_enabled\n}\n'
    )
    with pytest.raises(UserError) as error:
        compat.strip_text("m/main.tf", text, pinned)
    message = str(error.value)
    assert "m/main.tf:1: resource type aws_s3_bucket_versioning does not exist in hashicorp/aws 3.39.0" in message
    assert "m/main.tf:5: attribute deletion_protection_enabled of resource aws_dynamodb_table (read here)" in message


def test_relaxes_the_version_constraints_to_the_pinned_provider(tmp_path: Path) -> None:
    staged = stage(tmp_path)
    versions = (staged / "modules" / "dynamodb-table" / "versions.tf").read_text()
    assert 'version = "3.39.0"' in versions and 'version = ">= 6.0' not in versions
    assert '">= 6.0, < 7.0"' in (ROOT / "modules" / "dynamodb-table" / "versions.tf").read_text(), "not the repo"


def test_pinned_runs_default_the_lambda_runtime_in_one_place(tmp_path: Path) -> None:
    staged = stage(tmp_path, include=("modules", "envs"))
    for rel in ("envs/local/variables.tf", "envs/prod/variables.tf", "modules/university/variables.tf"):
        committed = (ROOT / rel).read_text()
        assert 'default     = "python3.13"' in committed, rel
        assert 'default     = "python3.8"' in (staged / rel).read_text(), rel
    assert compat.PINNED_VARIABLES == {"lambda_runtime": "python3.8"}


def test_the_double_cannot_run_the_committed_code_unadapted(tmp_path: Path) -> None:
    """The committed code declares a current Terraform: the double's 1.0.3 gets Terraform's own
    version error at init (never a silent run), so only an adapted staged copy reaches it."""
    root = tmp_path / "case"
    root.mkdir()
    (root / "main.tf").write_text(
        'module "t" {\n  source = "../modules/dynamodb-table"\n  name = "x"\n  schema = {}\n}\n'
    )
    shutil.copytree(ROOT / "modules", tmp_path / "modules")  # committed, not adapted
    tf = Terraform(root, env={"TF_DATA_DIR": str(tmp_path / "tfdata")})
    with pytest.raises(TerraformError) as error:
        tf.init(backend=False)
    text = " ".join(str(error.value).split())
    assert "Unsupported Terraform Core version" in text and ">= 1.1.0, < 2.0.0" in text


def test_staging_for_the_double_relaxes_required_version_and_drops_moved_blocks() -> None:
    text = (
        'terraform {\n  required_version = ">= 1.1.0, < 2.0.0"\n}\n\n'
        "moved {\n  from = aws_sqs_queue.old\n  to   = aws_sqs_queue.new\n}\n\n"
        'resource "aws_sqs_queue" "new" {\n  name = "q"\n}\n'
    )
    out, changes = compat.adapt_language("modules/m/main.tf", text, "1.0.3")
    assert 'required_version = ">= 1.0.3"' in out and "moved" not in out
    assert 'resource "aws_sqs_queue" "new"' in out
    assert [c.old for c in changes] == ['required_version ">= 1.1.0, < 2.0.0"', "moved block"]
    assert compat.moved_blocks_text("modules/m/main.tf", text) == [
        compat.MovedBlock("modules/m/main.tf", 5, "aws_sqs_queue.old", "aws_sqs_queue.new")
    ]


@pytest.mark.slow
def test_modern_only_setting_in_local_is_stripped_and_reported_once(
    endpoint_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad input: deletion protection on the pinned provider is not an error, and never silent."""
    main = (
        'module "t" {\n  source = "../modules/dynamodb-table"\n  name = "compat-dp"\n'
        '  schema = { hash_key = { name = "pk", type = "S" } }\n  deletion_protection_enabled = true\n}\n'
    )
    suffix = "argument deletion_protection_enabled removed (unknown to hashicorp/aws 3.39.0)"
    before = set(removals.reported())
    case = scratch_root(tmp_path / "a", main, endpoint_url)
    first = capsys.readouterr().err
    scratch_root(tmp_path / "b", main, endpoint_url)
    second = capsys.readouterr().err
    reported = removals.reported()
    key = next(k for k in reported if k.endswith(suffix) and "replica." not in k)
    assert key.startswith("modules/dynamodb-table/main.tf:")
    if key not in before:  # earlier tests of this run may have reported it already
        assert key in first, "printed when first removed"
    assert key not in second, "and never again in the same run"
    tf = Terraform(case, env={"TF_DATA_DIR": str(tmp_path / "tfdata")})
    tf.init(backend=False)
    plan = tf.plan(tmp_path / "plan.tfplan")
    (table,) = plan.changes(types=["aws_dynamodb_table"])
    assert table.action == Action.CREATE
    assert removals.instances(plan.raw, reported)[key] == [table.address]


@pytest.mark.slow
def test_prod_report_lists_deletion_protection_for_every_table(env_plan_files: dict[str, Path]) -> None:
    plan = json.loads(env_plan_files["prod"].read_text())
    tables = sorted(rc["address"] for rc in plan["resource_changes"] if rc["type"] == "aws_dynamodb_table")
    by_line = removals.instances(plan, removals.reported())
    suffix = "argument deletion_protection_enabled removed (unknown to hashicorp/aws 3.39.0)"
    [protection] = [k for k in by_line if k.endswith(suffix) and "replica." not in k]
    assert len(tables) > 20 and by_line[protection] == tables
    [replica] = [k for k in by_line if "replica.deletion_protection_enabled" in k]
    assert by_line[replica] == tables, "the argument sits in every table's replica block (set where replicas exist)"
    # What the CLI prints after `plan prod --account simulated`: every table by name, with what it went without.
    text = removals.grouped_report(plan, by_line)
    names = [rc["change"]["after"]["name"] for rc in plan["resource_changes"] if rc["type"] == "aws_dynamodb_table"]
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if "aws_dynamodb_table" in line)
    table_line, without = lines[at], lines[at + 1]
    assert all(name in table_line for name in names) and f"{len(names)} x resource aws_dynamodb_table" in table_line
    assert "deletion_protection_enabled" in without and "table_class" in without


@pytest.mark.slow
def test_readme_lists_every_modern_only_argument() -> None:
    """The verification table lives between its markers in docs/toolchain.md (moved from README.md)."""
    page = (ROOT / "docs" / "toolchain.md").read_text()
    expected = modern_only.section(ROOT)
    assert expected in page, (
        "the verification table in docs/toolchain.md is stale: regenerate it with "
        "`.venv/bin/python -m tablekit.staging.modern_only --write` and commit docs/toolchain.md"
    )
    for argument in ("deletion_protection_enabled", "table_class", "function_response_types", "import_table"):
        assert f"| `{argument}` |" in expected


NEW_TYPES = {
    "m/main.tf": (
        'data "aws_dynamodb_tables" "all" {\n  count = var.on ? 1 : 0\n}\n'
        'resource "aws_dynamodb_resource_policy" "p" {\n  count  = var.on ? 1 : 0\n  policy = "{}"\n}\n'
        "locals {\n  names = flatten([for t in data.aws_dynamodb_tables.all : t.names])\n}\n"
    ),
    "m/outputs.tf": 'output "ids" {\n  value = [for p in aws_dynamodb_resource_policy.p : p.id]\n}\n',
}


def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def test_new_resource_types_that_are_off_by_default_are_dropped_and_listed(
    pinned: schemas.ProviderSchema, tmp_path: Path
) -> None:
    """Issue 22: a resource type 3.39 lacks used to stop every pinned run; now it is left out like
    an argument, and whole-collection references to it read as [] (what count = 0 gives)."""
    root = _tree(tmp_path, NEW_TYPES)
    dropped = compat.drop_unknown_types(root, pinned)
    assert [(d.path, d.line, d.what, d.name) for d in dropped] == [
        ("m/main.tf", 1, "data source", "aws_dynamodb_tables"),
        ("m/main.tf", 4, "resource type", "aws_dynamodb_resource_policy"),
    ]
    main, outputs = (root / "m/main.tf").read_text(), (root / "m/outputs.tf").read_text()
    assert "aws_dynamodb_tables" not in main and "aws_dynamodb_resource_policy" not in main
    assert "flatten([for t in [] : t.names])" in main
    assert "value = [for p in [] : p.id]" in outputs
    assert (
        compat.check_text("m/main.tf", main, pinned) == [] and compat.check_text("m/outputs.tf", outputs, pinned) == []
    )
    assert main.count("\n") == NEW_TYPES["m/main.tf"].count("\n"), "later findings keep their line numbers"


def test_a_new_resource_type_that_cannot_be_left_out_still_stops_the_run(
    pinned: schemas.ProviderSchema, tmp_path: Path
) -> None:
    always_on = _tree(
        tmp_path / "a", {"m/main.tf": 'resource "aws_dynamodb_resource_policy" "p" {\n  policy = "{}"\n}\n'}
    )
    assert compat.drop_unknown_types(always_on, pinned) == []  # left for strip_text, which refuses it
    one_instance = _tree(
        tmp_path / "b",
        {**NEW_TYPES, "m/outputs.tf": 'output "id" {\n  value = aws_dynamodb_resource_policy.p[0].id\n}\n'},
    )
    with pytest.raises(
        UserError, match=r"m/outputs.tf:2 reads one instance or attribute of aws_dynamodb_resource_policy.p"
    ):
        compat.drop_unknown_types(one_instance, pinned)


def test_ignore_changes_entries_the_pinned_provider_lacks_are_removed(
    pinned: schemas.ProviderSchema, tmp_path: Path
) -> None:
    """Terraform checks ignore_changes against the schema: the creation-only arguments the table
    ignores (import_table, restore_*) would stop every pinned run, so staging drops those names."""
    text = (
        'resource "aws_dynamodb_table" "t" {\n  name = "x"\n  lifecycle {\n'
        "    ignore_changes = [read_capacity, import_table, restore_date_time, write_capacity]\n  }\n}\n"
    )
    root = _tree(tmp_path, {"m/main.tf": text})
    dropped = compat.drop_unknown_types(root, pinned)
    assert [(d.line, d.address, d.name) for d in dropped] == [
        (4, "aws_dynamodb_table.t", "lifecycle.ignore_changes[import_table]"),
        (4, "aws_dynamodb_table.t", "lifecycle.ignore_changes[restore_date_time]"),
    ]
    assert "ignore_changes = [read_capacity, write_capacity]" in (root / "m/main.tf").read_text()


def test_the_table_never_replaces_itself_for_a_creation_only_input() -> None:
    """import_table and restore_* force a new table in the provider: the table ignores later edits."""
    main = (ROOT / "modules" / "dynamodb-table" / "main.tf").read_text()
    table = next(t for t in hclscan.parse(main) if t.labels == ("aws_dynamodb_table", "this"))
    ignored = next(table.blocks("lifecycle")).argument("ignore_changes")
    assert ignored is not None
    creation_only = {"import_table"} | {
        a for a in schemas.reference().resources["aws_dynamodb_table"].attributes if a.startswith("restore_")
    }
    assert len(creation_only) == 6 and creation_only <= set(ignored.value.strip("[]").replace(",", " ").split())
