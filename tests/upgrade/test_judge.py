"""What upgrade-check makes of a plan: which destroys fail, which are allowed, which only get reported.

Plans here are `terraform show -json` shapes written by hand (Terraform 1.0 gives replacements an
`action_reason` and `replace_paths`, and deletes neither), so every rule is checked without a run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tablekit.errors import UserError
from tablekit.terraform.plan import Plan
from tablekit.upgrade import allowlist, upgrade_check, verdicts
from tablekit.upgrade.verdicts import Verdict

UNI = "module.estate.module.university"
TABLE = 'module.estate.module.bandup.module.table["evaluations"].aws_dynamodb_table.this'


def rc(address: str, kind: str, actions: list[str], before: Any = None, after: Any = None, **extra: Any) -> dict:
    change: dict[str, Any] = {"actions": actions, "before": before, "after": after}
    change.update({k: v for k, v in extra.items() if k == "replace_paths"})
    entry = {"address": address, "type": kind, "mode": "managed", "name": address.rsplit(".", 1)[-1], "change": change}
    entry.update({k: v for k, v in extra.items() if k != "replace_paths"})
    return entry


def plan(*changes: dict) -> Plan:
    return Plan.parse({"format_version": "0.2", "resource_changes": list(changes), "planned_values": {}})


def alarm(name: str) -> dict:
    return {"alarm_name": name, "namespace": "AWS/Lambda", "metric_name": "Errors"}


def test_a_table_replacement_fails_naming_the_table_and_the_changed_key() -> None:
    table = {"name": "bandup-evaluations", "hash_key": "evaluation_id"}
    found = verdicts.judge(
        "dev",
        plan(
            rc(
                TABLE,
                "aws_dynamodb_table",
                ["delete", "create"],
                table,
                {**table, "hash_key": "id"},
                action_reason="replace_because_cannot_update",
                replace_paths=[["hash_key"], ["attribute", 0, "name"]],
            )
        ),
    )
    assert [(f.object, f.action, f.verdict) for f in found] == [("bandup-evaluations", "replace", Verdict.FAIL)]
    assert found[0].reason == (
        "an argument that cannot be changed in place changed: hash_key, attribute[0].name "
        "(loses a table and all its items)"
    )


def test_a_renamed_address_of_the_same_alarm_is_a_move_without_migration() -> None:
    old, new = (
        f"{UNI}.aws_cloudwatch_metric_alarm.processor_errors[0]",
        f'{UNI}.aws_cloudwatch_metric_alarm.processor["errors"]',
    )
    found = verdicts.judge(
        "dev",
        plan(
            rc(old, "aws_cloudwatch_metric_alarm", ["delete"], alarm("university-stream-processor-errors")),
            rc(new, "aws_cloudwatch_metric_alarm", ["create"], None, alarm("university-stream-processor-errors")),
        ),
    )
    (finding,) = found
    assert (finding.address, finding.moved_to, finding.verdict, finding.data_bearing) == (old, new, Verdict.FAIL, False)
    assert finding.suggestion == f"terraform state mv '{old}' '{new}'"


def test_a_deleted_alarm_with_no_successor_is_reported_but_loses_no_data() -> None:
    found = verdicts.judge(
        "dev",
        plan(
            rc("aws_cloudwatch_metric_alarm.a[0]", "aws_cloudwatch_metric_alarm", ["delete"], alarm("a")),
            rc("aws_cloudwatch_metric_alarm.b", "aws_cloudwatch_metric_alarm", ["create"], None, alarm("b")),
        ),
    )
    assert [(f.verdict, f.reason) for f in found] == [(Verdict.NOTED, "it is no longer in the configuration")]


@pytest.mark.parametrize(
    "kind", ["aws_dynamodb_table", "aws_dynamodb_table_item", "aws_kms_key", "aws_backup_vault", "aws_s3_bucket"]
)
def test_deleting_any_data_bearing_resource_fails(kind: str) -> None:
    (finding,) = verdicts.judge("prod", plan(rc(f"{kind}.x", kind, ["delete"], {"name": "x"})))
    assert finding.verdict == Verdict.FAIL and finding.data_bearing
    assert "loses" in finding.reason


def test_removing_a_replica_in_place_fails() -> None:
    before = {"name": "university", "replica": [{"region_name": "us-west-2"}, {"region_name": "eu-west-1"}]}
    after = {"name": "university", "replica": [{"region_name": "us-west-2"}]}
    (finding,) = verdicts.judge("prod", plan(rc(TABLE, "aws_dynamodb_table", ["update"], before, after)))
    assert (finding.action, finding.verdict) == ("replica removed", Verdict.FAIL)
    assert "eu-west-1" in finding.reason


def test_in_place_updates_and_creates_are_not_findings() -> None:
    table = {"name": "t", "replica": []}
    assert (
        verdicts.judge(
            "dev",
            plan(
                rc(
                    TABLE, "aws_dynamodb_table", ["update"], table, {**table, "replica": [{"region_name": "us-west-2"}]}
                ),
                rc("aws_kms_key.k", "aws_kms_key", ["create"], None, {"description": "k"}),
            ),
        )
        == []
    )


def allow_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "upgrade-allow.toml"
    path.write_text(text)
    return path


def test_an_allow_entry_turns_a_failure_into_an_allowed_finding_for_its_envs_only(tmp_path: Path) -> None:
    entries = allowlist.read_allow(
        allow_file(
            tmp_path,
            "[[allow]]\n"
            "address = 'module.estate.module.bandup.module.table[\"*\"].aws_dynamodb_table.this'\n"
            "envs = ['local', 'dev']\n"
            "reason = 'bandup tables are rebuilt from the evaluations export'\n",
        )
    )
    deleted = plan(rc(TABLE, "aws_dynamodb_table", ["delete"], {"name": "bandup-evaluations"}))
    (dev,) = verdicts.judge("dev", deleted, entries)
    (prod,) = verdicts.judge("prod", deleted, entries)
    assert dev.verdict == Verdict.ALLOWED and dev.allowed_by == entries[0]
    assert prod.verdict == Verdict.FAIL, "an entry scoped to local/dev must not allow prod"


def test_brackets_in_allow_addresses_are_literal(tmp_path: Path) -> None:
    (entry,) = allowlist.read_allow(allow_file(tmp_path, "[[allow]]\naddress = 'aws_x.a[0]'\nreason = 'r'\n"))
    assert entry.matches("local", "aws_x.a[0]")
    assert not entry.matches("local", "aws_x.a0"), "[0] is not a character class"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[allow]]\naddress = 'aws_x.a'\n", r"entry 1 \(aws_x.a\): reason is missing"),
        ("[[allow]]\naddress = 'aws_x.a'\nreason = '   '\n", r"entry 1 \(aws_x.a\): reason is missing"),
        ("[[allow]]\nreason = 'r'\n", "entry 1: address is missing"),
        ("[[allow]]\naddress = 'aws_x.a'\nreason = 'r'\nwhy = 'x'\n", "unknown key"),
        ("[[allow]]\naddress = 'aws_x.a'\nreason = 'r'\nenvs = ['staging']\n", "envs must be"),
        ("[[allow]]\naddress = 'a.b'\nreason = 'r'\n[[allow]]\naddress = 'a.b'\nreason = 's'\n", "listed twice"),
        ("allow = 'x'\n", "write each entry as an"),
        ("[[allow]\n", "not valid TOML"),
    ],
)
def test_bad_allow_files_are_one_line_naming_the_entry(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(UserError, match=message) as raised:
        allowlist.read_allow(allow_file(tmp_path, text))
    assert "\n" not in str(raised.value)


def test_the_projects_allow_file_parses_and_is_empty_between_releases() -> None:
    from tablekit.paths import ROOT

    assert allowlist.read_allow(ROOT / allowlist.ALLOW_FILE) == []


def test_stale_entries_are_those_no_finding_of_a_checked_env_used(tmp_path: Path) -> None:
    entries = allowlist.read_allow(
        allow_file(
            tmp_path,
            "[[allow]]\naddress = 'a.used'\nreason = 'r'\n"
            "[[allow]]\naddress = 'a.unused'\nreason = 'r'\n"
            "[[allow]]\naddress = 'a.prod_only'\nenvs = ['prod']\nreason = 'r'\n",
        )
    )
    used = verdicts.judge("local", plan(rc("a.used", "aws_dynamodb_table", ["delete"], {"name": "t"})), entries)
    result = upgrade_check.EnvResult(env="local", coverage="", findings=used)
    assert [e.address for e in upgrade_check.stale_entries(entries, [result])] == ["a.unused"]


def test_prods_replicas_are_turned_off_by_an_override_of_the_estate_call(tmp_path: Path) -> None:
    """The endpoint cannot create replicas: the staged prod gets an override for every module call
    that passes replica_regions, and no other env needs one."""
    from tablekit.staging import copies

    copies.stage(tmp_path, include=("envs/prod", "envs/dev"))
    assert upgrade_check.write_no_replica_override(tmp_path / "envs" / "prod")
    text = (tmp_path / "envs" / "prod" / "zz_tablekit_upgrade_override.tf").read_text()
    assert 'module "estate" {\n  replica_regions      = []\n  replica_kms_key_arns = {}\n}\n' in text
    assert not upgrade_check.write_no_replica_override(tmp_path / "envs" / "dev")


@pytest.mark.slow
def test_resources_the_endpoint_cannot_create_are_turned_off_only_where_declared(tmp_path: Path) -> None:
    from tablekit.staging import copies

    copies.stage(tmp_path, include=("modules",))
    turned_off = upgrade_check.write_gap_overrides(tmp_path)
    assert turned_off == [
        "modules/ielts-genai-prep: aws_backup_selection.tables (the endpoint does not implement AWS Backup selections)"
    ]
    override = (tmp_path / "modules" / "ielts-genai-prep" / "zz_tablekit_upgrade_override.tf").read_text()
    assert 'resource "aws_backup_selection" "tables" {\n  count = 0\n}\n' in override
    assert not (tmp_path / "modules" / "bandup" / "zz_tablekit_upgrade_override.tf").exists()
