"""State migrations: the `terraform state mv` lines a release ships, and applying them to an env's state.

Why this exists: Terraform 1.0 has no `moved` blocks, so a changed resource address (a rename, a
`count` -> `for_each` refactor, a resource moved into a module) plans a destroy of the object at
the old address and a create at the new one -- for a table, every item is lost. A change of
address therefore ships with its migration: `migrations/vX.Y.Z.txt` for a release (the changes of
the next release collect in `migrations/unreleased.txt`), one move per line, written exactly as an
operator would type it:

    # why the addresses changed (commit, envs affected)
    terraform state mv 'module.a.aws_x.old[0]' 'module.a.aws_x.new["key"]'

Applying is idempotent and all-or-nothing in its checks: every line is first simulated against the
env's current state (`state list`), so a re-run after a failure, or an env that never had the old
address (local has no alarms), simply skips lines. A line whose source *and* destination both exist
is a conflict that stops the run before anything moves. The state is pulled into a backup file
before the first move.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tablekit.errors import OperationFailed, UserError
from tablekit.paths import ROOT
from tablekit.terraform.runner import Terraform
from tablekit.upgrade import releases

DIRECTORY = "migrations"
UNRELEASED = "unreleased"
_FILE_NAME = re.compile(r"^(?P<name>v\d+\.\d+\.\d+|unreleased)\.txt$")

# One address step: `module.NAME[KEY]` / `TYPE.NAME[KEY]` / `data.TYPE.NAME[KEY]`; KEY is a number or a string.
_KEY = r'(\[(\d+|"(?:[^"\\]|\\.)*")\])?'
_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"
_MODULE_STEP = re.compile(rf"module\.{_NAME}{_KEY}")
_RESOURCE = re.compile(rf"(data\.)?(?P<type>[a-z][a-z0-9_]*)\.{_NAME}{_KEY}")


@dataclass(frozen=True)
class Move:
    """One `terraform state mv SOURCE DESTINATION` line."""

    source: str
    destination: str
    file: Path
    line: int

    @property
    def where(self) -> str:
        if self.file.suffix == ".tf":  # a `moved` block (moved_moves): modules/<name>/<file>.tf
            parts = self.file.parts
            at = max((i for i, part in enumerate(parts) if part in ("modules", "envs")), default=len(parts) - 1)
            return f"{Path(*parts[at:]).as_posix()}:{self.line} (moved block)"
        shown = self.file.relative_to(ROOT) if self.file.is_relative_to(ROOT) else Path(DIRECTORY) / self.file.name
        return f"{shown}:{self.line}"

    def command(self) -> str:
        return shlex.join(["terraform", "state", "mv", self.source, self.destination])


@dataclass(frozen=True)
class MigrationFile:
    name: str  # "v0.1.0" or "unreleased"
    path: Path
    moves: tuple[Move, ...]


def _address_kind(address: str) -> tuple[str, str | None] | None:
    """("module", None) or ("resource", TYPE) for a valid address, None for anything else."""
    rest = address
    while True:
        step = _MODULE_STEP.match(rest)
        if step is None:
            break
        if step.end() == len(rest):
            return ("module", None)
        if rest[step.end()] != ".":
            return None
        rest = rest[step.end() + 1 :]
    resource = _RESOURCE.fullmatch(rest)
    return ("resource", resource["type"]) if resource else None


def parse(text: str, path: Path) -> tuple[Move, ...]:
    """The moves of one migration file; every mistake is a UserError naming file:line and the fix."""
    moves: list[Move] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        where = f"{DIRECTORY}/{path.name}:{number}"
        try:
            words = shlex.split(raw, comments=True)
        except ValueError as exc:
            raise UserError(f"{where}: cannot read the line ({exc}): quote each address in single quotes") from None
        if not words:
            continue
        if words[:3] != ["terraform", "state", "mv"] or len(words) != 5:
            raise UserError(
                f"{where}: write `terraform state mv 'SOURCE' 'DESTINATION'` (one move per line, addresses in single "
                f"quotes, no options), not {raw.strip()!r}"
            )
        source, destination = words[3], words[4]
        kinds = []
        for label, address in (("source", source), ("destination", destination)):
            kind = _address_kind(address)
            if kind is None:
                raise UserError(
                    f"{where}: {label} {address!r} is not a Terraform address like "
                    f'module.estate.aws_cloudwatch_metric_alarm.name["key"]'
                )
            kinds.append(kind)
        if source == destination:
            raise UserError(f"{where}: source and destination are the same address; drop the line")
        if kinds[0] != kinds[1]:
            raise UserError(
                f"{where}: cannot move {source} to {destination}: a move keeps the kind and resource type "
                f"({kinds[0][1] or 'module'} vs {kinds[1][1] or 'module'})"
            )
        moves.append(Move(source=source, destination=destination, file=path, line=number))
    return tuple(moves)


def read_file(path: Path) -> MigrationFile:
    match = _FILE_NAME.match(path.name)
    if match is None:
        raise UserError(
            f"{DIRECTORY}/{path.name}: migration files are named after their release (vX.Y.Z.txt) or "
            f"{UNRELEASED}.txt; rename it"
        )
    return MigrationFile(name=match["name"], path=path, moves=parse(path.read_text(encoding="utf-8"), path))


def read_all(repo: Path = ROOT) -> dict[str, MigrationFile]:
    """Every migration file of a tree, by release name ("unreleased" included)."""
    directory = repo / DIRECTORY
    if not directory.is_dir():
        return {}
    found = {}
    for path in sorted(directory.iterdir()):
        if path.name.startswith(".") or path.name.lower() == "readme.md":
            continue
        migration = read_file(path)
        found[migration.name] = migration
    return found


def check_against(changelog: releases.Changelog, files: dict[str, MigrationFile]) -> None:
    """Every release file belongs to a CHANGELOG release (else it would never be selected)."""
    versions = {r.version for r in changelog.releases}
    for name, migration in files.items():
        if name != UNRELEASED and name not in versions:
            raise UserError(
                f"{DIRECTORY}/{migration.path.name}: no CHANGELOG.md section for {name}; add the release or rename "
                f"the file to {UNRELEASED}.txt"
            )


def select(repo: Path, changelog: releases.Changelog, since: str | None) -> list[MigrationFile]:
    """The migrations an env at commit `since` needs, in order: releases after it, then unreleased.

    `since=None` selects every release's file (an env whose release is unknown): safe because
    applying is idempotent, lines whose source is gone are skipped.
    """
    files = read_all(repo)
    check_against(changelog, files)
    if since is None:
        chosen = sorted(changelog.releases, key=lambda r: r.key)
    else:
        chosen = releases.released_after(repo, changelog, since)
    ordered = [files[r.version] for r in chosen if r.version in files]
    if UNRELEASED in files:
        ordered.append(files[UNRELEASED])
    return ordered


# ------------------------------------------------------------------------------------------------
# Simulating and applying
# ------------------------------------------------------------------------------------------------


class Outcome(StrEnum):
    MOVE = "move"
    DONE = "already moved"
    ABSENT = "not in this state"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class Step:
    move: Move
    outcome: Outcome
    instances: tuple[str, ...] = ()  # state addresses the move takes (MOVE) or finds at the destination (DONE)


def _covered(prefix: str, address: str) -> bool:
    """True when `address` is `prefix` itself or lies under it (an instance of a resource, a module's resource)."""
    return address == prefix or address.startswith((prefix + ".", prefix + "["))


def simulate(addresses: Sequence[str], files: Sequence[MigrationFile]) -> list[Step]:
    """What applying `files` in order to a state with `addresses` does, line by line (nothing is written)."""
    state = list(addresses)
    steps: list[Step] = []
    for migration in files:
        for move in migration.moves:
            taken = tuple(a for a in state if _covered(move.source, a))
            present = tuple(a for a in state if _covered(move.destination, a))
            if taken and present:
                steps.append(Step(move, Outcome.CONFLICT, taken + present))
            elif taken:
                steps.append(Step(move, Outcome.MOVE, taken))
                state = [move.destination + a[len(move.source) :] if a in taken else a for a in state]
            elif present:
                steps.append(Step(move, Outcome.DONE, present))
            else:
                steps.append(Step(move, Outcome.ABSENT))
    return steps


def render(steps: Sequence[Step], title: str) -> Table:
    table = Table(title=escape(title))
    for column in ("line", "from", "to", "result"):
        table.add_column(column, overflow="fold")
    for step in steps:
        style = {Outcome.MOVE: "bold", Outcome.CONFLICT: "bold red"}.get(step.outcome, "dim")
        cells = (step.move.where, step.move.source, step.move.destination)
        table.add_row(*(escape(c) for c in cells), f"[{style}]{step.outcome.value}[/]")
    return table


def _console() -> Console:
    return Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else 200)


def migrate(
    tf: Terraform,
    files: Sequence[MigrationFile],
    backup_dir: Path,
    *,
    dry_run: bool = False,
    label: str = "",
    console: Console | None = None,
) -> list[Step]:
    """Print the dry-run list, then (unless dry_run) back up the state and run every `move` line.

    `tf` must be initialised. Conflicts stop the run before the first move.
    """
    console = console or _console()
    steps = simulate(tf.state_list(), files)
    names = ", ".join(f.name for f in files) or "none"
    title = f"migrations {names}{f' ({label})' if label else ''}: " + (
        "dry run, nothing moved" if dry_run else "what will move"
    )
    if steps:
        console.print(render(steps, title))
    else:
        console.print(escape(f"{title.split(':')[0]}: no migration lines"))
    conflicts = [s for s in steps if s.outcome == Outcome.CONFLICT]
    if conflicts:
        first = conflicts[0].move
        raise OperationFailed(
            f"{first.where}: both {first.source} and {first.destination} are in the state, so the move cannot run; "
            f"find out which object is real (terraform state show) and remove the other with terraform state rm"
        )
    todo = [s for s in steps if s.outcome == Outcome.MOVE]
    if dry_run or not todo:
        return steps
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    backup = backup_dir / f"state-before-migrate-{stamp}.tfstate"
    backup.write_text(tf.run(["state", "pull"]).stdout)
    console.print(escape(f"state backed up to {backup}"))
    for position, step in enumerate(todo, start=1):
        console.print(escape(f"[{position}/{len(todo)}] {step.move.command()}"))
        tf.state_mv(step.move.source, step.move.destination)
    return steps


# ------------------------------------------------------------------------------------------------
# `moved` blocks on the offline double (issue 20)
# ------------------------------------------------------------------------------------------------

MOVED_BLOCKS = "moved-blocks"
"""Name of the MigrationFile made from the committed `moved` blocks (never a file in migrations/)."""


def module_calls(tree: Path, directory: str, prefix: str = "") -> dict[str, list[str]]:
    """Module directory (relative to tree) -> the module addresses (no instance keys) that call it,
    starting from a root directory such as envs/prod (address "")."""
    import os

    from tablekit.terraform import hclscan

    found: dict[str, list[str]] = {directory: [prefix]}
    for path in sorted((tree / directory).glob("*.tf")):
        for top in hclscan.parse(path.read_text()):
            if top.kind != "block" or top.name != "module" or len(top.labels) != 1:
                continue
            source = top.argument("source")
            value = source.value.strip().strip('"') if source else ""
            if not value.startswith(("./", "../")):
                continue
            child = os.path.normpath(f"{directory}/{value}")
            address = f"{prefix}.module.{top.labels[0]}" if prefix else f"module.{top.labels[0]}"
            for child_dir, addresses in module_calls(tree, child, address).items():
                found.setdefault(child_dir, []).extend(addresses)
    return found


def _module_instance(address: str) -> tuple[str, str]:
    """('module.a["k"].module.b', 'module.a.module.b') of a state address's module path."""
    instance: list[str] = []
    plain: list[str] = []
    rest = address
    while True:
        step = _MODULE_STEP.match(rest)
        if step is None or step.end() >= len(rest) or rest[step.end()] != ".":
            break
        instance.append(step.group(0))
        plain.append(re.sub(r"\[.*\]$", "", step.group(0)))
        rest = rest[step.end() + 1 :]
    return ".".join(instance), ".".join(plain)


def moved_moves(tree: Path, env: str, addresses: Sequence[str]) -> MigrationFile:
    """The committed `moved` blocks as `terraform state mv` lines for one env's state (the double).

    Terraform >= 1.1 applies a `moved` block itself, for every consumer of the module; the offline
    double (1.0.3) does not know them, so its staged copy drops them (tablekit.staging.compat) and the
    project's own envs get the equivalent moves here, one per module instance in the state. The
    migration engine's idempotence applies: a move already done or not in this state is skipped.
    """
    from tablekit.staging import compat

    calls = module_calls(tree, f"envs/{env}")
    instances: dict[str, set[str]] = {}
    for address in addresses:
        instance, plain = _module_instance(address)
        instances.setdefault(plain, set()).add(instance)
    moves: list[Move] = []
    for block in compat.moved_blocks(tree):
        for prefix in calls.get(block.module_dir, []):
            for instance in sorted(instances.get(prefix, set()) | ({""} if prefix == "" else set())):
                head = f"{instance}." if instance else ""
                moves.append(Move(f"{head}{block.source}", f"{head}{block.destination}", tree / block.path, block.line))
    return MigrationFile(name=MOVED_BLOCKS, path=tree / "modules", moves=tuple(moves))
