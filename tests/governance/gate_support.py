"""What the project-gate tests report when the policy gate fails (test_project_gate*.py)."""

from __future__ import annotations

from tablekit import policy


def gate_problems(gate: policy.GateResult) -> list[str]:
    """Every reason the gate fails, one line each."""
    problems = [
        f"{scan.name}: {f.check_id} {f.resource} ({f.where()}) {f.check_name}"
        for scan in gate.scans
        for f in scan.failed
    ]
    problems += [
        f"{scan.name}: skip of {f.check_id} on {f.resource} has no reason"
        for scan in gate.scans
        for f in scan.unreasoned_skips
    ]
    problems += [
        f"{scan.name}: checkov crashed (exit {scan.returncode}): {scan.stderr}" for scan in gate.scans if scan.crashed
    ]
    problems += [f"{scan.name}: {scan.parsing_errors} parsing errors" for scan in gate.scans if scan.parsing_errors]
    problems += gate.config_problems
    problems += [f"{env}: {p}" for env, found in gate.wiring_problems.items() for p in found]
    return problems
