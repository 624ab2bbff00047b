"""Find seed files (`<root>/<family>/<set>/<table>.json|.jsonl`) and read their rows with line numbers.

Why a hand-rolled array walk instead of `json.load`: every error must name file:line, and
`json.load` gives no positions for the objects it returns. Decoding one array element at a time
with `raw_decode` keeps the standard parser (and its error messages) while recording where each row
starts. Floats become Decimal straight from their text, NaN/Infinity are kept as markers so the row
is rejected with its line, and duplicate attribute names inside one object are reported instead of
silently keeping the last one.
"""

from __future__ import annotations

import base64
import bisect
import difflib
import errno
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Sequence

from tablekit.dynamodb_json import BINARY_TAG, SET_TAG, InvalidConstant
from tablekit.errors import UserError
from tablekit.seed.problems import Origin, Problem

EXTENSIONS = (".json", ".jsonl")
_IGNORED_SUFFIXES = {".md", ".txt"}
_WS = re.compile(r"[ \t\r\n]*")


def _skip_ws(text: str, pos: int) -> int:
    """Position of the first non-whitespace character at or after pos (the pattern always matches)."""
    match = _WS.match(text, pos)
    assert match is not None
    return match.end()


@dataclass(frozen=True)
class SeedFile:
    """One data file: which family, which set, which table (the file's stem)."""

    family: str
    set_name: str
    table: str
    path: Path


@dataclass
class Row:
    """One plain-JSON object and where it starts."""

    origin: Origin
    data: dict[str, Any]


class _DuplicateName(ValueError):
    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


def _strict_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                raise _DuplicateName(name)
            seen.add(name)
    return result


_STRICT = json.JSONDecoder(parse_float=Decimal, parse_constant=InvalidConstant, object_pairs_hook=_strict_pairs)
_LENIENT = json.JSONDecoder(parse_float=Decimal, parse_constant=InvalidConstant)

# The standard parser's messages, translated into the usual cause.
_JSON_FIXES = {
    "Expecting ',' delimiter": "add the missing comma between values (or close the open bracket)",
    "Expecting property name enclosed in double quotes": (
        "quote attribute names with double quotes and remove any trailing comma before }"
    ),
    "Expecting value": "remove the trailing comma, or write a value (strings need double quotes)",
    "Expecting ':' delimiter": "put a colon between the attribute name and its value",
    "Unterminated string starting at": 'close the string with a double quote (escape inner quotes as \\")',
    "Invalid control character at": "escape newlines and tabs inside strings as \\n and \\t",
    "Invalid \\escape": 'use a valid escape (\\\\, \\", \\n, \\uXXXX)',
    "Extra data": "a .jsonl file holds exactly one object per line",
}


def _json_problem(origin: Origin, exc: json.JSONDecodeError) -> Problem:
    fix = _JSON_FIXES.get(exc.msg, "fix the JSON syntax at that position")
    return Problem(origin, f"invalid JSON: {exc.msg} (column {exc.colno})", fix)


# What to do about a file the OS will not let us read, by errno.
_ACCESS_FIXES = {
    errno.ENOENT: "it is a broken symlink or vanished while reading: restore it or remove the link",
    errno.EACCES: "make it readable by this user (chmod a+r), or run as its owner",
    errno.EPERM: "make it readable by this user (chmod a+r), or run as its owner",
    errno.ELOOP: "the symlink points (indirectly) at itself: point it at a real file",
    errno.EISDIR: "it is a directory named like a seed file: rename it",
    errno.EIO: "the disk reported an I/O error: copy the file from a good source",
}


def access_reason(exc: OSError) -> tuple[str, str]:
    """(why the OS refused, what to do about it) for any OSError."""
    reason = exc.strerror or type(exc).__name__
    return reason, _ACCESS_FIXES.get(exc.errno or 0, "check that the path exists and can be read")


def access_problem(path: Path, exc: OSError) -> str:
    """`cannot read PATH (reason); fix: ...` -- one line for any OSError, never a traceback."""
    reason, fix = access_reason(exc)
    return f"cannot read {path} ({reason}); fix: {fix}"


def _listing(directory: Path) -> list[Path]:
    try:
        return sorted(directory.iterdir())
    except OSError as exc:
        raise UserError(access_problem(directory, exc)) from None


def families(root: Path) -> list[str]:
    """Family directories under the seed root."""
    return [p.name for p in _listing(Path(root)) if p.is_dir() and not p.name.startswith((".", "_"))]


def discover(
    root: Path, sets: Sequence[str], known_sets: Iterable[str] = (), only_families: Sequence[str] | None = None
) -> tuple[list[SeedFile], list[str]]:
    """Seed files of the chosen sets, in load order (set order first), plus warnings.

    Load order matters: when two files hold the same key, the later row wins, so `demo` rows listed
    after `reference` override it deliberately (and the loader warns).
    """
    root = Path(root)
    if not root.is_dir():
        raise UserError(f"seed directory {root} does not exist")
    present = families(root)
    chosen = present
    if only_families:
        for name in only_families:
            if name not in present:
                close = difflib.get_close_matches(name, present, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                raise UserError(f"no seed family {name!r} under {root}: {hint}families are {', '.join(present)}")
        chosen = [f for f in present if f in only_families]
    known = set(known_sets) | set(sets)
    warnings: list[str] = []
    found: list[SeedFile] = []
    for family in chosen:
        for sub in (p for p in _listing(root / family) if p.is_dir()):
            if sub.name not in known:
                close = difflib.get_close_matches(sub.name, sorted(known), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                warnings.append(f"{sub}: {sub.name!r} is not a known seed set{hint}; its files are ignored")
    for set_name in sets:
        for family in chosen:
            set_dir = root / family / set_name
            if not set_dir.is_dir():
                continue
            for path in _listing(set_dir):
                if path.is_dir() or path.name.startswith("."):
                    continue
                if path.suffix in EXTENSIONS:
                    found.append(SeedFile(family, set_name, path.stem, path))
                elif path.suffix not in _IGNORED_SUFFIXES:
                    warnings.append(f"{path}: ignored (seed files end in .json or .jsonl)")
    return found, warnings


def read_rows(path: Path) -> tuple[list[Row], list[Problem]]:
    """Rows of one .json (array of objects) or .jsonl (one object per line) file, plus problems."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [Problem(Origin(path, 1), f"not UTF-8 ({exc.reason} at byte {exc.start})", "save the file as UTF-8")]
    except OSError as exc:
        reason, fix = access_reason(exc)
        return [], [Problem(Origin(path, 1), f"cannot read the file ({reason})", fix)]
    if path.suffix == ".jsonl":
        return _read_lines(path, text)
    return _read_array(path, text)


def _row_or_problem(origin: Origin, value: Any, rows: list[Row], problems: list[Problem]) -> None:
    if isinstance(value, dict):
        rows.append(Row(origin, value))
    else:
        problems.append(
            Problem(
                origin,
                f"a row must be a JSON object, got {type(value).__name__}",
                'write each item as {"attribute": value, ...}',
            )
        )


def _read_lines(path: Path, text: str) -> tuple[list[Row], list[Problem]]:
    rows: list[Row] = []
    problems: list[Problem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        origin = Origin(path, number)
        try:
            value = _STRICT.decode(line)
        except _DuplicateName as dup:
            problems.append(_duplicate_problem(origin, dup))
            continue
        except json.JSONDecodeError as exc:
            problems.append(_json_problem(origin, exc))
            continue
        _row_or_problem(origin, value, rows, problems)
    return rows, problems


def _duplicate_problem(origin: Origin, dup: _DuplicateName) -> Problem:
    return Problem(
        origin, f"attribute {dup.name!r} appears twice in one object (JSON keeps only the last)", "remove one of them"
    )


def _read_array(path: Path, text: str) -> tuple[list[Row], list[Problem]]:
    rows: list[Row] = []
    problems: list[Problem] = []
    newlines = [m.start() for m in re.finditer("\n", text)]

    def origin_at(pos: int) -> Origin:
        return Origin(path, bisect.bisect_left(newlines, pos) + 1)

    pos = _skip_ws(text, 0)
    if pos >= len(text) or text[pos] != "[":
        problems.append(
            Problem(
                origin_at(pos),
                "a .json seed file must hold one JSON array of objects",
                "wrap the rows in [ ... ] (or rename it to .jsonl with one object per line)",
            )
        )
        return rows, problems
    pos = _skip_ws(text, pos + 1)
    if text.startswith("]", pos):
        return rows, _trailing(text, pos + 1, origin_at)
    while True:
        origin = origin_at(pos)
        try:
            value, end = _STRICT.raw_decode(text, pos)
            _row_or_problem(origin, value, rows, problems)
        except _DuplicateName as dup:
            problems.append(_duplicate_problem(origin, dup))
            _, end = _LENIENT.raw_decode(text, pos)  # only to find where the next row starts
        except json.JSONDecodeError as exc:
            # Positions after a syntax error mean nothing: report it and stop reading this file.
            problems.append(_json_problem(Origin(path, exc.lineno), exc))
            return rows, problems
        pos = _skip_ws(text, end)
        if text.startswith(",", pos):
            pos = _skip_ws(text, pos + 1)
            if text.startswith("]", pos):
                problems.append(
                    Problem(
                        origin_at(pos),
                        "trailing comma before ] (not allowed in JSON)",
                        "remove the comma after the last row",
                    )
                )
                return rows, problems
            continue
        if text.startswith("]", pos):
            problems.extend(_trailing(text, pos + 1, origin_at))
            return rows, problems
        problems.append(
            Problem(
                origin_at(pos),
                "expected ',' or ']' after a row",
                "separate rows with commas and close the array with ]",
            )
        )
        return rows, problems


def _trailing(text: str, pos: int, origin_at: Any) -> list[Problem]:
    pos = _skip_ws(text, pos)
    if pos < len(text):
        return [Problem(origin_at(pos), "extra data after the closing ]", "keep exactly one array per .json file")]
    return []


def plain_json(value: Any) -> str:
    """Compact plain-JSON text of a row value, the exact inverse of what `read_rows` accepts.

    Why not json.dumps: it cannot write a Decimal as a number without going through float, which
    would turn 0.1 into 0.1000000000000000055... or lose digits of a 38-digit number.
    """
    kind = type(value)
    if kind is str:
        return json.dumps(value, ensure_ascii=False)
    if value is None or kind is bool or kind is int:
        return json.dumps(value)
    if kind is Decimal:
        return str(value)
    if kind is float:
        return repr(value)
    if kind is dict:
        pairs = (f"{json.dumps(str(k), ensure_ascii=False)}:{plain_json(v)}" for k, v in value.items())
        return "{" + ",".join(pairs) + "}"
    if kind is list or kind is tuple:
        return "[" + ",".join(plain_json(v) for v in value) + "]"
    if kind is bytes:
        return plain_json({BINARY_TAG: base64.b64encode(value).decode()})
    if kind is set or kind is frozenset:
        return plain_json({SET_TAG: sorted(value, key=repr)})
    raise TypeError(f"cannot write {kind.__name__} as plain JSON")


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    """Write rows as a .jsonl seed file; returns how many."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(plain_json(row) + "\n")
            count += 1
    return count
