"""Sensitive values never reach the comment or the plan artifact, at any depth (issue: masking).

Each bullet of the bug report has a test with the exact shape Terraform writes; the properties
then throw random nested values with random marks at every place a plan carries values.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import governance_support as gp
import pytest
from hypothesis import given, settings
from review_support import marked_value, secrets_in

from tablekit.paths import ROOT
from tablekit.review import redact
from tablekit.review.comment import render
from tablekit.review.redact import PLACEHOLDER, redact_plan

SECRET = "S3CR3Tvalue0001"


def table_update(before_extra: dict[str, Any], after_extra: dict[str, Any], **kw: Any) -> dict[str, Any]:
    before = {**gp.table("plain-table"), **before_extra}
    after = {**gp.table("plain-table"), **after_extra}
    return gp.update(gp.tbl("ielts", "users"), before, after, **kw)


def rendered(*entries: dict[str, Any], **extra: Any) -> str:
    return render([("dev", gp.plan(list(entries), **extra))])


# ---------------------------------------------------------------- the shapes of the bug report


def test_a_sensitive_element_inside_a_list() -> None:
    entry = table_update(
        {"stream_view_type": ["KEYS_ONLY", "old"]},
        {"stream_view_type": ["KEYS_ONLY", SECRET]},
        after_sensitive={"stream_view_type": [False, True]},
    )
    text = rendered(entry)
    assert SECRET not in text and '"KEYS_ONLY", (sensitive)' in text


def test_a_sensitive_key_of_a_nested_object() -> None:
    entry = table_update(
        {"timeouts": {"create": "10m", "nested": {"deep": "old"}}},
        {"timeouts": {"create": "20m", "nested": {"deep": SECRET}}},
        after_sensitive={"timeouts": {"nested": {"deep": True}}},
    )
    text = rendered(entry)
    assert SECRET not in text and "20m" in text


def test_a_map_of_lists() -> None:
    entry = table_update(
        {"tags": {"a": "x"}},
        {"tags": {"a": "x", "lists": [["ok", SECRET]]}},
        after_sensitive={"tags": {"lists": [[False, True]]}},
    )
    text = rendered(entry)
    assert SECRET not in text and "ok" in text


def test_the_keys_of_a_wholly_sensitive_map() -> None:
    entry = table_update({"tags": {"Team": "a"}}, {"tags": {SECRET: "b"}}, after_sensitive={"tags": True})
    text = rendered(entry)
    assert SECRET not in text and "Team" not in text
    assert "`tags`: `(sensitive)` → `(sensitive)`" in text


def test_a_sensitive_keyed_block_name() -> None:
    gsi = {"name": SECRET, "hash_key": "email", "projection_type": "ALL"}
    entry = table_update(
        {"global_secondary_index": []},
        {"global_secondary_index": [gsi]},
        after_sensitive={"global_secondary_index": [{"name": True}]},
    )
    text = rendered(entry)
    assert SECRET not in text and "`global_secondary_index`: +`(sensitive)`" in text


def test_a_sensitive_table_name_in_the_banner_and_its_derived_arn() -> None:
    body = gp.table(SECRET)
    entry = gp.change(gp.tbl("ielts", "users"), ["delete"], body, None, before_sensitive={"name": True})
    text = rendered(entry)
    assert "Data loss" in text
    assert SECRET not in text  # neither the name nor the arn/id the provider derived from it


def test_a_path_into_a_sensitive_map_hides_the_key() -> None:
    before, after = gp.table("t", tags={SECRET: "a"}), gp.table("t", tags={SECRET: "b"})
    entry = gp.replace(gp.tbl("ielts", "users"), before, after, paths=[["tags", SECRET]])
    entry["change"]["before_sensitive"] = {"tags": True}
    assert SECRET not in rendered(entry)


def test_sensitive_outputs_diagnostics_and_import_ids() -> None:
    body = gp.table("t")
    entry = gp.change(gp.tbl("ielts", "users"), ["no-op"], body, copy.deepcopy(body), importing={"id": SECRET})
    entry["change"]["after_sensitive"] = {"stream_label": True}
    entry["change"]["after"]["stream_label"] = SECRET
    entry["change"]["before"]["stream_label"] = SECRET
    text = rendered(
        entry,
        output_changes={"secret": gp.output(["update"], "x", SECRET, sensitive=True)},
        diagnostics=[{"severity": "warning", "summary": f"value {SECRET} is deprecated", "detail": SECRET}],
    )
    assert SECRET not in text
    assert "value (sensitive) is deprecated" in text


def test_a_value_sensitive_on_one_side_is_hidden_on_both() -> None:
    entry = table_update(
        {"billing_mode": "S3CR3Tbefore000"}, {"billing_mode": SECRET}, after_sensitive={"billing_mode": True}
    )
    text = rendered(entry)
    assert SECRET not in text and "S3CR3Tbefore000" not in text


@pytest.mark.parametrize("mark", ["yes", 1, [True], {"k": "yes"}, {"k": [True]}])
def test_marks_of_a_foreign_shape_fail_closed(mark: Any) -> None:
    """A mark that does not mirror the value (a string, a number, a list for a map) hides it all."""
    shown = redact.mask({"k": SECRET}, mark).text()
    assert SECRET not in shown


# ---------------------------------------------------------------- properties

MASKING_CASES = 150


@settings(max_examples=MASKING_CASES)
@given(before=marked_value, after=marked_value, output=marked_value, destroyed=marked_value)
def test_no_marked_leaf_ever_reaches_the_comment(
    before: tuple[Any, Any], after: tuple[Any, Any], output: tuple[Any, Any], destroyed: tuple[Any, Any]
) -> None:
    """Random nested values with random marks, everywhere a plan carries values: none leaks."""
    (bv, bm), (av, am), (ov, om), (dv, dm) = before, after, output, destroyed
    secrets = secrets_in(bv, bm) | secrets_in(av, am) | secrets_in(ov, om) | secrets_in(dv, dm)
    update = table_update(
        {"payload": bv, "tags": {"k": bv}, "replica": [{"region_name": bv}]},
        {"payload": av, "tags": {"k": av, "n": bv}, "replica": [{"region_name": av}]},
        after_sensitive={"payload": am, "tags": {"k": am, "n": bm}, "replica": [{"region_name": am}]},
    )
    update["change"]["before_sensitive"] = {"payload": bm, "tags": {"k": bm}, "replica": [{"region_name": bm}]}
    gone = gp.change(
        gp.tbl("ielts", "gone"), ["delete"], {**gp.table("x"), "name": dv}, None, before_sensitive={"name": dm}
    )
    drift = copy.deepcopy(update)
    text = rendered(
        update,
        gone,
        output_changes={"o": {**gp.output(["update"], bv, ov), "before_sensitive": bm, "after_sensitive": om}},
        resource_drift=[drift],
    )
    leaked = [s for s in secrets if s in text]
    assert not leaked, leaked


@settings(max_examples=MASKING_CASES)
@given(change=marked_value, state=marked_value, output=marked_value)
def test_no_marked_leaf_survives_redact_plan(
    change: tuple[Any, Any], state: tuple[Any, Any], output: tuple[Any, Any]
) -> None:
    (cv, cm), (sv, sm), (ov, om) = change, state, output
    secrets = secrets_in(cv, cm) | secrets_in(sv, sm) | secrets_in(ov, om)
    entry = table_update({"payload": sv}, {"payload": cv}, after_sensitive={"payload": cm})
    entry["change"]["before_sensitive"] = {"payload": sm}
    resource = {"address": "aws_x.y", "values": {"payload": sv}, "sensitive_values": {"payload": sm}}
    doc = gp.plan(
        [entry],
        resource_drift=[copy.deepcopy(entry)],
        output_changes={"o": {**gp.output(["update"], sv, ov), "before_sensitive": sm, "after_sensitive": om}},
        planned_values={"root_module": {"resources": [resource]}, "outputs": {"o": {"sensitive": True, "value": ov}}},
        prior_state={"values": {"root_module": {"resources": [copy.deepcopy(resource)]}}},
        diagnostics=[{"summary": json.dumps(cv)}],
    )
    out = json.dumps(redact_plan(doc), ensure_ascii=False)
    leaked = [s for s in secrets if s in out]
    assert not leaked, leaked


# ---------------------------------------------------------------- redact_plan


def sensitive_variable_plan() -> dict[str, Any]:
    """A plan whose sensitive variable flows into a tag, a derived ARN, a module input and outputs."""
    body = gp.table("orders", tags={"Owner": SECRET})
    body["arn"] = f"arn:aws:dynamodb:us-east-1:111122223333:table/{SECRET}"
    entry = gp.create("aws_dynamodb_table.orders", body)
    entry["change"]["after_sensitive"] = {"tags": {"Owner": True}}
    return gp.plan(
        [entry],
        variables={"owner": {"value": SECRET}, "region": {"value": "us-east-1"}},
        configuration={
            "root_module": {
                "variables": {"owner": {"sensitive": True, "default": SECRET}, "region": {}},
                "module_calls": {
                    "inner": {
                        "expressions": {"password": {"constant_value": SECRET}},
                        "module": {"variables": {"password": {"sensitive": True}}},
                    }
                },
            }
        },
        planned_values={
            "root_module": {
                "resources": [
                    {
                        "address": "aws_dynamodb_table.orders",
                        "values": {"tags": {"Owner": SECRET}, "tags_all": {"Owner": SECRET}},
                        "sensitive_values": {"tags": {"Owner": True}},
                    }
                ]
            },
            "outputs": {"owner": {"sensitive": True, "value": SECRET}, "region": {"sensitive": False, "value": "x"}},
        },
        prior_state={"values": {"root_module": {}}},
        output_changes={"owner": gp.output(["create"], None, SECRET, sensitive=True)},
    )


def test_redact_plan_leaves_nothing_of_a_sensitive_variable() -> None:
    doc = sensitive_variable_plan()
    out = redact_plan(doc)
    text = json.dumps(out)
    assert SECRET not in text
    assert SECRET[3:-3] not in text  # not even a part of it
    assert "prior_state" not in out
    assert out["variables"]["owner"]["value"] == PLACEHOLDER
    assert out["variables"]["region"]["value"] == "us-east-1"  # what is not sensitive stays
    assert out["planned_values"]["outputs"]["region"]["value"] == "x"
    assert out["resource_changes"][0]["change"]["after"]["tags"]["Owner"] == PLACEHOLDER
    assert doc["variables"]["owner"]["value"] == SECRET  # the input is not modified


@pytest.mark.parametrize(
    "section", ["resource_changes", "output_changes", "planned_values", "variables", "configuration"]
)
def test_redact_plan_guards_each_section(section: str) -> None:
    """Without the rule for one section, the secret survives: each rule is needed."""
    doc = sensitive_variable_plan()
    others = {k: v for k, v in doc.items() if k != section and k in ("format_version", "terraform_version")}
    only = {**others, section: doc[section], "configuration": doc["configuration"]}
    assert SECRET in json.dumps(only)
    assert SECRET not in json.dumps(redact_plan(only))


def test_short_secrets_are_replaced_only_as_whole_strings() -> None:
    entry = table_update({"billing_mode": "ab"}, {"billing_mode": "ab"}, after_sensitive={"billing_mode": True})
    doc = gp.plan([entry], diagnostics=[{"summary": "ab"}, {"summary": "a table"}])
    out = redact_plan(doc)
    assert out["diagnostics"] == [{"summary": PLACEHOLDER}, {"summary": "a table"}]


@pytest.mark.parametrize("side", ["before", "after"])
def test_a_sensitive_value_in_tags_also_hides_tags_all(side: str) -> None:
    body = gp.table("t", tags={SECRET: "v"})
    entry = gp.change("aws_dynamodb_table.t", ["update"], body, copy.deepcopy(body))
    entry["change"][f"{side}_sensitive"] = {"tags": True}
    assert SECRET not in json.dumps(redact_plan(gp.plan([entry])))


# ---------------------------------------------------------------- marks alone (no secret scrubbing)


@settings(max_examples=MASKING_CASES)
@given(before=marked_value, after=marked_value)
def test_marks_alone_hide_every_marked_leaf(before: tuple[Any, Any], after: tuple[Any, Any]) -> None:
    """The mark walk itself, without the second layer (scrubbing known secrets) behind it."""
    from tablekit.review import plandiff

    (bv, bm), (av, am) = before, after
    secrets = secrets_in(bv, bm) | secrets_in(av, am)
    body_b = {"payload": bv, "tags": {"k": bv}, "global_secondary_index": [{"name": bv}], "ttl": [{"x": bv}]}
    body_a = {"payload": av, "tags": {"k": av}, "global_secondary_index": [{"name": av}], "ttl": [{"x": av}]}
    marks_b = {"payload": bm, "tags": {"k": bm}, "global_secondary_index": [{"name": bm}], "ttl": [{"x": bm}]}
    marks_a = {"payload": am, "tags": {"k": am}, "global_secondary_index": [{"name": am}], "ttl": [{"x": am}]}
    marks = redact.change_marks(marks_b, marks_a)
    shown = [redact.mask(body_b, marks).text(), redact.mask(body_a, marks).text()]
    for change in plandiff.diff(body_b, body_a, None, marks):
        shown.append(change.path.text())
        for d in (change.old, change.new):
            shown.append(d.text() if d else "")
        for e in change.entries:
            shown += [e.key.text(), e.old.text() if e.old else "", e.new.text() if e.new else ""]
    text = "\n".join(shown)
    leaked = [s for s in secrets if s in text]
    assert not leaked, leaked


def test_keys_and_block_names_under_a_mark_are_hidden_by_the_marks() -> None:
    assert redact.key("owner", True).text() == "(sensitive)"
    assert redact.key(["a", "b"], [False, True]).text() == '["a", (sensitive)]'
    assert redact.path(["tags", "owner", "x"], {"tags": True}).text() == "tags[(sensitive)]"


def test_tags_all_is_hidden_with_tags_even_for_plain_looking_keys() -> None:
    """tags_all echoes tags unmarked; a key like `s3cr3t_team` is not scrubbed as text, only masked."""
    body = gp.table("t", tags={"s3cr3t_team": "v1"})
    entry = gp.change("aws_dynamodb_table.t", ["update"], body, copy.deepcopy(body))
    entry["change"]["after_sensitive"] = {"tags": True}
    assert "s3cr3t_team" not in json.dumps(redact_plan(gp.plan([entry])))


def test_sensitive_variables_of_any_type_are_replaced() -> None:
    doc = gp.plan(
        [],
        variables={"pin": {"value": 48213}, "flags": {"value": [True, 7]}},
        configuration={"root_module": {"variables": {"pin": {"sensitive": True}, "flags": {"sensitive": True}}}},
    )
    out = redact_plan(doc)
    assert out["variables"] == {"pin": {"value": PLACEHOLDER}, "flags": {"value": PLACEHOLDER}}


def test_redact_command_writes_the_artifact_copy(tmp_path: Path) -> None:
    """`python -m tablekit.review.redact` (standard library only) is what a workflow uploads instead of the raw plan."""
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(sensitive_variable_plan()))
    out = tmp_path / "redacted.json"
    proc = subprocess.run(
        [sys.executable, "-S", "-m", "tablekit.review.redact", str(plan), str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert SECRET not in out.read_text() and json.loads(out.read_text())["variables"]["owner"]["value"] == PLACEHOLDER
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"format_version": "1.0", "values": {}}))
    bad = subprocess.run(
        [sys.executable, "-S", "-m", "tablekit.review.redact", str(state)], cwd=ROOT, capture_output=True, text=True
    )
    assert bad.returncode == 2 and bad.stderr.startswith("error: ") and "Traceback" not in bad.stderr
