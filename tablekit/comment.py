"""Render `terraform show -json` plans of one or more environments into one PR comment (Markdown).

Why a custom renderer instead of pasting `terraform plan` output: reviewers of a DynamoDB change
need three things at a glance — does anything destroy or replace a table (every item in it is
lost), what changes per environment, and did someone change the account behind Terraform's back
(drift). Raw plan text buries all three under computed attributes and is cut off by GitHub's
65,536-character comment limit at an arbitrary byte. Here the loud parts (banner, summary) are
always kept, and only the long per-env change lists are cut, with a note saying what was cut.

The comment starts with a hidden marker so CI finds and edits its own earlier comment (one sticky
comment per PR) instead of adding a new one per push.

Plan content is untrusted (a PR author chooses resource names and values), so every value is
rendered inside a code span with backticks neutralised, and free text is HTML-escaped: nothing in
a plan can inject markup, links, or a fake marker into the comment.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

MARKER = "<!-- tablekit-plan-comment -->"
GITHUB_COMMENT_LIMIT = 65_536
TABLE_TYPE = "aws_dynamodb_table"

# Blocks that Terraform models as lists of objects keyed by one identifying attribute: diff them
# per element name, so "GSI x added" reads as that and not as "list index 2 changed".
_KEYED_BLOCKS = {
    "attribute": "name",
    "global_secondary_index": "name",
    "local_secondary_index": "name",
    "replica": "region_name",
}
# Attributes that only echo other attributes (tags_all = provider default tags + tags).
_NOISY = {"tags_all"}
_VALUE_WIDTH = 80

ICONS = {"create": "🟢", "update": "🟡", "delete": "🔴", "replace": "🔁", "read": "📖"}
LABELS = {"create": "create", "update": "update in place", "delete": "destroy", "replace": "replace", "read": "read"}


# --------------------------------------------------------------------------------------------
# model
# --------------------------------------------------------------------------------------------


def classify(actions: Sequence[str]) -> str:
    """Terraform's action list -> one of create/update/delete/replace/read/no-op."""
    acts = list(actions)
    if "delete" in acts and "create" in acts:
        return "replace"
    if acts in (["create"], ["delete"], ["update"], ["read"]):
        return acts[0]
    return "no-op"


@dataclass
class Change:
    """One resource instance with a planned (or drifted) action."""

    address: str
    type: str
    action: str
    attrs: list[str] = field(default_factory=list)
    table_name: str | None = None
    reason: str = ""

    @property
    def is_table(self) -> bool:
        return self.type == TABLE_TYPE

    @property
    def loses_data(self) -> bool:
        return self.is_table and self.action in ("delete", "replace")


@dataclass
class EnvPlan:
    """What the comment needs to know about one environment's plan."""

    env: str
    changes: list[Change]
    drift: list[Change]
    warnings: list[str]

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    @property
    def has_changes(self) -> bool:
        return any(c.action in ("create", "update", "delete", "replace") for c in self.changes)

    @property
    def data_loss(self) -> list[Change]:
        return [c for c in self.changes if c.loses_data]

    @property
    def tables_in_place(self) -> list[Change]:
        return [c for c in self.changes if c.is_table and c.action == "update"]


# --------------------------------------------------------------------------------------------
# attribute diff
# --------------------------------------------------------------------------------------------


def _sens(marks: Any, key: str | int) -> Any:
    """Sensitivity marks below key (plan JSON uses true, or a mirror of the value's shape)."""
    if marks is True:
        return True
    if isinstance(marks, dict) and isinstance(key, str):
        return marks.get(key, False)
    if isinstance(marks, list) and isinstance(key, int) and key < len(marks):
        return marks[key]
    return False


def _fmt(value: Any, sensitive: Any = False) -> str:
    """A value as a short code span: JSON text, cut to a readable width; sensitive values hidden."""
    if sensitive is True:
        return "`(sensitive)`"
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    if len(text) > _VALUE_WIDTH:
        text = text[: _VALUE_WIDTH - 1] + "…"
    return code(text)


def _has_unknown(marks: Any) -> bool:
    """True when an after_unknown mirror marks anything below it as unknown."""
    if marks is True:
        return True
    if isinstance(marks, dict):
        return any(_has_unknown(v) for v in marks.values())
    if isinstance(marks, list):
        return any(_has_unknown(v) for v in marks)
    return False


def _single_block(value: Any) -> bool:
    return isinstance(value, list) and len(value) <= 1 and all(isinstance(v, dict) for v in value)


def diff_attrs(
    before: Any,
    after: Any,
    after_unknown: Any = None,
    before_sens: Any = False,
    after_sens: Any = False,
    prefix: str = "",
) -> list[str]:
    """Human-readable changes between two resource bodies (top level + nested blocks).

    Single-instance blocks (ttl, point_in_time_recovery, server_side_encryption) diff per field
    (`ttl.enabled`); keyed blocks (indexes, attributes, replicas) diff per element name; maps (tags)
    per key; everything else as before → after.
    """
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    unknown = after_unknown if isinstance(after_unknown, dict) else {}
    out: list[str] = []
    for key in sorted(set(before) | set(after) | {k for k, v in unknown.items() if v is True}):
        if key in _NOISY or key == "id":
            continue
        old, new, unk = before.get(key), after.get(key), unknown.get(key, False)
        bs, as_ = _sens(before_sens, key), _sens(after_sens, key)
        path = f"{prefix}{key}"
        if unk is True:
            if old is not None and old != [] and old != {}:
                out.append(f"{code(path)}: {_fmt(old, sensitive=bs)} → `(known after apply)`")
            continue
        if old == new and not _has_unknown(unk):
            continue
        if key in _KEYED_BLOCKS and isinstance(old or [], list) and isinstance(new or [], list):
            line = _diff_keyed(path, old or [], new or [], _KEYED_BLOCKS[key])
            if line:
                out.append(line)
            continue
        if _single_block(old or []) and _single_block(new or []) and (old or new):
            o = (old or [{}])[0] if old else {}
            n = (new or [{}])[0] if new else {}
            u = unk[0] if isinstance(unk, list) and unk else {}
            out += diff_attrs(o, n, u, _sens(bs, 0), _sens(as_, 0), prefix=f"{path}.")
            continue
        if isinstance(old or {}, dict) and isinstance(new or {}, dict) and (old or new):
            line = _diff_map(path, old or {}, new or {}, bs, as_)
            if line:
                out.append(line)
            continue
        out.append(f"{code(path)}: {_fmt(old, sensitive=bs)} → {_fmt(new, sensitive=as_)}")
    return out


def _diff_keyed(path: str, old: list, new: list, key: str) -> str:
    def by_key(items: list) -> dict[str, Any]:
        return {str(i.get(key)): i for i in items if isinstance(i, dict)}

    o, n = by_key(old), by_key(new)
    parts = [f"+{k}" for k in sorted(set(n) - set(o))]
    parts += [f"-{k}" for k in sorted(set(o) - set(n))]
    for k in sorted(set(o) & set(n)):
        if o[k] != n[k]:
            fields = sorted(f for f in set(o[k]) | set(n[k]) if o[k].get(f) != n[k].get(f))
            parts.append(f"~{k} ({', '.join(fields)})")
    if not parts:
        return ""
    return f"{code(path)}: " + ", ".join(code(p) for p in parts)


def _diff_map(path: str, old: dict, new: dict, bs: Any, as_: Any) -> str:
    parts = []
    for k in sorted(set(old) | set(new)):
        if k not in old:
            parts.append(f"+{k}={_fmt(new[k], sensitive=_sens(as_, k))}")
        elif k not in new:
            parts.append(f"-{k}")
        elif old[k] != new[k]:
            parts.append(f"~{k}: {_fmt(old[k], sensitive=_sens(bs, k))} → {_fmt(new[k], sensitive=_sens(as_, k))}")
    if not parts:
        return ""
    return f"{code(path)}: " + ", ".join(parts)


def _path_text(path: Sequence[Any]) -> str:
    """A replace path (["global_secondary_index", 0, "name"]) as `global_secondary_index[0].name`."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


_REASONS = {
    "replace_because_tainted": "the resource is tainted",
    "replace_by_request": "requested with -replace",
}


def _replace_reason(change: Mapping[str, Any], entry: Mapping[str, Any]) -> str:
    """Why Terraform replaces: the attributes that force it (replace_paths) or the action_reason."""
    parts = []
    paths = [_path_text(p) for p in change.get("replace_paths") or [] if isinstance(p, list)]
    if paths:
        parts.append("forced by " + ", ".join(code(p) for p in paths))
    reason = _REASONS.get(str(entry.get("action_reason", "")))
    if reason:
        parts.append(reason)
    return "; ".join(parts)


def _change(entry: Mapping[str, Any]) -> Change | None:
    if entry.get("mode", "managed") != "managed":
        return None
    change = entry.get("change") or {}
    action = classify(change.get("actions") or [])
    if action in ("no-op", "read"):
        return None
    before, after = change.get("before"), change.get("after")
    attrs: list[str] = []
    if action in ("update", "replace"):
        unknown = change.get("after_unknown")
        if action == "replace" and isinstance(unknown, dict):
            # A new resource gets new computed values (arn, stream_arn, ...): only what was set matters.
            unknown = {k: v for k, v in unknown.items() if v is not True}
            before = {k: v for k, v in (before or {}).items() if change.get("after_unknown", {}).get(k) is not True}
        attrs = diff_attrs(
            before, after, unknown, change.get("before_sensitive", False), change.get("after_sensitive", False)
        )
    name = None
    if entry.get("type") == TABLE_TYPE:
        for body in (after, before):
            if isinstance(body, dict) and isinstance(body.get("name"), str):
                name = body["name"]
                break
    return Change(
        address=str(entry.get("address")),
        type=str(entry.get("type")),
        action=action,
        attrs=attrs,
        table_name=name,
        reason=_replace_reason(change, entry) if action == "replace" else "",
    )


def summarize(env: str, plan: Mapping[str, Any]) -> EnvPlan:
    """The parts of one env's plan JSON the comment shows."""
    changes = [c for c in (_change(e) for e in plan.get("resource_changes") or []) if c]
    drift = []
    for entry in plan.get("resource_drift") or []:
        c = _change(entry)
        if c:
            drift.append(c)
    warnings: list[str] = []
    if plan.get("errored"):
        warnings.append("The plan **errored**: the change list below may be incomplete.")
    for diag in plan.get("diagnostics") or []:
        severity = str(diag.get("severity", "warning")).lower()
        summary = str(diag.get("summary", "")).strip()
        detail = str(diag.get("detail", "")).strip().splitlines()
        text = esc(summary) + (f" — {esc(detail[0])}" if detail else "")
        warnings.append(f"{'**Error**' if severity == 'error' else 'Warning'}: {text}")
    return EnvPlan(env=env, changes=changes, drift=drift, warnings=warnings)


# --------------------------------------------------------------------------------------------
# rendering
# --------------------------------------------------------------------------------------------


def code(text: str) -> str:
    """An inline code span that plan content cannot break out of."""
    text = str(text).replace("`", "'").replace("\r", " ").replace("\n", " ")
    return f"`{text}`"


def esc(text: str) -> str:
    """Free text safe for Markdown+HTML (no tags, comments or entity tricks)."""
    return html.escape(str(text).replace("\r", " ").replace("\n", " "), quote=False)


def utf16_len(text: str) -> int:
    """Length as GitHub's API counts it (JavaScript string length), never below len(text)."""
    return len(text.encode("utf-16-le")) // 2


def _table_label(c: Change) -> str:
    if c.table_name:
        return f"{code(c.table_name)} ({code(c.address)})"
    return code(c.address)


_ORDER = {"replace": 0, "delete": 1, "update": 2, "create": 3}
_DRIFT_LABELS = {"update": "changed", "delete": "deleted", "create": "appeared", "replace": "changed"}


def _change_line(c: Change, drift: bool = False) -> str:
    label = (_DRIFT_LABELS if drift else LABELS).get(c.action, c.action)
    line = f"- {ICONS.get(c.action, '')} {label} {code(c.address)}"
    if c.reason:
        line += f" — {c.reason}"
    if c.attrs:
        line += ": " + "; ".join(c.attrs)
    return line


@dataclass
class _Caps:
    """How much of the cuttable lists to render (None = everything)."""

    details: int | None = None
    sections: int | None = None
    banner: int | None = None


@dataclass
class _Cut:
    """What the caps removed, for the truncation note."""

    details: dict[str, tuple[int, int]] = field(default_factory=dict)
    sections: dict[str, tuple[int, int]] = field(default_factory=dict)
    banner: tuple[int, int] | None = None

    def any(self) -> bool:
        return bool(self.details or self.sections or self.banner)


def _take(items: Sequence[str], cap: int | None) -> tuple[list[str], int]:
    if cap is None or len(items) <= cap:
        return list(items), 0
    return list(items[:cap]), len(items) - cap


def _banner(plans: Sequence[EnvPlan], cap: int | None, cut: _Cut) -> list[str]:
    losses = [(p.env, c) for p in plans for c in p.data_loss]
    if not losses:
        return []
    lines = [
        "> [!CAUTION]",
        f"> **DATA LOSS: this plan destroys or replaces {len(losses)} DynamoDB "
        f"table{'s' if len(losses) != 1 else ''}.** Every item in "
        f"{'them' if len(losses) != 1 else 'it'} is deleted; a replacement starts empty.",
        "> Do not merge unless that is intended and a backup or export exists.",
        ">",
    ]
    items = [
        f"> - {code(env)}: {LABELS[c.action]} {_table_label(c)}" + (f" — {c.reason}" if c.reason else "")
        for env, c in losses
    ]
    shown, hidden = _take(items, cap)
    lines += shown
    if hidden:
        lines.append(f"> - … and {hidden} more (cut to fit the comment limit)")
        cut.banner = (hidden, len(items))
    return [*lines, ""]


def _summary(plans: Sequence[EnvPlan]) -> list[str]:
    lines = ["| env | add | change | destroy | replace | drift | |", "|---|---:|---:|---:|---:|---:|---|"]
    for p in plans:
        if p.data_loss:
            status = "🔴 table data loss"
        elif p.warnings:
            status = "⚠️ see warnings"
        elif not p.has_changes:
            status = "no changes"
        else:
            status = ""
        lines.append(
            f"| {code(p.env)} | {p.count('create')} | {p.count('update')} | {p.count('delete')} "
            f"| {p.count('replace')} | {len(p.drift)} | {status} |"
        )
    lines.append("")
    lines.append(
        "_add / change / destroy count resources; a replacement (destroy, then create) is counted only under replace._"
    )
    return [*lines, ""]


def _env_section(p: EnvPlan, caps: _Caps, cut: _Cut) -> list[str]:
    if not p.has_changes and not p.drift and not p.warnings:
        return [f"**{code(p.env)}**: no changes.", ""]
    lines = [f"### {code(p.env)}", ""]
    for warning in p.warnings:
        lines.append(f"> [!WARNING]\n> {warning}")
        lines.append("")
    if not p.has_changes:
        lines += ["No changes planned.", ""]
    tables = p.tables_in_place
    if tables:
        items = []
        for c in tables:
            attrs = "; ".join(c.attrs) if c.attrs else "no attribute-level difference shown"
            items.append(f"- {_table_label(c)}: {attrs}")
        shown, hidden = _take(items, caps.sections)
        lines += [f"**Tables changed in place ({len(tables)}):**", "", *shown]
        if hidden:
            lines.append(f"- … {hidden} more not shown (comment limit)")
            cut.sections[f"{p.env} tables"] = (hidden, len(items))
        lines.append("")
    if p.drift:
        items = [_change_line(c, drift=True) for c in p.drift]
        shown, hidden = _take(items, caps.sections)
        lines += [
            f"**⚠️ Drift — changed outside Terraform ({len(p.drift)}):** the plan will set these back "
            f"unless the code is updated to match.",
            "",
            *shown,
        ]
        if hidden:
            lines.append(f"- … {hidden} more not shown (comment limit)")
            cut.sections[f"{p.env} drift"] = (hidden, len(items))
        lines.append("")
    # Most destructive first, so a cut list still shows what matters (stable within each action).
    changes = sorted(p.changes, key=lambda c: _ORDER.get(c.action, len(_ORDER)))
    if changes:
        items = [_change_line(c) for c in changes]
        shown, hidden = _take(items, caps.details)
        heading = f"All {len(changes)} planned changes" if len(changes) != 1 else "The 1 planned change"
        lines += ["<details>", f"<summary>{heading} in {esc(p.env)}</summary>", "", *shown]
        if hidden:
            lines.append(f"- … {hidden} more not shown (comment limit)")
            cut.details[p.env] = (hidden, len(items))
        lines += ["", "</details>", ""]
    return lines


def _truncation_note(cut: _Cut, limit: int) -> list[str]:
    parts = []
    if cut.banner:
        parts.append(f"{cut.banner[0]} of {cut.banner[1]} data-loss entries")
    for what, (hidden, total) in {**cut.details, **cut.sections}.items():
        label = f"{what} change list" if what in cut.details else what
        parts.append(f"{hidden} of {total} entries of the {label}")
    return [
        f"> [!NOTE]\n> ✂️ This comment was shortened to fit GitHub's {limit:,}-character limit: "
        f"cut {'; '.join(parts)}. Summary and data-loss banner are complete"
        f"{'' if not cut.banner else ' except where noted'}; the full plans are in the workflow run's "
        f"artifacts (or run `tablekit comment` locally).",
        "",
    ]


def _render(plans: Sequence[EnvPlan], title: str, caps: _Caps, limit: int) -> tuple[str, _Cut]:
    cut = _Cut()
    lines = [MARKER, f"## {esc(title)}", ""]
    lines += _banner(plans, caps.banner, cut)
    lines += _summary(plans)
    for p in plans:
        lines += _env_section(p, caps, cut)
    if cut.any():
        lines += _truncation_note(cut, limit)
    return "\n".join(lines).rstrip() + "\n", cut


def _max_items(plans: Sequence[EnvPlan]) -> int:
    return max([len(p.changes) + len(p.drift) for p in plans] + [1])


def render_comment(plans: Sequence[EnvPlan], title: str = "Terraform plan", limit: int = GITHUB_COMMENT_LIMIT) -> str:
    """The whole comment, at most `limit` characters (UTF-16 units, as GitHub counts).

    Cuts in this order until it fits: the collapsible per-env change lists, then the in-place
    table and drift lists, and only as a last resort the list of tables in the banner (its
    headline always stays). Each cut is reported in a note at the end.
    """
    text, _ = _render(plans, title, _Caps(), limit)
    if utf16_len(text) <= limit:
        return text
    for level in ("details", "sections", "banner"):
        caps = _Caps(
            details=0, sections=0 if level in ("sections", "banner") else None, banner=0 if level == "banner" else None
        )
        smallest, _ = _render(plans, title, caps, limit)
        if utf16_len(smallest) > limit and level != "banner":
            continue  # cutting this level alone is not enough: cut it fully and go one level up
        lo, hi = 0, _max_items(plans)
        while lo < hi:  # the largest cap that still fits
            mid = (lo + hi + 1) // 2
            setattr(caps, level, mid)
            candidate, _ = _render(plans, title, caps, limit)
            if utf16_len(candidate) <= limit:
                lo = mid
            else:
                hi = mid - 1
        setattr(caps, level, lo)
        text, _ = _render(plans, title, caps, limit)
        if utf16_len(text) <= limit:
            return text
    # Pathological input (e.g. thousands of environments): hard cut, marker and banner first.
    suffix = "\n\n> [!NOTE]\n> ✂️ Cut at the comment limit.\n"
    budget = limit - utf16_len(suffix)
    while utf16_len(text) > budget:
        text = text[: max(0, len(text) - (utf16_len(text) - budget) - 1)]
    return text + suffix


def render(
    plans: Mapping[str, Mapping[str, Any]] | Iterable[tuple[str, Mapping[str, Any]]],
    title: str = "Terraform plan",
    limit: int = GITHUB_COMMENT_LIMIT,
) -> str:
    """Plan JSON dicts by environment name -> the comment Markdown."""
    items = plans.items() if isinstance(plans, Mapping) else plans
    return render_comment([summarize(env, plan) for env, plan in items], title=title, limit=limit)
