"""What one env's plan shows a reviewer: its changes, data loss, drift, outputs, errors and policy.

`summarize` turns a parsed plan into an `EnvView` whose every line is already masked
(tablekit.review.redact) and escaped (tablekit.review.markdown): the comment (`comment`) and the
drift issue (`drift_issue`) only lay these lines out, so neither can show an unmasked value.
Standard library only, like everything CI's render job runs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from tablekit.errors import UserError
from tablekit.review import dataloss, plandiff, redact
from tablekit.review.markdown import Md, code, fmt, join, lit, ours, value
from tablekit.review.redact import Masker
from tablekit.terraform.plan import ACTION_REASONS, Action, Counts, Plan, ResourceChange

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


_ERROR_LINE = re.compile(r"\bError\b[:!]?|\berror:", re.IGNORECASE)


_ICON: Mapping[Action, Md] = {
    Action.CREATE: lit("🟢"),
    Action.UPDATE: lit("🟡"),
    Action.DELETE: lit("🔴"),
    Action.REPLACE: lit("🔁"),
    Action.FORGET: lit("🫥"),
    Action.REPLACE_FORGET: lit("🔁"),
    Action.NOOP: lit("⚪"),
    Action.READ: lit("📖"),
}


_VERB: Mapping[Action, Md] = {
    Action.CREATE: lit("create"),
    Action.UPDATE: lit("update in place"),
    Action.DELETE: lit("destroy"),
    Action.REPLACE: lit("replace"),
    Action.FORGET: lit("forget"),
    Action.REPLACE_FORGET: lit("create a new object and forget the old one"),
    Action.NOOP: lit("no change to"),
    Action.READ: lit("read"),
}

_VALUE_WIDTH = 80


_ERROR_WIDTH = 240


# What a reviewer calls the types the banner names (others are shown by their type).
TYPE_NAMES: Mapping[str, Md] = {
    "aws_dynamodb_table": lit("DynamoDB table"),
    "aws_dynamodb_table_item": lit("table item"),
    "aws_dynamodb_table_replica": lit("table replica"),
    "aws_dynamodb_global_table": lit("global table"),
    "aws_kms_key": lit("KMS key"),
    "aws_kms_replica_key": lit("KMS replica key"),
    "aws_backup_vault": lit("backup vault"),
    "aws_backup_plan": lit("backup plan"),
    "aws_backup_selection": lit("backup selection"),
    "aws_s3_bucket": lit("S3 bucket"),
    "aws_sqs_queue": lit("SQS queue"),
}


# The attribute that names an object of a type, shown (masked) next to its address.
_NAME_ATTRS = ("name", "bucket", "table_name", "function_name", "alarm_name", "description")


@dataclass(frozen=True)
class PolicyResult:
    """The checkov result of one env's plan scan (the JSON report `tablekit lint` writes)."""

    failed: int
    passed: int
    check_ids: tuple[str, ...] = ()

    @classmethod
    def load(cls, path: Path, env: str) -> PolicyResult:
        """Read a checkov JSON report (one framework: an object; several: a list; nothing scanned: a summary)."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise UserError(f"--policy {env}: no such file {path}") from None
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise UserError(f"--policy {env}: {path} is not a checkov JSON report ({exc})") from None
        reports = data if isinstance(data, list) else [data]
        failed, passed, ids = 0, 0, set()
        for report in reports:
            if not isinstance(report, dict) or not isinstance(report.get("summary", {}), dict):
                raise UserError(f"--policy {env}: {path} is not a checkov JSON report (`-o json` output)")
            results = report.get("results")
            summary = report.get("summary", {})
            if isinstance(results, dict):
                checks = results.get("failed_checks") or []
                if not isinstance(checks, list):
                    raise UserError(f"--policy {env}: {path}: results.failed_checks should be a list")
                failed += len(checks)
                ids |= {str(c.get("check_id")) for c in checks if isinstance(c, dict)}
                passed += len(results.get("passed_checks") or [])
            elif "failed" in summary:
                failed += _int(summary.get("failed"), env, path)
                passed += _int(summary.get("passed", 0), env, path)
            else:
                raise UserError(f"--policy {env}: {path} has neither results nor a summary: not a checkov JSON report")
        return cls(failed=failed, passed=passed, check_ids=tuple(sorted(ids)))


def _int(value: Any, env: str, path: Path) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise UserError(f"--policy {env}: {path}: summary counts should be numbers")
    return value


def first_error_line(log: str) -> str:
    """The first line of a failed plan's log that reports an error (Terraform's boxes stripped)."""
    lines = [_ANSI.sub("", line).strip(" │╷╵|\t\r") for line in log.splitlines()]
    for line in lines:
        if _ERROR_LINE.search(line):
            return line
    tail = [line for line in lines if line]
    return tail[-1] if tail else "(the log is empty)"


@dataclass
class EnvView:
    """Everything the comment shows of one environment, already masked and escaped."""

    env: str
    label: Md
    counts: Counts = field(default_factory=Counts)
    failure: Md | None = None
    errored: bool = False
    has_changes: bool = False
    loss_lines: list[Md] = field(default_factory=list)
    loss_lines_short: list[Md] = field(default_factory=list)
    loss_addresses: list[str] = field(default_factory=list)
    destroys: list[Md] = field(default_factory=list)
    destroys_short: list[Md] = field(default_factory=list)
    loss_destroys: int = 0
    others: list[Md] = field(default_factory=list)
    updates: list[Md] = field(default_factory=list)
    creates: list[Md] = field(default_factory=list)
    drift: list[Md] = field(default_factory=list)
    drift_quiet: int = 0
    outputs: int = 0
    warnings: list[Md] = field(default_factory=list)
    policy: PolicyResult | None = None

    @property
    def status(self) -> str:
        """One word per env for the summary JSON (and the status column)."""
        if self.failure is not None:
            return "failed"
        if self.loss_lines:
            return "data-loss"
        if self.errored:
            return "errored"
        if self.counts.destroys:
            return "destroys"
        return "changes" if self.has_changes else "no-changes"


def _display_name(rc: ResourceChange, m: Masker, marks: Any) -> Md | None:
    body = rc.before if rc.action.destroys or rc.after is None else rc.after
    if not isinstance(body, dict):
        return None
    for attr in _NAME_ATTRS:
        if isinstance(body.get(attr), str) and body[attr]:
            return code(m.key(body[attr], redact.child(marks, attr)), _VALUE_WIDTH)
    return None


def _kind(rc: ResourceChange) -> Md:
    return TYPE_NAMES.get(rc.type) or code(redact.text(rc.type))


def _reasons(rc: ResourceChange, m: Masker, marks: Any, explain_silence: bool = True) -> list[Md]:
    """Why Terraform plans this: forcing attributes, its action_reason, deposed object, order."""
    parts: list[Md] = []
    if rc.replace_paths:
        paths = [code(m.path(p, marks)) for p in rc.replace_paths]
        parts.append(fmt("forced by {}", join(", ", paths)))
    if rc.action_reason:
        known = ACTION_REASONS.get(rc.action_reason)
        parts.append(ours(known) if known else fmt("Terraform's reason: {}", code(m.text(rc.action_reason))))
    if rc.is_deposed and rc.deposed:
        parts.append(
            fmt("deposed object {} left behind by a create-before-destroy replacement", code(m.text(rc.deposed)))
        )
    if rc.action == Action.REPLACE:
        parts.append(lit("new object created first") if rc.create_first else lit("destroyed first, then created"))
    if not parts and rc.action.destroys and explain_silence:
        parts.append(lit("Terraform gave no reason"))
    return parts


def _entry(e: plandiff.Entry) -> Md:
    key = code(e.key, _VALUE_WIDTH)
    if e.sign == "+":
        return fmt("+{}={}", key, value(e.new)) if e.new is not None else fmt("+{}", key)
    if e.sign == "-":
        return fmt("-{}", key)
    if e.fields:
        return fmt("~{} ({})", key, join(", ", (code(f) for f in e.fields)))
    if e.old is not None and e.new is not None:
        return fmt("~{}: {} → {}", key, value(e.old), value(e.new))
    return fmt("~{}", key)


def _attr(a: plandiff.AttrChange) -> Md:
    path = code(a.path)
    if a.entries:
        return fmt("{}: {}", path, join(", ", (_entry(e) for e in a.entries)))
    if a.old is None and a.new is not None:
        return fmt("{}: set to {}", path, value(a.new))
    if a.new is None and a.old is not None:
        return fmt("{}: {} → removed", path, value(a.old))
    if a.old is not None and a.new is not None:
        return fmt("{}: {} → {}", path, value(a.old), value(a.new))
    return fmt("{}: changed", path)


def _attrs(changes: Sequence[plandiff.AttrChange]) -> Md:
    return join("; ", (_attr(a) for a in changes))


def _diff(rc: ResourceChange, m: Masker, marks: Any) -> list[plandiff.AttrChange]:
    return plandiff.diff(rc.before, rc.after, rc.after_unknown, marks, replacing=rc.action == Action.REPLACE, masker=m)


def _change_line(rc: ResourceChange, m: Masker, with_attrs: bool, loses_data: bool, short: bool = False) -> Md:
    """One resource change as a list line. `short` (the last layout before the comment must cut
    destroys) keeps only the icon, the verb and the address: every destroy still gets its line."""
    marks = redact.change_marks(rc.before_sensitive, rc.after_sensitive)
    address = code(m.text(rc.address))
    icon = lit("🔴") if loses_data else (lit("⚠️") if rc.action.destroys else _ICON[rc.action])
    move_only = rc.action == Action.NOOP and rc.is_move and not rc.is_import
    if move_only and rc.previous_address:
        line = fmt("- 🚚 move {} → {}", code(m.text(rc.previous_address)), address)
    elif rc.action == Action.NOOP and rc.is_import:
        line = fmt("- 📥 import {}", address)
    elif rc.is_deposed:
        line = fmt("- {} destroy a deposed object of {}", icon, address)
    else:
        line = fmt("- {} {} {}", icon, _VERB[rc.action], address)
    if short:
        return line
    name = _display_name(rc, m, marks)
    if name is not None and (rc.action.destroys or rc.type in TYPE_NAMES):
        line = fmt("{} ({} {})", line, _kind(rc), name)
    if rc.is_move and not move_only and rc.previous_address:
        line = fmt("{}, moved from {}", line, code(m.text(rc.previous_address)))
    if rc.importing is not None:
        imported = lit("") if rc.action == Action.NOOP else lit("imported, ")
        if rc.importing.id:
            line = fmt("{} ({}ID {})", line, imported, code(m.text(rc.importing.id), _VALUE_WIDTH))
        elif rc.action != Action.NOOP:
            line = fmt("{} (imported)", line)
    notes: list[Md] = []
    if loses_data:
        notes.append(lit("**loses data** (see the banner)"))
    if rc.action in (Action.FORGET, Action.REPLACE_FORGET):
        notes.append(lit("the real object is kept but no longer managed here"))
    if rc.action.destroys or rc.action in (Action.FORGET, Action.REPLACE_FORGET):
        notes += _reasons(rc, m, marks)
    elif rc.reason:
        notes.append(ours(rc.reason))
    if notes:
        line = fmt("{} — {}", line, join("; ", notes))
    if with_attrs and rc.action in (Action.UPDATE, Action.REPLACE, Action.NOOP):
        attrs = _diff(rc, m, marks)
        if attrs:
            line = fmt("{}: {}", line, _attrs(attrs))
    return line


def _loss_line(env: Md, loss: dataloss.Loss, m: Masker, short: bool) -> Md:
    rc = loss.change
    marks = redact.change_marks(rc.before_sensitive, rc.after_sensitive)
    address = code(m.text(rc.address))
    name = _display_name(rc, m, marks)
    thing = fmt("{} {}", _kind(rc), name) if name is not None else _kind(rc)
    if loss.reason == dataloss.REPLICA_LOSS:
        before = rc.before if isinstance(rc.before, dict) else {}
        mark = redact.child(redact.child(redact.child(marks, "replica"), loss.region_index or 0), "region_name")
        region = code(m.mask(loss.region, mark) if before else redact.sensitive())
        what = fmt("remove the {} replica of {}", region, thing)
    elif loss.reason == dataloss.PITR_LOSS:
        what = fmt("switch off point-in-time recovery of {}", thing)
    elif rc.is_deposed:
        what = fmt("destroy a deposed {}", thing)
    else:
        what = fmt("{} {}", _VERB[rc.action], thing)
    line = fmt("> - {}: {} ({})", env, what, address)
    if short:
        return line
    if rc.type == "aws_kms_key" and isinstance(rc.before, dict) and rc.before.get("deletion_window_in_days"):
        window = m.mask(rc.before["deletion_window_in_days"], redact.child(marks, "deletion_window_in_days"))
        line = fmt("{} — {}; deletion window: {} days", line, ours(loss.reason), code(window))
    else:
        line = fmt("{} — {}", line, ours(loss.reason))
    reasons = _reasons(rc, m, marks, explain_silence=False) if rc.action.destroys else []
    if reasons:
        line = fmt("{}. Why: {}", line, join("; ", reasons))
    return line


def _drift_line(rc: ResourceChange, m: Masker) -> Md:
    marks = redact.change_marks(rc.before_sensitive, rc.after_sensitive)
    address = code(m.text(rc.address))
    if rc.action == Action.DELETE or rc.after is None:
        return fmt("- 🔴 {} was deleted outside Terraform", address)
    attrs = plandiff.diff(rc.before, rc.after, None, marks, masker=m)
    if not attrs:
        return fmt("- 🟡 {} changed outside Terraform", address)
    return fmt("- 🟡 {} changed outside Terraform: {}", address, _attrs(attrs))


def _output_line(o: Any, m: Masker) -> Md:
    marks = redact.change_marks(o.before_sensitive, o.after_sensitive)
    name = code(m.text(o.name))
    new = redact.unknown() if o.after_unknown is True else m.mask(o.after, marks, o.after_unknown)
    if o.action == Action.CREATE:
        return fmt("- 🟢 {} = {}", name, value(new))
    if o.action == Action.DELETE:
        return fmt("- 🔴 {} removed (was {})", name, value(m.mask(o.before, marks)))
    return fmt("- 🟡 {}: {} → {}", name, value(m.mask(o.before, marks)), value(new))


def _diagnostics(plan: Plan, m: Masker) -> list[Md]:
    out: list[Md] = []
    if plan.errored:
        out.append(lit("The plan **errored**: the change list below may be incomplete."))
    raw = plan.raw.get("diagnostics")
    for diag in raw if isinstance(raw, list) else []:
        if not isinstance(diag, dict):
            continue
        severity = lit("**Error**") if str(diag.get("severity", "")).lower() == "error" else lit("Warning")
        summary = str(diag.get("summary", "")).strip() or "(no summary)"
        detail = str(diag.get("detail", "")).strip().splitlines()
        line = fmt("{}: {}", severity, code(m.text(summary), _ERROR_WIDTH))
        if detail:
            line = fmt("{} — {}", line, code(m.text(detail[0]), _ERROR_WIDTH))
        out.append(line)
    return out


def _drift(plan: Plan, m: Masker, next_apply: Plan | None = None) -> tuple[list[Md], int]:
    """Drift that matters, and how many other objects merely read back differently.

    It matters when the configuration reads the drifted attribute (`relevant_attributes`, written
    by Terraform >= 1.2), or when the plan changes that attribute back. Plans without
    relevant_attributes (Terraform 1.0/1.1) count every drifted resource the plan also changes.
    The rest -- e.g. GSI capacities the provider reads back on on-demand tables -- is one line.
    `next_apply`: the plan that decides it, when `plan` is refresh-only (it plans no change).
    """
    deciding = next_apply or plan
    planned = {(rc.address, rc.deposed): rc for rc in deciding.managed() if rc.action.changes}
    shown: list[Md] = []
    quiet = 0
    for rc in sorted(plan.resource_drift, key=lambda r: (r.address, r.deposed or "")):
        if not rc.managed or not rc.action.changes:
            continue
        relevant = deciding.relevant_paths(rc.address)
        target = planned.get((rc.address, rc.deposed))
        if relevant is None:
            matters = target is not None
        else:
            drifted = plandiff.changed_paths(rc.before, rc.after) if rc.after is not None else [()]
            reverted = plandiff.changed_paths(target.before, target.after) if target and target.after else []
            matters = any(plandiff.overlaps(d, p) for d in drifted for p in [*relevant, *reverted])
        if matters:
            shown.append(_drift_line(rc, m))
        else:
            quiet += 1
    return shown, quiet


def drift_lines(refresh_only: Plan, next_apply: Plan) -> tuple[list[Md], int]:
    """The drift of a refresh-only plan that matters (listed, masked and escaped), and how many
    objects merely read back differently; `next_apply` (a normal plan of the same state) says
    which drifted attributes the next apply would set back, as in the PR comment."""
    known = [*redact.Secrets.of_plan(refresh_only.raw).strings, *redact.Secrets.of_plan(next_apply.raw).strings]
    return _drift(refresh_only, Masker(redact.Secrets(known)), next_apply)


def summarize(env: str, plan: Plan | Mapping[str, Any], policy: PolicyResult | None = None) -> EnvView:
    """What the comment shows of one env's plan: every line masked and escaped."""
    if not isinstance(plan, Plan):
        plan = Plan.parse(plan, source=f"plan of {env}")
    m = Masker(redact.Secrets.of_plan(plan.raw))
    label = code(redact.text(env))
    view = EnvView(env=env, label=label, counts=plan.counts(), errored=plan.errored, policy=policy)
    view.has_changes = plan.has_changes
    losses = dataloss.losses(plan)
    losing = {(loss.change.address, loss.change.deposed) for loss in losses if loss.change.action.destroys}
    for loss in sorted(losses, key=lambda x: (x.change.address, x.change.deposed or "", x.reason)):
        view.loss_lines.append(_loss_line(label, loss, m, short=False))
        view.loss_lines_short.append(_loss_line(label, loss, m, short=True))
        view.loss_addresses.append(loss.change.address)
    changes = sorted((rc for rc in plan.managed() if rc.noteworthy), key=lambda r: (r.address, r.deposed or ""))
    destroys = [rc for rc in changes if rc.action.destroys or rc.action in (Action.FORGET, Action.REPLACE_FORGET)]
    destroys.sort(key=lambda r: ((r.address, r.deposed) not in losing, r.address, r.deposed or ""))
    for rc in destroys:
        data = (rc.address, rc.deposed) in losing
        view.destroys.append(_change_line(rc, m, with_attrs=True, loses_data=data))
        if data:
            view.loss_destroys += 1  # the short layout lists it in the banner only
        else:
            view.destroys_short.append(_change_line(rc, m, with_attrs=False, loses_data=False, short=True))
    listed = {id(rc) for rc in destroys}
    for rc in changes:
        if id(rc) in listed:
            continue
        if rc.is_import or rc.is_move:
            view.others.append(_change_line(rc, m, with_attrs=True, loses_data=False))
        elif rc.action == Action.UPDATE:
            view.updates.append(_change_line(rc, m, with_attrs=True, loses_data=False))
        elif rc.action == Action.CREATE:
            view.creates.append(_change_line(rc, m, with_attrs=False, loses_data=False))
    outputs = [o for o in plan.output_changes if o.action.changes]
    view.outputs = len(outputs)
    view.others += [_output_line(o, m) for o in outputs]
    view.drift, view.drift_quiet = _drift(plan, m)
    view.warnings = _diagnostics(plan, m)
    return view


def failed(env: str, log: str) -> EnvView:
    """An env whose plan failed: the first error line of its log, escaped."""
    line = first_error_line(log)
    return EnvView(env=env, label=code(redact.text(env)), failure=code(redact.text(line), _ERROR_WIDTH))
