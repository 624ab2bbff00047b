"""The policy gate: checkov over modules and env plans, the project's own plan rules, merged reports.

`run_gate` is what `tablekit lint` and CI's policy job run: one checkov scan per directory and per
env plan (tablekit.review.policy), the customer-managed-key wiring rule checkov cannot express,
and one SARIF and one JUnit file for the whole run, so code scanning gets a single upload.
"""

from __future__ import annotations

import functools
import json
import os
import re
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from tablekit.paths import ROOT
from tablekit.review.policy import CONFIG_FILE, REPORT_DIR, ScanResult, config_problems, scan_directory, scan_plan
from tablekit.terraform.plan import Plan

_FAMILY_TABLE = re.compile(r'^module\.estate\.module\.(\w+)\.module\.table\["[^"]+"\]\.aws_dynamodb_table\.this$')


@dataclass
class GateResult:
    """Every scan of one `tablekit lint` run plus the problems found in the skip configuration."""

    scans: list[ScanResult]
    config_problems: list[str]
    sarif: Path | None = None
    junit: Path | None = None
    # env => where its customer-managed key does not reach (cmk_wiring_problems), per env plan
    wiring_problems: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        wiring_ok = not any(self.wiring_problems.values())
        return not self.config_problems and wiring_ok and all(scan.ok for scan in self.scans)

    def failed_ids(self) -> set[str]:
        return {f.check_id for scan in self.scans for f in scan.failed}


def merge_sarif(results: Sequence[ScanResult], out: Path) -> Path:
    """One SARIF file with one checkov run, so code scanning gets a single tool/category upload.

    GitHub rejects several runs of the same tool in one category; merging keeps every result and
    de-duplicates rules (ruleIndex is rewritten to the merged rule list).
    """
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    merged_results: list[dict[str, Any]] = []
    driver: dict[str, Any] = {"name": "Checkov", "informationUri": "https://www.checkov.io", "rules": rules}
    for scan in results:
        path = scan.reports.get("sarif")
        if not path:
            continue
        for run in json.loads(path.read_text()).get("runs", []):
            src = run.get("tool", {}).get("driver", {})
            driver.setdefault("version", src.get("version"))
            for rule in src.get("rules", []):
                if str(rule.get("id")) not in index:
                    index[str(rule.get("id"))] = len(rules)
                    rules.append(rule)
            # checkov's SARIF locates plan findings in the plan JSON (a build artefact code scanning
            # cannot show); the findings already carry the enriched .tf location, so use those.
            raw = run.get("results", []) if scan.framework != "terraform_plan" else _plan_results(scan)
            for res in raw:
                res = dict(res)
                rule_id = str(res.get("ruleId"))
                if rule_id not in index:
                    index[rule_id] = len(rules)
                    rules.append(
                        {
                            "id": rule_id,
                            "name": res["message"]["text"],
                            "shortDescription": {"text": res["message"]["text"]},
                        }
                    )
                res["ruleIndex"] = index[rule_id]
                res.setdefault("properties", {})["tablekitScan"] = scan.name
                merged_results.append(res)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {k: v for k, v in driver.items() if v is not None}}, "results": merged_results}],
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=2))
    return out


def _plan_results(scan: ScanResult) -> list[dict[str, Any]]:
    """SARIF results of a plan scan, located in the .tf source (repo-relative) where known."""
    out = []
    for f in scan.failed:
        region = {"startLine": f.lines[0], "endLine": f.lines[1]} if f.lines and f.lines[0] > 0 else {"startLine": 1}
        out.append(
            {
                "ruleId": f.check_id,
                "level": "error",
                "message": {"text": f"{f.check_name} ({f.resource}, {scan.name})"},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": f.file}, "region": region}}],
            }
        )
    return out


def merge_junit(results: Sequence[ScanResult], out: Path) -> Path:
    """One JUnit XML with a testsuite per scan (CI test-report viewers read a single file)."""
    root = ET.Element("testsuites")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for scan in results:
        path = scan.reports.get("junitxml")
        if not path:
            continue
        try:
            tree = ET.parse(path)  # checkov's own output, a local file
        except ET.ParseError:
            continue
        suites = [tree.getroot()] if tree.getroot().tag == "testsuite" else list(tree.getroot())
        for suite in suites:
            suite.set("name", f"checkov {scan.name}: {suite.get('name', '')}".strip())
            for prop in suite.findall("properties"):  # checkov dumps its whole argv here
                suite.remove(prop)
            for key in totals:
                totals[key] += int(suite.get(key, 0) or 0)
            root.append(suite)
    for key, value in totals.items():
        root.set(key, str(value))
    out.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(out, encoding="utf-8", xml_declaration=True)
    return out


def run_gate(
    dirs: Sequence[Path],
    plans: Mapping[str, Path],
    source_roots: Sequence[Path] | None = None,
    report_dir: Path = REPORT_DIR,
    config_file: Path | None = CONFIG_FILE,
    cwd: Path = ROOT,
    plan_roots: Mapping[str, Sequence[Path]] | None = None,
) -> GateResult:
    """Directory scan of dirs + one plan scan per environment; merged SARIF/JUnit in report_dir.

    source_roots (default: dirs) is where plan resources are looked up for inline skips;
    plan_roots overrides it per plan (an env's plan comes from modules/ + that env only).
    """
    problems = config_problems(config_file) if config_file is not None else []
    existing = [Path(d) for d in dirs if Path(d).exists()]
    roots = [Path(r) for r in (source_roots if source_roots is not None else existing)]
    jobs: list[Callable[[], ScanResult]] = [
        functools.partial(scan_directory, directory, report_dir, config_file=config_file, cwd=cwd)
        for directory in existing
    ]
    for env, plan in plans.items():
        env_roots = [Path(r) for r in (plan_roots or {}).get(env, roots)]
        jobs.append(
            functools.partial(
                scan_plan, plan, env_roots, report_dir, name=f"plan-{env}", config_file=config_file, cwd=cwd
            )
        )
    # checkov is one CPU-bound process per scan: run as many side by side as there are cores
    # (results keep the input order: directories, then plans).
    with ThreadPoolExecutor(max_workers=max(1, min(len(jobs), os.cpu_count() or 1))) as pool:
        scans = list(pool.map(lambda job: job(), jobs))
    wiring = {env: cmk_wiring_problems(Plan.load(plan)) for env, plan in plans.items()}
    gate = GateResult(scans=scans, config_problems=problems, wiring_problems=wiring)
    if scans:
        gate.sarif = merge_sarif(scans, report_dir / "checkov.sarif")
        gate.junit = merge_junit(scans, report_dir / "checkov-junit.xml")
    return gate


def _refs(expressions: Mapping[str, Any], name: str) -> list[str]:
    refs: list[str] = (expressions.get(name) or {}).get("references", [])
    return refs


def cmk_wiring_problems(plan: Plan) -> list[str]:
    """Every place an env's customer-managed key should reach but, per the plan's configuration, does not.

    Why this exists: the plan scans read "known after apply" as set (PLAN_SCAN_ENV above), so a
    table whose kms_key_arn the provider computes (SSE on the AWS-managed key) would pass
    CKV_AWS_119 there. This follows the key from the env down to every table, queue and vault
    instead: env module "kms" (modules/kms-key) -> estate.kms_key_arn -> each family's
    kms_key_arn -> each table module's sse_kms_key_arn (sse_enabled = true) -> the table's
    server_side_encryption.kms_key_arn. Plans of roots other than an env (no module "estate")
    have nothing to check.
    """
    root = plan.configuration.get("root_module") or {}
    calls = root.get("module_calls") or {}
    estate = calls.get("estate")
    if estate is None:
        return []
    problems = []
    kms = calls.get("kms")
    if not kms or kms.get("source") != "../../modules/kms-key":
        problems.append('the env has no module "kms" from ../../modules/kms-key')
    if "module.kms.arn" not in _refs(estate.get("expressions") or {}, "kms_key_arn"):
        problems.append("estate.kms_key_arn is not module.kms.arn")
    families = (estate.get("module") or {}).get("module_calls") or {}
    for family, call in families.items():
        if "var.kms_key_arn" not in _refs(call["expressions"], "kms_key_arn"):
            problems.append(f"estate does not pass its kms_key_arn to {family}")
        table = call["module"].get("module_calls", {}).get("table")
        if table is None:
            problems.append(f"{family} has no table module")
            continue
        if "var.kms_key_arn" not in _refs(table["expressions"], "sse_kms_key_arn"):
            problems.append(f"{family} does not pass kms_key_arn to its tables' sse_kms_key_arn")
        if table["expressions"].get("sse_enabled", {}).get("constant_value") is not True:
            problems.append(f"{family} does not set sse_enabled = true")
        for resource in table["module"]["resources"]:
            if resource["type"] == "aws_dynamodb_table" and resource.get("mode", "managed") == "managed":
                sse = resource["expressions"]["server_side_encryption"][0]
                if "var.sse_kms_key_arn" not in _refs(sse, "kms_key_arn"):
                    problems.append(f"{family}: {resource['address']} ignores sse_kms_key_arn")
        for resource in call["module"].get("resources", []):
            attribute = {"aws_sqs_queue": "kms_master_key_id", "aws_backup_vault": "kms_key_arn"}.get(resource["type"])
            if attribute and "var.kms_key_arn" not in _refs(resource["expressions"], attribute):
                problems.append(f"{family}: {resource['address']} is not encrypted with kms_key_arn")
    # No table outside a family's table module, where the chain above does not reach.
    for rc in plan.changes(types=["aws_dynamodb_table"]):
        match = _FAMILY_TABLE.match(rc.address)
        if not match or match.group(1) not in families:
            problems.append(f"{rc.address} is not a family table of the estate")
    return problems
