"""Adapt a staged copy of the Terraform code to the provider in use (the pinned offline one).

The committed modules target the current AWS provider (hashicorp/aws 6.x). The offline toolchain
runs hashicorp/aws 3.39.0 as a test double, which rejects every argument it does not know. Before
a pinned run (tests, `setup`, offline plans) the harness therefore adapts the *staged copy*
(`tablekit.staging.copies`), never the repository:

1. every argument and nested block the pinned provider's own schema (`terraform providers schema
   -json`, cached by `tablekit.staging.schemas`) does not know is deleted, with its file:line;
2. `required_providers` constraints are relaxed to admit the pinned provider;
3. what was removed is reported once per run (stderr for the CLI, the pytest summary for tests),
   so a modern-only setting such as deletion protection in `local` is never dropped silently.

Anything the pinned provider lacks that cannot simply be left out (an unknown resource type, or an
expression that reads an attribute the old provider does not have) stops the run with the file
and line instead: deleting it would change what the rest of the code means.

A real account never reaches this module: its staged copy is the code as committed
(tablekit.staging.copies.as_committed, chosen by tablekit.terraform.toolchain.for_account).
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tablekit.errors import UserError
from tablekit.staging.removals import Adaptation, Finding, Relaxation, record
from tablekit.staging.schemas import Block, ProviderSchema
from tablekit.terraform import hclscan

# Terraform's own meta-arguments: valid whatever the provider.
RESOURCE_META = {"count", "for_each", "provider", "depends_on"}
RESOURCE_META_BLOCKS = {"lifecycle", "provisioner", "connection"}
PROVIDER_META = {"alias", "version"}
DYNAMIC_META = {"for_each", "iterator", "labels"}

_REFERENCE = re.compile(
    r"(?<![\w.\"])(data\.)?(aws_[a-z0-9_]+)\.([A-Za-z_][\w-]*)((?:\[[^\]\[]*\])?)\.([a-z_][a-z0-9_]*)"
)
_VERSION_ARG = re.compile(r'(version\s*=\s*)"([^"]*)"')

# The one variable the harness sets for pinned runs, as the default of that variable in every
# staged root and module: hashicorp/aws 3.39 validates Lambda runtimes against its 2021 list, whose
# newest Python is python3.8 (the committed default is a current one).
PINNED_VARIABLES: dict[str, object] = {"lambda_runtime": "python3.8"}


def _walk_body(
    items: Iterable[hclscan.Item],
    block: Block,
    ctx: dict[str, Any],
    prefix: str,
    meta: set[str],
    meta_blocks: set[str],
) -> Iterator[Finding]:
    text = ctx["text"]
    for item in items:
        dotted = f"{prefix}{item.name}"
        if item.kind == "argument":
            if item.name in meta:
                continue
            attr = block.attributes.get(item.name)
            if attr is None or not attr.settable:
                yield _finding(ctx, item, "argument", dotted, "does not exist", hclscan.line_span(text, item))
            elif attr.deprecated:
                yield _finding(ctx, item, "argument", dotted, f"is deprecated: {attr.deprecated}")
            continue
        if item.name in meta_blocks:
            continue
        name, body = item.name, item.body
        if item.name == "dynamic" and item.labels:
            name = item.labels[0]
            dotted = f"{prefix}{name}"
            content = next(item.blocks("content"), None)
            body = content.body if content else ()
            for arg in item.body:
                if arg.kind == "argument" and arg.name not in DYNAMIC_META:
                    yield _finding(ctx, arg, "argument", f"{dotted}.{arg.name}", "is not a dynamic-block argument")
        nested = block.blocks.get(name)
        if nested is None:
            yield _finding(ctx, item, "block", dotted, "does not exist", hclscan.line_span(text, item))
            continue
        if nested.deprecated:
            yield _finding(ctx, item, "block", dotted, f"is deprecated: {nested.deprecated}")
        yield from _walk_body(body, nested, ctx, f"{dotted}.", set(), set())


def _finding(
    ctx: dict[str, Any], item: hclscan.Item, what: str, name: str, problem: str, span: tuple[int, int] | None = None
) -> Finding:
    return Finding(ctx["path"], item.line, ctx["owner"], ctx["address"], what, name, problem, span)


def _references(ctx: dict[str, Any], items: Iterable[hclscan.Item], schema: ProviderSchema) -> Iterator[Finding]:
    """Attributes read in expressions (`aws_x.name.attr`, `data.aws_y.name.attr`) that the schema lacks."""
    text: str = ctx["text"]
    for item in items:
        if item.kind == "block":
            yield from _references(ctx, item.body, schema)
            continue
        for m in _REFERENCE.finditer(item.value):
            is_data, kind, _name, _index, attr = m.groups()
            table = schema.data_sources if is_data else schema.resources
            block = table.get(kind)
            if block is None:
                continue  # the declaration itself is reported as an unknown type
            owner = f"{'data source' if is_data else 'resource'} {kind}"
            line = text.count("\n", 0, item.value_start + m.start()) + 1
            if attr in block.attributes or attr in block.blocks:
                found = block.attributes.get(attr)
                if found is not None and found.deprecated:
                    yield Finding(
                        ctx["path"], line, owner, m.group(0), "attribute", attr, f"is deprecated: {found.deprecated}"
                    )
                continue
            yield Finding(ctx["path"], line, owner, m.group(0), "attribute", attr, "does not exist")


def check_text(path: str, text: str, schema: ProviderSchema) -> list[Finding]:
    """Every argument, block, type and attribute reference of one .tf file the schema does not accept."""
    findings: list[Finding] = []
    items = hclscan.parse(text)
    for top in items:
        if top.kind != "block":
            continue
        ctx: dict[str, Any] = {"path": path, "text": text}
        if top.name in {"resource", "data"} and len(top.labels) == 2:
            kind, name = top.labels
            if not kind.startswith("aws_"):
                continue
            is_data = top.name == "data"
            table = schema.data_sources if is_data else schema.resources
            ctx["owner"] = f"{'data source' if is_data else 'resource'} {kind}"
            ctx["address"] = f"{'data.' if is_data else ''}{kind}.{name}"
            block = table.get(kind)
            if block is None:
                what = "data source" if is_data else "resource type"
                findings.append(Finding(path, top.line, ctx["owner"], ctx["address"], what, kind, "does not exist"))
                continue
            if block.deprecated:
                what = "data source" if is_data else "resource type"
                findings.append(
                    Finding(
                        path, top.line, ctx["owner"], ctx["address"], what, kind, f"is deprecated: {block.deprecated}"
                    )
                )
            meta = RESOURCE_META if not is_data else RESOURCE_META - {"lifecycle"}
            findings.extend(_walk_body(top.body, block, ctx, "", meta, RESOURCE_META_BLOCKS))
        elif top.name == "provider" and top.labels == ("aws",):
            ctx["owner"], ctx["address"] = "provider aws", "provider.aws"
            findings.extend(_walk_body(top.body, schema.provider, ctx, "", PROVIDER_META, set()))
        else:
            continue
    ctx = {"path": path, "text": text}
    findings.extend(_references(ctx, items, schema))
    return findings


def tf_files(root: Path) -> list[Path]:
    """Every .tf file under root (sorted, Terraform's working directories excluded)."""
    return sorted(p for p in root.rglob("*.tf") if ".terraform" not in p.relative_to(root).parts)


def check_tree(root: Path, schema: ProviderSchema) -> list[Finding]:
    """check_text over every .tf file below root; paths in findings are relative to root."""
    findings: list[Finding] = []
    for path in tf_files(root):
        findings.extend(check_text(path.relative_to(root).as_posix(), path.read_text(), schema))
    return findings


# --- adapting a staged copy ---------------------------------------------------------------------


def strip_text(path: str, text: str, schema: ProviderSchema) -> tuple[str, list[Finding]]:
    """Delete every argument/block the schema does not know; other findings are fatal."""
    findings = [f for f in check_text(path, text, schema) if not f.problem.startswith("is deprecated")]
    fatal = [f for f in findings if not f.strippable]
    if fatal:
        raise UserError(
            f"the offline provider ({schema.label}) cannot run this code, and leaving it out would change its meaning: "
            + "; ".join(f.message(schema.label) for f in fatal)
        )
    # Outermost first, so a removed block's own unknown children are not reported twice.
    removals: list[Finding] = []
    for f in sorted(findings, key=lambda f: (f.span or (0, 0))[0]):
        assert f.span is not None
        if removals and removals[-1].span and f.span[0] < removals[-1].span[1]:
            continue
        removals.append(f)
    for f in sorted(removals, key=lambda f: (f.span or (0, 0))[0], reverse=True):
        assert f.span is not None
        text = text[: f.span[0]] + text[f.span[1] :]
    return text, removals


def relax_text(path: str, text: str, version: str) -> tuple[str, list[Relaxation]]:
    """Set the aws entry of every required_providers block to the pinned version."""
    matches: list[re.Match[str]] = []
    for top in hclscan.parse(text):
        if top.kind != "block" or top.name != "terraform":
            continue
        for req in top.blocks("required_providers"):
            aws = req.argument("aws")
            m = _VERSION_ARG.search(text, aws.start, aws.end) if aws else None
            if m and m.group(2) != version:
                matches.append(m)
    relaxed = [
        Relaxation(path, text.count("\n", 0, m.start()) + 1, f"aws version {m.group(2)!r}", repr(version))
        for m in matches
    ]
    for m in reversed(matches):
        text = text[: m.start(2)] + version + text[m.end(2) :]
    return text, relaxed


def pin_defaults_text(path: str, text: str, values: Mapping[str, object]) -> tuple[str, list[Relaxation]]:
    """Set the default of every `variable` named in values (PINNED_VARIABLES) to the pinned value."""
    import json

    edits: list[tuple[hclscan.Item, str]] = []
    for top in hclscan.parse(text):
        if top.kind == "block" and top.name == "variable" and top.labels and top.labels[0] in values:
            default = top.argument("default")
            new = json.dumps(values[top.labels[0]])
            if default is not None and default.value != new:
                edits.append((default, new))
    pinned = [Relaxation(path, d.line, f"{d.value} (default)", new) for d, new in edits]
    for default, new in sorted(edits, key=lambda e: e[0].value_start, reverse=True):
        text = text[: default.value_start] + new + text[default.end :]
    return text, pinned


# --- the double's Terraform: required_version and `moved` blocks (issue 20) ---------------------


@dataclass(frozen=True)
class MovedBlock:
    """One `moved { from = A  to = B }` of the committed code, relative to its module directory."""

    path: str  # file relative to the tree root, e.g. modules/university/moved.tf
    line: int
    source: str
    destination: str

    @property
    def module_dir(self) -> str:
        return Path(self.path).parent.as_posix()


def relax_required_version_text(path: str, text: str, version: str) -> tuple[str, list[Relaxation]]:
    """Admit the double's Terraform in every `terraform { required_version }` (the committed floor is
    a current Terraform's; the double runs 1.0.3 on a staged copy)."""
    edits: list[hclscan.Item] = []
    new = f'">= {version}"'
    for top in hclscan.parse(text):
        if top.kind == "block" and top.name == "terraform":
            found = top.argument("required_version")
            if found is not None and found.value.strip() != new:
                edits.append(found)
    relaxed = [Relaxation(path, item.line, f"required_version {item.value.strip()}", new) for item in edits]
    for item in sorted(edits, key=lambda i: i.value_start, reverse=True):
        text = text[: item.value_start] + new + text[item.end :]
    return text, relaxed


def moved_blocks_text(path: str, text: str) -> list[MovedBlock]:
    """The `moved` blocks of one file (from/to as written: resource or module addresses)."""
    found: list[MovedBlock] = []
    for top in hclscan.parse(text):
        if top.kind == "block" and top.name == "moved" and not top.labels:
            source, destination = top.argument("from"), top.argument("to")
            if source is None or destination is None:
                raise UserError(f"{path}:{top.line}: a moved block needs both `from` and `to`")
            found.append(MovedBlock(path, top.line, source.value.strip(), destination.value.strip()))
    return found


def strip_moved_text(path: str, text: str) -> tuple[str, list[Relaxation]]:
    """Delete every `moved` block (Terraform 1.0 does not know them); tablekit.upgrade.migrations turns them
    into the equivalent `terraform state mv` lines for the project's own envs (moved_moves)."""
    blocks = [t for t in hclscan.parse(text) if t.kind == "block" and t.name == "moved" and not t.labels]
    removed = []
    for block in sorted(blocks, key=lambda b: b.start, reverse=True):
        start, end = hclscan.line_span(text, block)
        removed.append(Relaxation(path, block.line, "moved block", "terraform state mv (tablekit.upgrade.migrations)"))
        text = text[:start] + text[end:]
    return text, sorted(removed, key=lambda r: r.line)


def moved_blocks(root: Path) -> list[MovedBlock]:
    """Every `moved` block of the committed code below root (modules/ and envs/)."""
    found: list[MovedBlock] = []
    for tree in ("modules", "envs"):
        if (root / tree).is_dir():
            for path in tf_files(root / tree):
                text = path.read_text()
                if "moved" in text:
                    found.extend(moved_blocks_text(path.relative_to(root).as_posix(), text))
    return found


def adapt_language(path: str, text: str, version: str) -> tuple[str, list[Relaxation]]:
    """The language side of adapting a file to the double: required_version relaxed, moved blocks out."""
    text, relaxed = relax_required_version_text(path, text, version)
    text, stripped = strip_moved_text(path, text)
    return text, relaxed + stripped


_MEMO: dict[tuple[str, str, str], tuple[str, list[Finding], list[Relaxation]]] = {}


def adapt(root: Path, schema: ProviderSchema) -> Adaptation:
    """Adapt every .tf file below a staged root in place (see the module docstring)."""
    started = time.perf_counter()
    result = Adaptation(root=root, schema_label=schema.label)
    result.removals.extend(drop_unknown_types(root, schema))
    for file in tf_files(root):
        rel = file.relative_to(root).as_posix()
        text = file.read_text()
        key = (rel, hashlib.sha256(text.encode()).hexdigest(), schema.label)
        if key not in _MEMO:
            stripped, removals = strip_text(rel, text, schema)
            relaxed, relaxations = relax_text(rel, stripped, schema.version)
            pinned_text, pinned = pin_defaults_text(rel, relaxed, PINNED_VARIABLES)
            from tablekit.terraform.toolchain import TERRAFORM_VERSION

            language_text, language = adapt_language(rel, pinned_text, TERRAFORM_VERSION)
            _MEMO[key] = (language_text, removals, relaxations + pinned + language)
        new_text, removals, relaxations = _MEMO[key]
        if new_text != text:
            file.write_text(new_text)
        result.removals.extend(removals)
        result.relaxations.extend(relaxations)
    result.seconds = time.perf_counter() - started
    record(result)
    return result


# --- resource types the pinned provider lacks (issue 22) -----------------------------------------


def drop_unknown_types(root: Path, schema: ProviderSchema) -> list[Finding]:
    """Delete resources and data sources whose type the pinned provider lacks; references read as [].

    Newer resource types (a resource policy, contributor insights, the region's table list) are
    off by default in the modules: their block carries `count` (or `for_each`), 0 unless an input
    asks for them. The double cannot even parse such a type, so the block is deleted from the
    staged copy and reported like a removed argument, and every reference to it in the same
    module, which must name the whole collection (`[for p in aws_x.this : p.id]`), reads as `[]`:
    exactly what count = 0 gives. A block without count/for_each, or a reference to one instance
    or attribute (`aws_x.this[0].id`), stays fatal: removing it would change what the code means.
    """
    dropped: list[Finding] = []
    files_by_dir: dict[Path, list[Path]] = {}
    for file in tf_files(root):
        files_by_dir.setdefault(file.parent, []).append(file)
    for files in files_by_dir.values():
        texts = {f.relative_to(root).as_posix(): f.read_text() for f in files}
        key = (schema.label, *sorted(f"{rel}:{hashlib.sha256(t.encode()).hexdigest()}" for rel, t in texts.items()))
        if key not in _DROP_MEMO:
            _DROP_MEMO[key] = _drop_in_directory(texts, schema)
        new_texts, found = _DROP_MEMO[key]
        for rel, text in new_texts.items():
            if text != texts[rel]:
                (root / rel).write_text(text)
        dropped.extend(found)
    return dropped


_DROP_MEMO: dict[tuple[str, ...], tuple[dict[str, str], list[Finding]]] = {}


def _drop_in_directory(texts: dict[str, str], schema: ProviderSchema) -> tuple[dict[str, str], list[Finding]]:
    """drop_unknown_types for the files of one module directory (path => text); memoised by content."""
    found = [d for rel, text in texts.items() for d in _unknown_type_blocks(rel, text, schema)]
    out: dict[str, str] = {}
    ignored: list[Finding] = []
    for rel, text in texts.items():
        for f in sorted((d for d in found if d.path == rel), key=lambda d: (d.span or (0, 0))[0], reverse=True):
            assert f.span is not None  # blanked, not cut: later findings keep their line numbers
            text = text[: f.span[0]] + "\n" * text.count("\n", *f.span) + text[f.span[1] :]
        text = _empty_references(rel, text, [d.address for d in found], schema)
        out[rel], lost = _unknown_ignore_changes(rel, text, schema)
        ignored.extend(lost)
    return out, ignored + found


def _unknown_ignore_changes(path: str, text: str, schema: ProviderSchema) -> tuple[str, list[Finding]]:
    """Remove names the pinned schema lacks from `lifecycle { ignore_changes = [...] }`.

    Terraform checks every ignore_changes entry against the provider's schema, so ignoring a
    creation-only argument (import_table, restore_*) the double does not have would stop the run;
    the argument itself is stripped anyway, so ignoring it is moot there.
    """
    edits: list[tuple[hclscan.Item, str, list[str], tuple[str, ...]]] = []
    for top in hclscan.parse(text):
        if top.kind != "block" or top.name != "resource" or len(top.labels) != 2:
            continue
        block = schema.resources.get(top.labels[0])
        for lifecycle in top.blocks("lifecycle") if block else ():
            arg = lifecycle.argument("ignore_changes")
            names = re.findall(r"[A-Za-z_][\w-]*", arg.value) if arg and arg.value.strip().startswith("[") else []
            unknown = [n for n in names if block and n not in block.attributes and n not in block.blocks]
            if arg and unknown:
                edits.append((arg, "[" + ", ".join(n for n in names if n not in unknown) + "]", unknown, top.labels))
    found: list[Finding] = []
    for arg, new, _unknown, _labels in sorted(edits, key=lambda e: e[0].value_start, reverse=True):
        text = text[: arg.value_start] + new + text[arg.value_start + len(arg.value) :]
    for arg, _new, unknown, (kind, name) in edits:
        found += [
            Finding(
                path,
                arg.line,
                f"resource {kind}",
                f"{kind}.{name}",
                "argument",
                f"lifecycle.ignore_changes[{n}]",
                "does not exist",
            )
            for n in unknown
        ]
    return text, found


def _unknown_type_blocks(path: str, text: str, schema: ProviderSchema) -> list[Finding]:
    """Top-level resource/data blocks of a type the schema lacks that are off by default (count/for_each)."""
    out: list[Finding] = []
    for top in hclscan.parse(text):
        if top.kind != "block" or top.name not in {"resource", "data"} or len(top.labels) != 2:
            continue
        kind, name = top.labels
        is_data = top.name == "data"
        if not kind.startswith("aws_") or kind in (schema.data_sources if is_data else schema.resources):
            continue
        if top.argument("count") is None and top.argument("for_each") is None:
            continue  # check_text reports it as fatal, with file and line
        what, prefix = ("data source", "data.") if is_data else ("resource type", "")
        owner = f"{'data source' if is_data else 'resource'} {kind}"
        out.append(
            Finding(
                path,
                top.line,
                owner,
                f"{prefix}{kind}.{name}",
                what,
                kind,
                "does not exist",
                hclscan.line_span(text, top),
            )
        )
    return out


def _empty_references(path: str, text: str, addresses: list[str], schema: ProviderSchema) -> str:
    """Replace whole-collection references to dropped blocks by `[]`; any other reference is fatal."""
    for address in addresses:
        pattern = re.compile(r"(?<![\w.\"])" + re.escape(address) + r"(?![\w-])")
        for m in reversed(list(pattern.finditer(text))):
            rest = text[m.end() :].lstrip(" \t")
            if rest[:1] in {".", "["}:
                line = text.count("\n", 0, m.start()) + 1
                raise UserError(
                    f"the offline provider ({schema.label}) cannot run this code: {path}:{line} reads one instance "
                    f"or attribute of {address}, whose type it lacks; read the whole collection instead "
                    f"(e.g. [for x in {address} : x.id]), which the staged copy turns into []"
                )
            text = text[: m.start()] + "[]" + text[m.end() :]
    return text


# --- reporting once per run ---------------------------------------------------------------------


# --- the one entry point for harness runs ------------------------------------------------------


def prepare(root: Path) -> Adaptation | None:
    """Make a staged copy runnable by the offline double (only copies for the double get here).

    Generated local provider files are regenerated for the pinned provider first (its spellings and
    start-up flags), then everything the pinned schema does not know is stripped.
    """
    from tablekit.staging import providers, schemas

    schema = schemas.pinned()
    providers.regenerate(root, schema)
    return adapt(root, schema)
