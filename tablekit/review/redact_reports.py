"""`python -m tablekit.review.redact_reports REPORTS OUT`: the policy gate's reports, safe to upload and render.

Why: checkov quotes what it scans. A check on a plan carries the resource's planned values
(`check_result.entity`, `entity_tags`, `code_block` in the JSON report; the region's `snippet` in
SARIF; code lines in a JUnit failure without --compact), and `tablekit lint` keeps the plans it
scanned next to the reports. Any of them can hold a value Terraform marked sensitive, and the
policy job uploads the reports (artifact, code scanning) and the PR comment renders them.

So, before anything leaves the policy job:

- every plan under REPORTS/plans/ is redacted like uploaded plan JSON (``redact.redact_plan``);
- each finding of a JSON report keeps only what names the check and where it failed
  (``FINDING_FIELDS``): the quoted values are dropped by construction, not searched for;
- SARIF loses every `snippet` and `contextRegion`; JUnit loses code lines of failure texts;
- every string left, in every file, is cleaned of the secrets of every plan (``redact.Secrets``);
- any other file is not copied (fail closed), and is named on stderr.

Standard library only, like the renderer: the render job reads the output with no venv.
"""

from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Sequence

from tablekit.errors import UserError
from tablekit.review import redact
from tablekit.terraform.plan import Plan

# What a finding keeps: the check, its verdict, the resource and the lines it names. Nothing here
# is a value of the scanned resource.
FINDING_FIELDS = (
    "check_id",
    "bc_check_id",
    "check_name",
    "file_path",
    "file_line_range",
    "resource",
    "resource_address",
    "severity",
    "guideline",
)
_RESULT_LISTS = ("passed_checks", "failed_checks", "skipped_checks")
_SARIF_QUOTES = ("snippet", "contextRegion")
_CODE_LINE = re.compile(r"^\s*\d+\s*\|")  # checkov's quoted code: "  13 |   \"tags\": {"


def _scrub(value: Any, secrets: redact.Secrets) -> Any:
    if isinstance(value, str):
        return secrets.scrub(value, redact.PLACEHOLDER)
    if isinstance(value, dict):
        return {secrets.scrub(str(k), redact.PLACEHOLDER): _scrub(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, secrets) for v in value]
    return value


def _finding(entry: Any) -> dict[str, Any]:
    if not isinstance(entry, dict):
        return {}
    kept = {k: entry[k] for k in FINDING_FIELDS if k in entry}
    result = entry.get("check_result")
    if isinstance(result, dict):
        verdict = {k: result[k] for k in ("result", "suppress_comment") if isinstance(result.get(k), str)}
        kept["check_result"] = verdict
    return kept


def _one_report(report: Any) -> Any:
    if not isinstance(report, dict):
        return {}
    out: dict[str, Any] = {}
    if isinstance(report.get("check_type"), str):
        out["check_type"] = report["check_type"]
    summary = report.get("summary")
    if isinstance(summary, dict):
        out["summary"] = {
            k: v for k, v in summary.items() if isinstance(v, (int, float, str)) and not isinstance(v, bool)
        }
    results = report.get("results")
    if isinstance(results, dict):
        out["results"] = {
            name: [_finding(e) for e in results.get(name) or []]
            for name in _RESULT_LISTS
            if isinstance(results.get(name) or [], list)
        }
    if "results" not in out and "summary" not in out and "failed" in report:
        # nothing was scanned: checkov prints the bare summary
        out = {k: v for k, v in report.items() if isinstance(v, (int, float, str)) and not isinstance(v, bool)}
    return out


def checkov_json(data: Any, secrets: redact.Secrets) -> Any:
    """A checkov `-o json` report (one object, or a list for several frameworks) without quoted values."""
    reports = [_one_report(r) for r in data] if isinstance(data, list) else _one_report(data)
    return _scrub(reports, secrets)


def _drop_quotes(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_quotes(v) for k, v in value.items() if k not in _SARIF_QUOTES}
    if isinstance(value, list):
        return [_drop_quotes(v) for v in value]
    return value


def sarif(data: Any, secrets: redact.Secrets) -> Any:
    """A SARIF log without the quoted source regions."""
    return _scrub(_drop_quotes(data), secrets)


def junit(text: str, secrets: redact.Secrets) -> str:
    """A JUnit XML report: failure texts lose quoted code lines, every text and attribute is scrubbed."""
    root = ET.fromstring(text)
    for element in root.iter():
        if element.tag == "failure" and element.text:
            element.text = "\n".join(line for line in element.text.splitlines() if not _CODE_LINE.match(line))
        for attr in ("text", "tail"):
            current = getattr(element, attr)
            if current:
                setattr(element, attr, secrets.scrub(current, redact.PLACEHOLDER))
        for name, val in list(element.attrib.items()):
            element.attrib[name] = secrets.scrub(val, redact.PLACEHOLDER)
    return ET.tostring(root, encoding="unicode")


def _plans(reports: Path) -> dict[Path, Plan]:
    return {path: Plan.load(path) for path in sorted((reports / "plans").glob("*.json"))}


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise UserError(f"{path}: not a JSON report ({exc})") from None


def redact_reports(reports: Path, out: Path) -> list[Path]:
    """Write the safe copy of every report and plan under `reports` to `out`; returns what was left out."""
    plans = _plans(reports)
    secrets = redact.Secrets(s for plan in plans.values() for s in redact.Secrets.of_plan(plan.raw).strings)
    skipped: list[Path] = []
    texts: dict[Path, str] = {}  # every file is read and checked before anything is written
    for path in sorted(p for p in reports.rglob("*") if p.is_file()):
        rel = path.relative_to(reports)
        if path in plans:
            text = json.dumps(redact.redact_plan(plans[path].raw), indent=1, sort_keys=True) + "\n"
        elif path.suffix == ".sarif":
            text = json.dumps(sarif(_read_json(path), secrets), indent=1) + "\n"
        elif path.suffix == ".json" and rel.parts[0] == "checkov":
            text = json.dumps(checkov_json(_read_json(path), secrets), indent=1) + "\n"
        elif path.suffix == ".xml":
            try:
                text = junit(path.read_text(encoding="utf-8"), secrets) + "\n"
            except (OSError, UnicodeDecodeError, ET.ParseError) as exc:
                raise UserError(f"{path}: not a JUnit XML report ({exc})") from None
        else:
            skipped.append(rel)
            continue
        texts[out / rel] = text
    for target, text in texts.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return skipped


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if len(args) != 2:
            raise UserError("usage: python -m tablekit.review.redact_reports REPORTS_DIR OUT_DIR")
        reports = Path(args[0])
        if not reports.is_dir():
            raise UserError(f"{reports}: no such directory (the policy gate writes build/reports)")
        skipped = redact_reports(reports, Path(args[1]))
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for rel in skipped:
        print(f"not uploaded (not a known report): {rel}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
