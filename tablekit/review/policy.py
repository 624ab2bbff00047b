"""The checkov policy gate: static checks of modules/ and envs/, and of each environment's plan JSON.

Why both scans: the directory scan sees the code a reviewer reads (and inline
`#checkov:skip=ID:reason` comments), but module inputs there are only defaults; the plan scan sees
the values each environment really passes (its customer-managed key, PITR switched off somewhere), and with
`--repo-root-for-plan-enrichment` checkov maps plan resources back to the .tf files so the same
inline skips apply to it.

Why so many offline switches: checkov phones home three ways (platform policy mapping, the
Prisma "guidelines" download, and a PyPI "update available" probe in its banner). In CI and on
laptops without network each of those either hangs on DNS or slows every run, so the gate always
passes `--skip-download` and sets `BC_SKIP_MAPPING` / `CKV_SKIP_PACKAGE_UPDATE_CHECK`, and drops
any platform API key from the environment (verified with strace: no connect() outside AF_UNIX).

Skips are allowed in exactly two places, both reviewed in the diff: inline with a reason, or in
the one `.checkov.yaml` with a comment per skipped ID. The gate fails on anything else (an inline
skip without a reason, an uncommented config skip, or a soft-fail setting that would hide failures).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from tablekit.errors import UserError
from tablekit.paths import BUILD, ROOT

CONFIG_FILE = ROOT / ".checkov.yaml"
REPORT_DIR = BUILD / "reports"
CHECKOV_ENV_VAR = "TABLEKIT_CHECKOV"
ISOLATED_VENV = ROOT / "build" / "venvs" / "checkov"  # what `./just` installs

# Environment that keeps checkov off the network (see module docstring). checkov 3.3 has no
# CHECKOV_RUN_SCA_PACKAGE_SCAN_V2 any more, and SCA never runs with --framework terraform[_plan].
OFFLINE_ENV = {
    "BC_SKIP_MAPPING": "TRUE",
    "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",
    "LOG_LEVEL": "WARNING",
}
# Plan scans only: EVAL_TF_PLAN_AFTER_UNKNOWN=true makes checkov read an attribute that is "known
# after apply" as set. Every env creates its customer-managed key in the same plan as the tables,
# queue and backup vault that use it, so without it their key ARNs are unknown and CKV_AWS_119,
# CKV_AWS_27 and CKV_AWS_166 fail on every fresh plan although each is wired to the key.
# The trade-off: an unknown value is read as "set to a resource created in this plan", so a value
# the provider computes by itself looks set too (the kms_key_arn of a table with SSE on and no
# key configured is planned as unknown: the AWS-managed key would pass CKV_AWS_119). That hole is
# closed outside checkov by cmk_wiring_problems (end of this module), which the gate runs on every
# env plan: from the plan's configuration, the env passes its modules/kms-key key into the estate
# and every table's sse_kms_key_arn is wired to it.
# The directory scans cannot close it either: statically checkov passes CKV_AWS_119 for any
# kms_key_arn expression, even a literal null (verified with checkov 3.3.30); they only catch an
# `enabled` that is not plainly true.
# Directory scans never set it (they read no plan), and an ambient value is always dropped.
PLAN_SCAN_ENV = {"EVAL_TF_PLAN_AFTER_UNKNOWN": "true"}
# Platform credentials would switch checkov into "upload results" mode: never pass them through.
_DROPPED_ENV = ("BC_API_KEY", "PRISMA_API_URL", "BC_API_URL", "CKV_API_KEY")
# checkov prints this when `#checkov:skip=ID` has no `:reason` part.
_NO_REASON = {"", "no comment provided"}
# Config keys that would turn failures into passes without a reviewed, per-check reason.
_FORBIDDEN_CONFIG_KEYS = ("soft-fail", "soft-fail-on", "skip-framework", "baseline", "hard-fail-on")


@dataclass(frozen=True)
class Finding:
    """One failed (or skipped) check on one resource."""

    check_id: str
    check_name: str
    resource: str
    file: str
    lines: tuple[int, int] | None = None
    reason: str = ""
    raw_file: str = ""  # checkov's file_path (for plan scans: the enriched .tf path, root-relative)

    def where(self) -> str:
        span = f":{self.lines[0]}-{self.lines[1]}" if self.lines else ""
        return f"{self.file}{span}"


@dataclass
class ScanResult:
    """Outcome of one checkov run (a directory scan or one environment's plan)."""

    name: str
    framework: str
    targets: list[str]
    passed: int = 0
    failed: list[Finding] = field(default_factory=list)
    skipped: list[Finding] = field(default_factory=list)
    parsing_errors: int = 0
    returncode: int = 0
    reports: dict[str, Path] = field(default_factory=dict)
    stderr: str = ""

    @property
    def unreasoned_skips(self) -> list[Finding]:
        """Inline skips without a reason: checkov accepts them, the gate does not."""
        return [s for s in self.skipped if s.reason.strip().lower() in _NO_REASON]

    @property
    def crashed(self) -> bool:
        """checkov exits 2 (or writes no JSON) when it crashed rather than found failures."""
        return self.returncode not in (0, 1) or "json" not in self.reports

    @property
    def ok(self) -> bool:
        return not self.failed and not self.unreasoned_skips and not self.parsing_errors and not self.crashed


def checkov_bin() -> str:
    """The isolated checkov install (build/venvs/checkov), $TABLEKIT_CHECKOV, or checkov on PATH."""
    override = os.environ.get(CHECKOV_ENV_VAR)
    if override:
        return override
    isolated = ISOLATED_VENV / "bin" / "checkov"
    if isolated.exists():
        return str(isolated)
    found = shutil.which("checkov")
    if found:
        return found
    raise UserError(
        f"checkov is not installed: run `./just` once (it installs checkov into build/venvs/checkov), "
        f"or point {CHECKOV_ENV_VAR} at a checkov binary"
    )


def checkov_env(base: Mapping[str, str] | None = None, plan: bool = False) -> dict[str, str]:
    """Process environment for an offline checkov run (plan=True: a terraform_plan scan)."""
    env = dict(os.environ if base is None else base)
    for key in _DROPPED_ENV:
        env.pop(key, None)
    env.update(OFFLINE_ENV)
    for key in PLAN_SCAN_ENV:
        env.pop(key, None)
    if plan:
        env.update(PLAN_SCAN_ENV)
    return env


# --------------------------------------------------------------------------------------------
# .checkov.yaml review rules
# --------------------------------------------------------------------------------------------

_KEY_RE = re.compile(r"^([A-Za-z0-9_-]+)\s*:(.*)$")
_ITEM_RE = re.compile(r"^\s+-\s*([^#\s]+)\s*(#.*)?$")


def config_problems(path: Path = CONFIG_FILE) -> list[str]:
    """Why the skip configuration is not acceptable (empty list = fine).

    Rules: every `skip-check` entry is a list item with a comment (same line, or comment lines
    directly above it) saying why; no inline list form (it can't carry per-ID comments); no key that
    turns failures into passes wholesale (soft-fail, baseline, skip-framework).
    """
    if not path.exists():
        return []
    problems: list[str] = []
    lines = path.read_text().splitlines()
    in_skips = False
    pending_comment = False
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        stripped = line.strip()
        key = _KEY_RE.match(line)
        if key:
            name, rest = key.group(1), key.group(2).split("#", 1)[0].strip()
            in_skips = name == "skip-check"
            pending_comment = False
            if name in _FORBIDDEN_CONFIG_KEYS and rest.lower() not in ("", "false", "[]"):
                problems.append(
                    f"{path.name}:{number}: `{name}` hides failures wholesale; skip single checks with a reason instead"
                )
            if in_skips and rest and rest != "[]":
                problems.append(
                    f"{path.name}:{number}: write skip-check as a list, one ID per line with a comment saying why"
                )
            continue
        if not in_skips:
            continue
        if stripped.startswith("#"):
            pending_comment = len(stripped.lstrip("#").strip()) > 0 or pending_comment
            continue
        if not stripped:
            pending_comment = False
            continue
        item = _ITEM_RE.match(line)
        if item:
            comment = (item.group(2) or "").lstrip("#").strip()
            if not comment and not pending_comment:
                problems.append(f"{path.name}:{number}: skip of {item.group(1)} has no comment saying why")
            pending_comment = False
    return problems


def config_skips(path: Path = CONFIG_FILE) -> list[str]:
    """Check IDs skipped in the config file (for the report)."""
    if not path.exists():
        return []
    skips: list[str] = []
    in_skips = False
    for line in path.read_text().splitlines():
        key = _KEY_RE.match(line)
        if key:
            in_skips = key.group(1) == "skip-check"
            continue
        item = _ITEM_RE.match(line)
        if in_skips and item:
            skips.append(item.group(1))
    return skips


# --------------------------------------------------------------------------------------------
# running checkov
# --------------------------------------------------------------------------------------------


def _findings(entries: Iterable[Mapping[str, Any]]) -> list[Finding]:
    found = []
    for entry in entries:
        lines = entry.get("file_line_range")
        result = entry.get("check_result") or {}
        found.append(
            Finding(
                check_id=str(entry.get("check_id")),
                check_name=str(entry.get("check_name") or ""),
                resource=str(entry.get("resource_address") or entry.get("resource") or ""),
                file=str(entry.get("repo_file_path") or entry.get("file_path") or "").lstrip("/"),
                lines=(int(lines[0]), int(lines[1])) if lines else None,
                reason=str(result.get("suppress_comment") or ""),
                raw_file=str(entry.get("file_path") or ""),
            )
        )
    return found


def _parse_json_report(path: Path, result: ScanResult) -> None:
    """Fill result from checkov's JSON report (a dict per framework, a list for several, or a bare summary)."""
    data = json.loads(path.read_text())
    reports = data if isinstance(data, list) else [data]
    for report in reports:
        results = report.get("results")
        if results is None:  # nothing scanned: checkov writes only the summary
            continue
        result.failed += _findings(results.get("failed_checks", []))
        result.skipped += _findings(results.get("skipped_checks", []))
        summary = report.get("summary", {})
        result.passed += int(summary.get("passed", 0))
        result.parsing_errors += int(summary.get("parsing_errors", 0))


CACHE_DIR = BUILD / "checkov-cache"
CACHE_ENV_VAR = "TABLEKIT_CHECKOV_CACHE"  # "0" turns the result cache off
# What a scan reads, besides its targets: the checks are chosen by checkov's version (its binary),
# the config file, and the scan environment.
_HASHED_SUFFIXES = {".tf", ".tfvars", ".json", ".yaml", ".yml", ".hcl"}


_LOCAL_SOURCE = re.compile(r'^\s*source\s*=\s*"(\.{1,2}/[^"]*)"', re.M)


def _tree_digest(digest: Any, path: Path, seen: set[Path]) -> None:
    """Feed every file checkov can read under `path` into `digest`, following local module sources.

    checkov loads `source = "../x"` modules from outside the scanned directory (envs/dev reads
    modules/), so they are part of the input: a change there must miss the cache.
    """
    path = path.resolve()
    if path in seen:
        return
    seen.add(path)
    if path.is_file():
        digest.update(f"file {path.name}\n".encode())
        digest.update(path.read_bytes())
        return
    for item in sorted(path.rglob("*")):
        if ".terraform" in item.parts or not item.is_file() or item.suffix not in _HASHED_SUFFIXES:
            continue
        data = item.read_bytes()
        digest.update(f"file {item.relative_to(path)}\n".encode())
        digest.update(data)
        if item.suffix == ".tf":
            for source in _LOCAL_SOURCE.findall(data.decode("utf-8", "replace")):
                module_dir = (item.parent / source).resolve()
                if module_dir.is_dir() and not module_dir.is_relative_to(path):
                    _tree_digest(digest, module_dir, seen)


def _cache_key(argv: Sequence[str], inputs: Sequence[Path], env: Mapping[str, str], cwd: Path) -> str | None:
    """Content hash of one checkov run: same key, same report. None when an input is missing."""
    digest = hashlib.sha256()
    binary = Path(argv[0])
    try:
        stat = binary.resolve().stat()
        digest.update(f"checkov {binary.resolve()} {stat.st_size} {stat.st_mtime_ns}\n".encode())
        digest.update("\0".join(argv[1:]).encode())
        digest.update(json.dumps({k: env.get(k) for k in (*OFFLINE_ENV, *PLAN_SCAN_ENV)}).encode())
        for path in inputs:
            resolved = path if path.is_absolute() else cwd / path
            if not resolved.exists():
                return None
            digest.update(f"input {path}\n".encode())
            _tree_digest(digest, resolved, set())
    except OSError:
        return None
    return digest.hexdigest()


def run_checkov(
    name: str,
    framework: str,
    target_args: Sequence[str],
    report_dir: Path,
    config_file: Path | None = CONFIG_FILE,
    extra_args: Sequence[str] = (),
    cwd: Path = ROOT,
    timeout: float = 600,
) -> ScanResult:
    """Run checkov once; JSON, SARIF and JUnit reports land in report_dir/checkov/<name>/.

    cwd is the repository root so file paths in SARIF are repo-relative (code scanning needs that).

    Results are cached under build/checkov-cache/ by a hash of everything the run reads (checkov's
    binary, its arguments, the config file, every .tf/.tfvars/.json/.yaml file of the targets and
    enrichment roots, the scan environment): checkov spends 20-40 s per run parsing, and an
    unchanged tree gives the same findings. The cache is keyed by content, so editing any input
    is a miss; TABLEKIT_CHECKOV_CACHE=0 turns it off.
    """
    out = report_dir / "checkov" / name
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "results.json", "sarif": out / "results.sarif", "junitxml": out / "results.xml"}
    for stale in paths.values():
        stale.unlink(missing_ok=True)
    argv = [checkov_bin(), "--framework", framework, *target_args, "--skip-download", "--compact"]
    # the files and directories checkov reads: the value after each option (-d, -f, enrichment roots)
    inputs = [Path(a) for flag, a in itertools.pairwise(target_args) if flag.startswith("-") and a[:1] != "-"]
    if config_file is not None and config_file.exists():
        argv += ["--config-file", str(config_file)]
        inputs.append(config_file)
    scan_argv = [*argv, *extra_args]
    for fmt in paths:
        argv += ["-o", fmt]
    argv += ["--output-file-path", ",".join(str(p) for p in paths.values()), *extra_args]
    env = checkov_env(plan=framework == "terraform_plan")
    use_cache = os.environ.get(CACHE_ENV_VAR, "1") != "0"
    key = _cache_key(scan_argv, inputs, env, cwd) if use_cache else None
    cached = CACHE_DIR / key if key else None
    if cached is not None and (cached / "returncode").exists():
        returncode = int((cached / "returncode").read_text())
        stderr = (cached / "stderr").read_text()
        for kind, path in paths.items():
            if (cached / kind).exists():
                shutil.copyfile(cached / kind, path)
    else:
        try:
            proc = subprocess.run(  # fixed binary, our args
                argv, cwd=cwd, env=env, text=True, capture_output=True, timeout=timeout
            )
        except subprocess.TimeoutExpired as exc:
            raise UserError(f"checkov ({name}) did not finish within {timeout:.0f}s") from exc
        returncode, stderr = proc.returncode, proc.stderr[-4000:]
        if cached is not None and returncode in (0, 1) and paths["json"].exists():
            _store(cached, returncode, stderr, paths)
    targets = [a for a in target_args if not a.startswith("-")]
    result = ScanResult(name=name, framework=framework, targets=targets, returncode=returncode, stderr=stderr)
    for kind, path in paths.items():
        if path.exists():
            result.reports[kind] = path
    if "json" in result.reports:
        _parse_json_report(result.reports["json"], result)
    return result


def _store(cached: Path, returncode: int, stderr: str, paths: Mapping[str, Path]) -> None:
    """Write one cache entry atomically (a temp dir renamed), so parallel scans never see half of one."""
    tmp = cached.parent / f".{cached.name}.{os.getpid()}.{threading.get_ident()}"
    with contextlib.suppress(OSError):
        tmp.mkdir(parents=True, exist_ok=True)
        for kind, path in paths.items():
            if path.exists():
                shutil.copyfile(path, tmp / kind)
        (tmp / "stderr").write_text(stderr)
        (tmp / "returncode").write_text(str(returncode))
        tmp.rename(cached)
    shutil.rmtree(tmp, ignore_errors=True)


def scan_directory(
    directory: Path,
    report_dir: Path = REPORT_DIR,
    name: str | None = None,
    config_file: Path | None = CONFIG_FILE,
    cwd: Path = ROOT,
) -> ScanResult:
    """Static scan of one Terraform source tree (e.g. modules/ or envs/).

    One checkov run per directory on purpose: checkov 3.3 given several `-d` scans the first one
    repeatedly and silently drops the others (verified with two small trees), so a single run over
    modules/ and envs/ would pass without ever looking at envs/.
    """
    label = name or f"terraform-{Path(directory).name}"
    return run_checkov(label, "terraform", ["-d", _relative(directory, cwd)], report_dir, config_file, cwd=cwd)


def scan_plan(
    plan_json: Path,
    source_roots: Sequence[Path],
    report_dir: Path = REPORT_DIR,
    name: str | None = None,
    config_file: Path | None = CONFIG_FILE,
    cwd: Path = ROOT,
) -> ScanResult:
    """Scan one `terraform show -json` plan; enrichment from source_roots makes inline skips apply.

    Why source roots and not the repository root: checkov keys enrichment by `type.name` only
    (module path and index dropped), so a test fixture or a generated copy elsewhere in the tree
    with the same `aws_dynamodb_table.this` would silently replace the real resource's skips.
    """
    args = ["-f", _relative(plan_json, cwd)]
    for root in source_roots:
        args += ["--repo-root-for-plan-enrichment", _relative(root, cwd)]
    result = run_checkov(
        name or f"plan-{Path(plan_json).stem}", "terraform_plan", args, report_dir, config_file, cwd=cwd
    )
    result.failed = [_enriched_file(f, source_roots, cwd) for f in result.failed]
    result.skipped = [_enriched_file(f, source_roots, cwd) for f in result.skipped]
    return result


def _enriched_file(finding: Finding, roots: Sequence[Path], cwd: Path) -> Finding:
    """Point a plan finding at its .tf file: enrichment records a path relative to one of the roots."""
    raw = finding.raw_file
    if not raw or raw.endswith(".json"):
        return finding
    for root in roots:
        candidate = Path(root) / raw.lstrip("/")
        if candidate.is_file():
            return replace(finding, file=_relative(candidate, cwd))
    return replace(finding, file=raw.lstrip("/"))


def _relative(path: Path, cwd: Path) -> str:
    path = Path(path).resolve()
    try:
        return str(path.relative_to(cwd.resolve())) or "."
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------------------------
# merged reports
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# the gate
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# Customer-managed key wiring (the hole checkov's plan scan leaves open)
# --------------------------------------------------------------------------------------------
