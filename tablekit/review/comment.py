"""Render the plans of several environments into one sticky PR comment (GitHub Markdown).

Why a renderer of our own instead of pasting `terraform plan` output: a reviewer of a table change
needs to see at once whether anything loses data, what changes per environment, and what
Terraform will do besides changing values (imports, moves, objects it forgets). Raw plan text
buries that under computed attributes and is cut by GitHub's 65,536-character limit at an
arbitrary byte. Here the banner, the summary and every destroy are always kept; when the comment
is too long, updates are cut first (then creates, drift, other lines), and a note says how many.

The comment is a security boundary (a PR author chooses every value in the plan):

- every plan value reaches it as a ``redact.Display``, masked by its sensitivity marks and cleaned
  of the plan's known secrets (``redact.Masker``);
- every line is ``markdown.Md``, built from template literals and ``markdown.code`` spans of
  Display values, so plan text cannot add links, mentions, HTML, or a second hidden marker;
- nothing from a plan is written inside the HTML blocks (``<details>``/``<summary>``), where
  Markdown escaping would not apply.

The comment starts with a hidden marker so CI finds and edits its own earlier comment. Output
is deterministic: changes are sorted by address, keys by name, so an unchanged plan gives a
byte-identical comment. Standard library only (CI renders it from a bare checkout).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from tablekit.review import redact
from tablekit.review.markdown import Md, code, fmt, join, link, lit, number, ours, plural, table_row, utf16_len
from tablekit.review.views import EnvView, summarize
from tablekit.terraform.plan import Plan

MARKER = "<!-- tablekit-plan-comment -->"
GITHUB_COMMENT_LIMIT = 65_536
LABEL_DESTROYS_DATA = "destroys-data"
_LABEL_CODE = "`destroys-data`"
OPEN_DETAILS_UP_TO = 15


# --------------------------------------------------------------------------------------------
# inputs besides plans
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# one env
# --------------------------------------------------------------------------------------------


_STATUS: Mapping[str, Md] = {
    "failed": lit("❌ plan failed"),
    "data-loss": lit("🔴 **data loss**"),
    "errored": lit("⚠️ plan errored"),
    "destroys": lit("⚠️ destroys"),
    "changes": lit("changes"),
    "no-changes": lit("no changes"),
}


# --------------------------------------------------------------------------------------------
# the comment
# --------------------------------------------------------------------------------------------

# What truncation cuts, in this order; destroys and the banner are never cut (only shortened).
CUT_ORDER = ("updates", "creates", "drift", "others")
_CUT_NAMES: Mapping[str, tuple[Md, Md]] = {
    "updates": (lit("update"), lit("updates")),
    "creates": (lit("create"), lit("creates")),
    "drift": (lit("drift entry"), lit("drift entries")),
    "others": (lit("import, move or output line"), lit("import, move or output lines")),
}


@dataclass
class _Layout:
    caps: dict[str, int | None] = field(default_factory=lambda: dict.fromkeys(CUT_ORDER))
    short: bool = False


@dataclass(frozen=True)
class Options:
    """What the workflow adds around the plans."""

    title: str = "Terraform plan"
    run_url: str | None = None
    report_url: str | None = None
    limit: int = GITHUB_COMMENT_LIMIT


def _count_cell(view: EnvView, n: int) -> Md:
    return lit("—") if view.failure is not None else number(n)


def _other_cell(view: EnvView) -> Md:
    if view.failure is not None:
        return lit("—")
    c = view.counts
    parts = [
        fmt("{} {}", number(n), word)
        for n, word in (
            (c.imports, lit("import")),
            (c.moves, lit("move")),
            (c.forget, lit("forget")),
            (view.outputs, lit("output")),
        )
        if n
    ]
    return join(", ", parts) if parts else lit("—")


def _policy_cell(view: EnvView, options: Options) -> Md:
    p = view.policy
    if p is None:
        return lit("—")
    text = lit("✅ 0 failed") if p.failed == 0 else fmt("❌ {} failed", number(p.failed))
    if p.failed and p.check_ids:
        ids = [code(redact.text(i)) for i in p.check_ids[:3]]
        more = fmt(" +{}", number(len(p.check_ids) - 3)) if len(p.check_ids) > 3 else lit("")
        text = fmt("{}: {}{}", text, join(", ", ids), more)
    url = options.report_url or (f"{options.run_url}#artifacts" if options.run_url else None)
    return fmt("{} ({})", text, link(lit("report"), url)) if url else text


def _banner(views: Sequence[EnvView], short: bool) -> list[Md]:
    lines = [line for v in views for line in (v.loss_lines_short if short else v.loss_lines)]
    if not lines:
        return []
    return [
        lit("> [!CAUTION]"),
        fmt(
            "> **🔴 Data loss: applying this plan loses data in {}.** Do not merge unless that is intended "
            "and a backup or export exists.",
            plural(len(lines), "place"),
        ),
        lit(">"),
        *lines,
        lit(""),
    ]


def _summary(views: Sequence[EnvView], options: Options) -> list[Md]:
    lines = [
        lit("| env | add | change | destroy | replace | other | drift | policy | status |"),
        lit("|---|---:|---:|---:|---:|---|---:|---|---|"),
    ]
    for v in views:
        c = v.counts
        lines.append(
            table_row(
                [
                    v.label,
                    _count_cell(v, c.create),
                    _count_cell(v, c.update),
                    _count_cell(v, c.delete),
                    _count_cell(v, c.replace),
                    _other_cell(v),
                    _count_cell(v, len(v.drift)),
                    _policy_cell(v, options),
                    _STATUS[v.status],
                ]
            )
        )
    lines.append(lit(""))
    lines.append(
        lit(
            "_add / change / destroy count resources; a replacement (destroy, then create) is counted only "
            "under replace._"
        )
    )
    extras: list[Md] = []
    if options.run_url:
        extras.append(link(lit("Workflow run"), options.run_url))
    if any(v.loss_lines for v in views):
        extras.append(fmt("suggested label: {}", lit(_LABEL_CODE)))
    if extras:
        lines += [lit(""), join(" · ", extras)]
    return [*lines, lit("")]


def _capped(items: list[Md], cap: int | None, what: str, cut: dict[str, list[int]]) -> list[Md]:
    """The first `cap` items and a note for the rest (counted in `cut` for the truncation note)."""
    if cap is None or len(items) <= cap:
        return items
    hidden = len(items) - cap
    totals = cut.setdefault(what, [0, 0])
    totals[0] += hidden
    totals[1] += len(items)
    one, many = _CUT_NAMES[what]
    note = fmt("- ✂️ … {} more {} not shown (comment limit)", number(hidden), one if hidden == 1 else many)
    return [*items[:cap], note]


def _env_section(v: EnvView, layout: _Layout, options: Options, cut: dict[str, list[int]]) -> list[Md]:
    if v.failure is not None:
        lines = [fmt("### {} ❌ plan failed", v.label), lit(""), fmt("First error: {}", v.failure)]
        if options.run_url:
            lines.append(fmt("— see the {} for the full log.", link(lit("workflow run"), options.run_url)))
        return [*lines, lit("")]
    quiet = (
        fmt("_{} read back with provider-side differences; no action planned._", plural(v.drift_quiet, "object"))
        if v.drift_quiet
        else None
    )
    empty = not (v.destroys or v.others or v.updates or v.creates or v.drift or v.warnings)
    if empty and not v.has_changes:
        line = fmt("**{}**: no changes.", v.label)
        return [fmt("{} {}", line, quiet) if quiet else line, lit("")]
    lines = [fmt("### {} — {}", v.label, ours(v.counts.line())), lit("")]
    for warning in v.warnings:
        lines += [lit("> [!WARNING]"), fmt("> {}", warning), lit("")]
    if v.destroys:
        items = v.destroys
        if layout.short:
            items = list(v.destroys_short)
            if v.loss_destroys:
                items.insert(
                    0,
                    fmt(
                        "- 🔴 {} that lose data: each is listed in the banner above", plural(v.loss_destroys, "destroy")
                    ),
                )
        lines += [fmt("**Destroyed, replaced or forgotten ({}):**", number(len(v.destroys))), lit(""), *items, lit("")]
    others = _capped(v.others, layout.caps["others"], "others", cut)
    if others:
        lines += [fmt("**Imports, moves and outputs ({}):**", number(len(v.others))), lit(""), *others, lit("")]
    drift = _capped(v.drift, layout.caps["drift"], "drift", cut)
    if drift:
        lines += [
            fmt(
                "**⚠️ Drift — changed outside Terraform ({}):** the plan sets these back unless the code is "
                "updated to match.",
                number(len(v.drift)),
            ),
            lit(""),
            *drift,
            lit(""),
        ]
    if quiet:
        lines += [quiet, lit("")]
    body = list(_capped(v.updates, layout.caps["updates"], "updates", cut))
    body += _capped(v.creates, layout.caps["creates"], "creates", cut)
    if body:
        heading = join(
            " and ",
            [plural(n, w) for n, w in ((len(v.updates), "update"), (len(v.creates), "create")) if n],
        )
        # A short list is open by default: collapsing three lines only hides them.
        opening = lit("<details open>") if len(body) <= OPEN_DETAILS_UP_TO else lit("<details>")
        lines += [
            opening,
            fmt("<summary>{}</summary>", heading),
            lit(""),
            *body,
            lit(""),
            lit("</details>"),
            lit(""),
        ]
    return lines


def _truncation_note(cut: Mapping[str, list[int]], layout: _Layout, limit: int) -> list[Md]:
    parts = []
    for what in CUT_ORDER:
        if what in cut:
            hidden, total = cut[what]
            parts.append(fmt("{} of {} {}", number(hidden), number(total), _CUT_NAMES[what][1]))
    if layout.short:
        parts.append(lit("attribute details of destroys and banner entries"))
    return [
        lit("> [!NOTE]"),
        fmt(
            "> ✂️ Shortened to fit GitHub's {}-character limit: cut {}. The banner, the summary and every destroy are "
            "listed in full; the complete plans are in the workflow run's artifacts.",
            number(limit),
            join("; ", parts),
        ),
        lit(""),
    ]


def _assemble(views: Sequence[EnvView], options: Options, layout: _Layout) -> str:
    cut: dict[str, list[int]] = {}
    lines: list[Md] = [lit(MARKER), fmt("## {}", ours(options.title)), lit("")]
    lines += _banner(views, layout.short)
    lines += _summary(views, options)
    for v in views:
        lines += _env_section(v, layout, options, cut)
    if cut or layout.short:
        lines += _truncation_note(cut, layout, options.limit)
    return "\n".join(lines).rstrip() + "\n"


def _largest(views: Sequence[EnvView], options: Options, layout: _Layout, what: str) -> None:
    """Set layout.caps[what] to the largest per-env count that still fits."""
    lo, hi = 0, max((len(getattr(v, what)) for v in views), default=0)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        layout.caps[what] = mid
        if utf16_len(_assemble(views, options, layout)) <= options.limit:
            lo = mid
        else:
            hi = mid - 1
    layout.caps[what] = lo


def render_views(views: Sequence[EnvView], options: Options = Options()) -> str:
    """The whole comment, at most options.limit UTF-16 units (as GitHub counts).

    Cuts, until it fits: updates, then creates, then drift, then import/move/output lines (each
    down to the largest count per env that fits); then drops attribute details of destroys and
    banner entries. Destroys and banner entries themselves are never dropped.
    """
    layout = _Layout()
    text = _assemble(views, options, layout)
    if utf16_len(text) <= options.limit:
        return text
    for what in CUT_ORDER:
        layout.caps[what] = 0
        if utf16_len(_assemble(views, options, layout)) <= options.limit:
            _largest(views, options, layout, what)
            return _assemble(views, options, layout)
    layout.short = True
    text = _assemble(views, options, layout)
    if utf16_len(text) <= options.limit:
        # The short destroy list freed room: give it back, most important list first.
        for what in reversed(CUT_ORDER):
            _largest(views, options, layout, what)
        return _assemble(views, options, layout)
    # More destroys than fit even one line each (thousands): keep the head, say what was cut.
    suffix = (
        "\n> [!NOTE]\n> ✂️ Cut at the comment limit: this plan has more destroys than one comment can list. "
        "The summary counts above are complete; see the workflow run's artifacts for every destroy.\n"
    )
    budget = options.limit - utf16_len(suffix)
    kept: list[str] = []
    used = 0
    for line in text.splitlines():
        size = utf16_len(line) + 1
        if used + size > budget:
            break
        kept.append(line)
        used += size
    return "\n".join(kept) + "\n" + suffix


def summary_json(views: Sequence[EnvView]) -> dict[str, Any]:
    """Machine-readable summary for the workflow: labels to apply and counts per env (no plan values)."""
    envs: dict[str, Any] = {}
    for v in views:
        c = v.counts
        envs[v.env] = {
            "status": v.status,
            "create": c.create,
            "update": c.update,
            "delete": c.delete,
            "replace": c.replace,
            "import": c.imports,
            "move": c.moves,
            "forget": c.forget,
            "outputs": v.outputs,
            "drift": len(v.drift),
            "data_loss": sorted(set(v.loss_addresses)),
            "policy_failed": v.policy.failed if v.policy else None,
        }
    labels = [LABEL_DESTROYS_DATA] if any(v.loss_lines for v in views) else []
    return {"labels": labels, "data_loss": sum(len(v.loss_lines) for v in views), "envs": envs}


def render(
    plans: Mapping[str, Plan | Mapping[str, Any]] | Iterable[tuple[str, Plan | Mapping[str, Any]]],
    title: str = "Terraform plan",
    limit: int = GITHUB_COMMENT_LIMIT,
    run_url: str | None = None,
) -> str:
    """Plans (parsed or plan JSON dicts) by env name -> the comment Markdown."""
    items = plans.items() if isinstance(plans, Mapping) else plans
    views = [summarize(env, plan) for env, plan in items]
    return render_views(views, Options(title=title, limit=limit, run_url=run_url))
