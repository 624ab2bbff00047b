"""What is not a plan is refused with one line and exit code 2, never a traceback (issue: wrong input)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import governance_support as gp
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tablekit.commands.comment import main
from tablekit.paths import ROOT
from tablekit.review.comment import render
from tablekit.terraform.plan import Plan, PlanError

REAL = Path(__file__).parent / "fixtures" / "terraform-json"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The comment command exactly as CI runs it: standard library only (`python -S`)."""
    return subprocess.run(
        [sys.executable, "-S", "-m", "tablekit.commands.comment", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


# The shape of the plan HCP Terraform's run API serves (`/plans/ID/json-output-redacted`):
# changes and provider schemas side by side, `plan_format_version` instead of `format_version`.
HCP_REDACTED_PLAN: dict[str, Any] = {
    "plan_format_version": "1.2",
    "provider_format_version": "1.0",
    "resource_changes": [
        {
            "address": "aws_dynamodb_table.this",
            "mode": "managed",
            "type": "aws_dynamodb_table",
            "name": "this",
            "change": {"actions": ["no-op"], "before": {"name": "t"}, "after": {"name": "t"}, "after_unknown": {}},
        }
    ],
    "resource_drift": [],
    "relevant_attributes": [],
    "output_changes": {},
    "provider_schemas": {"registry.terraform.io/hashicorp/aws": {"resource_schemas": {}}},
}


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("state.json", (REAL / "state.json").read_text(), "this is a state"),
        ("schema.json", (REAL / "schemas.json").read_text(), "provider schema"),
        ("raw.tfstate", json.dumps({"version": 4, "lineage": "x", "serial": 3, "resources": []}), "raw state file"),
        ("run-plan.json", json.dumps(HCP_REDACTED_PLAN), "an HCP Terraform redacted plan"),
        ("list.json", "[]", "not a Terraform plan"),
        ("empty.json", "{}", "not a Terraform plan"),
        ("broken.json", (REAL / "invalid-plan.json").read_text(), "not JSON"),
        ("nested.json", json.dumps({**gp.plan([]), "resource_changes": [{"address": 3}]}), "resource_changes[0]"),
    ],
)
def test_not_a_plan_is_one_line_and_exit_2(tmp_path: Path, name: str, content: str, says: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    out = tmp_path / "comment.md"
    proc = run_cli("--plan", f"dev={path}", "--out", str(out))
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()  # nothing is written before every input is checked


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--plan", "dev"], "write ENV=FILE"),
        (["--plan", "dev=missing.json"], "no such file"),
        ([], "give at least one --plan"),
        (["--failed", "dev=missing.log"], "no such file"),
        (["--plan", "dev=PLAN", "--failed", "dev=PLAN"], "both --plan and --failed"),
        (["--plan", "dev=PLAN", "--policy", "prod=PLAN"], "--policy prod: no --plan"),
        (["--plan", "dev=PLAN", "--policy", "dev=PLAN"], "not a checkov JSON report"),
        (["--plan", "dev=PLAN", "--run-url", "javascript:alert(1)"], "give an http(s) URL"),
        (["--plan", "dev=PLAN", "--limit", "10"], "at least 2000"),
        (["--json"], "give --out FILE"),
    ],
)
def test_bad_flags_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(gp.plan([])))
    out = tmp_path / "comment.md"
    argv = [a.replace("PLAN", str(plan)) for a in args] + ["--out", str(out)]
    if args == ["--json"]:
        argv = ["--plan", f"dev={plan}", "--json"]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and says in err[0], err
    assert not out.exists()


# ---------------------------------------------------------------- fuzzing nested shapes

json_value = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)

PLACES = [
    ("resource_changes",),
    ("resource_changes", 0),
    ("resource_changes", 0, "change"),
    ("resource_changes", 0, "change", "actions"),
    ("resource_changes", 0, "change", "before"),
    ("resource_changes", 0, "change", "after"),
    ("resource_changes", 0, "change", "after_unknown"),
    ("resource_changes", 0, "change", "before_sensitive"),
    ("resource_changes", 0, "change", "after_sensitive"),
    ("resource_changes", 0, "change", "replace_paths"),
    ("resource_changes", 0, "change", "importing"),
    ("resource_changes", 0, "previous_address"),
    ("resource_changes", 0, "deposed"),
    ("resource_changes", 0, "action_reason"),
    ("resource_changes", 0, "type"),
    ("resource_changes", 0, "mode"),
    ("resource_changes", 1, "change", "before", "global_secondary_index"),
    ("resource_changes", 1, "change", "after", "replica"),
    ("resource_changes", 1, "change", "after", "tags"),
    ("resource_changes", 1, "change", "after_sensitive", "tags"),
    ("resource_drift",),
    ("resource_drift", 0, "change", "after"),
    ("output_changes",),
    ("output_changes", "o"),
    ("output_changes", "o", "after_sensitive"),
    ("relevant_attributes",),
    ("relevant_attributes", 0, "attribute"),
    ("diagnostics",),
    ("diagnostics", 0),
    ("variables",),
    ("configuration",),
    ("errored",),
]


def base_plan() -> dict[str, Any]:
    table = gp.table("t", gsis=[{"name": "g", "hash_key": "pk"}])
    changed = copy.deepcopy(table)
    changed["replica"] = [{"region_name": "eu-west-1"}]
    return gp.plan(
        [
            gp.replace("aws_dynamodb_table.a", table, changed, paths=[["hash_key"]]),
            gp.update("aws_dynamodb_table.b", table, changed),
        ],
        drift=[gp.update("aws_dynamodb_table.a", changed, table)],
        output_changes={"o": gp.output(["update"], 1, 2)},
        relevant_attributes=[{"resource": "aws_dynamodb_table.a", "attribute": ["tags"]}],
        diagnostics=[{"severity": "warning", "summary": "s", "detail": "d"}],
    )


def put(doc: Any, path: tuple[Any, ...], value: Any) -> None:
    for step in path[:-1]:
        doc = doc[step]
    doc[path[-1]] = value


FUZZ_CASES = 300


@pytest.mark.slow
@settings(max_examples=FUZZ_CASES)
@given(place=st.sampled_from(PLACES), value=json_value)
@example(place=("output_changes",), value={"\n": None})  # a key with a newline: the refusal stays one line
def test_malformed_nested_shapes_end_as_plan_error_or_render(place: tuple[Any, ...], value: Any) -> None:
    doc = base_plan()
    put(doc, place, value)
    try:
        plan = Plan.parse(doc, source="fuzz")
    except PlanError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("fuzz: ")
        return
    render([("dev", plan)])  # anything Plan.parse accepts renders without an exception


def test_each_kind_of_refused_file_is_named_for_what_it_is(tmp_path: Path) -> None:
    """A state, a provider schema, an HCP Terraform redacted plan and a malformed file each get
    their own line: none is called by another one's name (the redacted plan carries provider
    schemas, and once was called "a provider schema")."""
    kinds = {
        "state": ((REAL / "state.json").read_text(), "this is a state"),
        "schema": ((REAL / "schemas.json").read_text(), "provider schema"),
        "hcp": (json.dumps(HCP_REDACTED_PLAN), "HCP Terraform redacted plan"),
        "malformed": ((REAL / "invalid-plan.json").read_text(), "not JSON"),
    }
    lines: dict[str, str] = {}
    for kind, (content, _) in kinds.items():
        path = tmp_path / f"{kind}.json"
        path.write_text(content)
        for command in (["tablekit.commands.comment", "--plan", f"dev={path}"], ["tablekit.review.redact", str(path)]):
            proc = subprocess.run([sys.executable, "-S", "-m", *command], cwd=ROOT, capture_output=True, text=True)
            assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
            lines[kind] = proc.stderr.strip()
    for kind, line in lines.items():
        for other, (_, says) in kinds.items():
            assert (says in line) == (kind == other), f"{kind}: {line}"
