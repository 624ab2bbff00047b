"""What changed inside one resource, as masked display values a renderer can print.

Why not print `before` and `after`: a table body is thirty attributes, most computed or
unchanged; a reviewer needs "GSI x added, TTL switched on, tag Owner set". Blocks that are lists of
objects keyed by one identifying attribute (indexes, key attributes, replicas) are compared per
element name, single-instance blocks (ttl, point_in_time_recovery) per field, maps (tags) per key.

Every value, key, block name and path leaves this module as a ``redact.Display`` made with the
change's sensitivity marks (before and after marks joined: a value that is sensitive on either side
is hidden on both), so nothing here can hand a raw plan value to the comment.

Standard library only (CI renders the comment from a bare checkout).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Sequence

from tablekit.review import redact
from tablekit.review.redact import Display, Masker

_PLAIN = Masker()

# Blocks modelled as lists of objects with one identifying attribute.
KEYED_BLOCKS = {
    "attribute": "name",
    "global_secondary_index": "name",
    "local_secondary_index": "name",
    "replica": "region_name",
}
# Attributes that only echo others (tags_all = provider default tags + tags) or never mean anything.
NOISY = frozenset({"tags_all", "id"})


@dataclass(frozen=True)
class Entry:
    """One key of a map or one element of a keyed block: added (+), removed (-) or changed (~)."""

    sign: str
    key: Display
    old: Display | None = None
    new: Display | None = None
    fields: tuple[Display, ...] = ()


@dataclass(frozen=True)
class AttrChange:
    """One changed attribute (path), with its old and new value or its changed entries."""

    path: Display
    old: Display | None = None
    new: Display | None = None
    entries: tuple[Entry, ...] = field(default_factory=tuple)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _single_block(value: Any) -> bool:
    return isinstance(value, list) and len(value) <= 1 and all(isinstance(v, dict) for v in value)


def _has_unknown(marks: Any) -> bool:
    if marks is True:
        return True
    if isinstance(marks, dict):
        return any(_has_unknown(v) for v in marks.values())
    if isinstance(marks, list):
        return any(_has_unknown(v) for v in marks)
    return False


def _present(value: Any) -> bool:
    return value is not None and value != [] and value != {} and value != ""


def diff(
    before: Any,
    after: Any,
    after_unknown: Any = None,
    marks: Any = False,
    replacing: bool = False,
    masker: Masker = _PLAIN,
) -> list[AttrChange]:
    """Changes between two resource bodies; `marks` is the union of before/after sensitivity.

    `replacing`: the after object is a new one, so its computed values (arn, stream_arn, ...) are
    new by definition and only what the configuration sets is compared.
    """
    unknown = _dict(after_unknown)
    if replacing:
        before = {k: v for k, v in _dict(before).items() if unknown.get(k) is not True}
        unknown = {k: v for k, v in unknown.items() if v is not True}
    return list(_diff(_dict(before), _dict(after), unknown, marks, (), masker, replacing, marks))


def _diff(
    before: dict[str, Any],
    after: dict[str, Any],
    unknown: dict[str, Any],
    marks: Any,
    prefix: tuple[Any, ...],
    m: Masker,
    replacing: bool,
    root_marks: Any,
) -> Iterator[AttrChange]:
    keys = set(before) | set(after) | {k for k, v in unknown.items() if v is True}
    for key in sorted(keys, key=str):
        if key in NOISY and not prefix:
            continue
        old, new, unk = before.get(key), after.get(key), unknown.get(key, False)
        if unk is not True and (old == new or not (_present(old) or _present(new))) and not _has_unknown(unk):
            continue  # equal, or null vs an empty value (providers read one back as the other)
        mark = redact.child(marks, key)
        steps = (*prefix, key)
        path = m.path(steps, root_marks)
        if unk is True:
            if _present(old):
                yield AttrChange(path, m.mask(old, mark), redact.unknown())
            continue
        if replacing and not _present(new) and not _has_unknown(unk):
            continue  # the new object leaves it unset (the provider fills in its default)
        if redact.marked(mark):
            yield AttrChange(path, redact.sensitive() if old is not None else None, redact.sensitive())
            continue
        if key in KEYED_BLOCKS and isinstance(old or [], list) and isinstance(new or [], list):
            entries = tuple(_keyed(old or [], new or [], KEYED_BLOCKS[key], mark, m))
            if entries:
                yield AttrChange(path, entries=entries)
            continue
        if _single_block(old or []) and _single_block(new or []) and (old or new):
            o = (old or [{}])[0] if old else {}
            n = (new or [{}])[0] if new else {}
            u = unk[0] if isinstance(unk, list) and unk and isinstance(unk[0], dict) else {}
            yield from _diff(_dict(o), _dict(n), u, _block_mark(mark), (*steps, 0), m, replacing, root_marks)
            continue
        if isinstance(old or {}, dict) and isinstance(new or {}, dict) and (old or new):
            entries = tuple(_map(_dict(old), _dict(new), mark, unk, m))
            if entries:
                yield AttrChange(path, entries=entries)
            continue
        yield AttrChange(
            path,
            m.mask(old, mark) if old is not None else None,
            m.mask(new, mark, unk) if new is not None or unk else None,
        )


def _block_mark(list_mark: Any) -> Any:
    """The mark of a single-instance block: element 0 of the list mark (or the list mark if whole)."""
    return redact.child(list_mark, 0)


def _map(old: dict[str, Any], new: dict[str, Any], mark: Any, unknown: Any, m: Masker) -> Iterator[Entry]:
    for k in sorted(set(old) | set(new), key=str):
        key = m.key(k, mark)
        vm = redact.child(mark, k)
        if k not in old:
            yield Entry("+", key, new=m.mask(new[k], vm, redact.child(unknown, k) if unknown else None))
        elif k not in new:
            yield Entry("-", key, old=m.mask(old[k], vm))
        elif old[k] != new[k]:
            yield Entry("~", key, old=m.mask(old[k], vm), new=m.mask(new[k], vm))


def _keyed(old: list[Any], new: list[Any], key_field: str, list_mark: Any, m: Masker) -> Iterator[Entry]:
    """Keyed block elements compared by their identifying attribute (raw, for matching only)."""

    def by_key(items: list[Any]) -> dict[str, tuple[int, dict[str, Any]]]:
        out: dict[str, tuple[int, dict[str, Any]]] = {}
        for i, item in enumerate(items):
            if isinstance(item, dict):
                out[repr(item.get(key_field))] = (i, item)
        return out

    o, n = by_key(old), by_key(new)

    def name(*elements: tuple[int, dict[str, Any]]) -> Display:
        mark: Any = False
        for index, _ in elements:
            mark = redact.union(mark, redact.child(list_mark, index))
        return m.key(elements[0][1].get(key_field), redact.child(mark, key_field))

    added = [name(n[k]) for k in sorted(set(n) - set(o))]
    removed = [name(o[k]) for k in sorted(set(o) - set(n))]
    changed = []
    for k in sorted(set(o) & set(n)):
        (_, a), (_, b) = o[k], n[k]
        if a != b:
            fields = tuple(m.text(f) for f in sorted(set(a) | set(b), key=str) if a.get(f) != b.get(f))
            changed.append(Entry("~", name(o[k], n[k]), fields=fields))
    # Sorted by what is printed, so the order does not depend on (hidden) raw names.
    yield from sorted((Entry("+", d) for d in added), key=lambda e: e.key.text())
    yield from sorted((Entry("-", d) for d in removed), key=lambda e: e.key.text())
    yield from sorted(changed, key=lambda e: e.key.text())


def changed_paths(before: Any, after: Any) -> list[tuple[Any, ...]]:
    """Top-level attributes (and keys of maps one level down) that differ: for drift relevance."""
    b, a = _dict(before), _dict(after)
    out: list[tuple[Any, ...]] = []
    for key in sorted(set(b) | set(a), key=str):
        if key in NOISY or b.get(key) == a.get(key) or not (_present(b.get(key)) or _present(a.get(key))):
            continue
        bv, av = b.get(key), a.get(key)
        if isinstance(bv, dict) and isinstance(av, dict):
            out += [(key, k) for k in sorted(set(bv) | set(av), key=str) if bv.get(k) != av.get(k)]
        else:
            out.append((key,))
    return out


def overlaps(a: Sequence[Any], b: Sequence[Any]) -> bool:
    """True when one attribute path is a prefix of the other."""
    n = min(len(a), len(b))
    return list(a[:n]) == list(b[:n])
