"""A structural scanner for Terraform files: blocks and arguments with their exact spans and lines.

Why not python-hcl2: it turns a file into values and forgets where each argument was written. The
compat layer must delete one argument or block from a file without touching anything else, and
report it as `file:line`; the schema proof must name the line of every argument it checks. Both
need only the structure (which block, which argument, where), never the value of an expression,
so this scanner skips expressions as balanced text (brackets, quoted strings with `${}`/`%{}`
templates, heredocs, comments) and records where each item starts and ends.
"""

from __future__ import annotations

import bisect
import copy
import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tablekit.errors import UserError

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n")
_CLOSERS = {"(": ")", "[": "]", "{": "}"}
# Characters that can change the structure inside an expression; everything else is skipped at once.
_SPECIAL = re.compile(r'["<#/(){}\[\]\n]')


class HclSyntaxError(ValueError):
    """The scanner could not follow the file's structure (Terraform would reject it too)."""


@dataclass(frozen=True)
class Item:
    """One argument (`name = expr`) or block (`type "label" { ... }`) of a body."""

    kind: str  # "argument" or "block"
    name: str
    labels: tuple[str, ...]
    start: int  # offset of the item's first character
    end: int  # offset just after its last character (closing brace, or end of the expression)
    line: int  # 1-based line of `start`
    body: tuple[Item, ...] = field(default=())
    value: str = ""  # raw expression text of an argument
    value_start: int = 0  # offset of `value` in the file

    def blocks(self, name: str | None = None) -> Iterator[Item]:
        return (i for i in self.body if i.kind == "block" and (name is None or i.name == name))

    def argument(self, name: str) -> Item | None:
        return next((i for i in self.body if i.kind == "argument" and i.name == name), None)


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.newlines = [i for i, c in enumerate(text) if c == "\n"]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_left(self.newlines, offset) + 1

    # -- low-level skipping ----------------------------------------------------------------------

    def skip_comment(self, i: int) -> int | None:
        """Index after a comment starting at i, or None if there is none. Line comments stop before \\n."""
        t = self.text
        if t.startswith("#", i) or t.startswith("//", i):
            j = t.find("\n", i)
            return self.n if j < 0 else j
        if t.startswith("/*", i):
            j = t.find("*/", i + 2)
            if j < 0:
                raise HclSyntaxError(f"line {self.line_of(i)}: unterminated /* comment")
            return j + 2
        return None

    def skip_blank(self, i: int, newlines: bool) -> int:
        while i < self.n:
            c = self.text[i]
            if c in " \t\r" or (newlines and c == "\n"):
                i += 1
                continue
            after = self.skip_comment(i)
            if after is None:
                break
            i = after
        return i

    def skip_string(self, i: int) -> int:
        """i is at an opening quote; returns the index after the closing quote."""
        t = self.text
        i += 1
        while i < self.n:
            c = t[i]
            if c == "\\":
                i += 2
            elif c == '"':
                return i + 1
            elif c in "$%" and t.startswith("{", i + 1) and not t.startswith(c * 2, i - 1):
                i = self.skip_balanced(i + 1)
            elif c == "\n":
                raise HclSyntaxError(f"line {self.line_of(i)}: newline inside a quoted string")
            else:
                i += 1
        raise HclSyntaxError("unterminated string")

    def skip_heredoc(self, i: int) -> int | None:
        m = _HEREDOC.match(self.text, i)
        if not m:
            return None
        marker = m.group(2)
        pos = m.end()
        while pos <= self.n:
            eol = self.text.find("\n", pos)
            line = self.text[pos : self.n if eol < 0 else eol]
            if line.strip() == marker:
                return pos + len(line)
            if eol < 0:
                break
            pos = eol + 1
        raise HclSyntaxError(f"line {self.line_of(i)}: heredoc {marker} is never closed")

    def skip_balanced(self, i: int) -> int:
        """i is at an opening bracket; returns the index after its matching closer."""
        stack = [_CLOSERS[self.text[i]]]
        i += 1
        while stack:
            m = _SPECIAL.search(self.text, i)  # ordinary characters never change the structure
            if not m:
                raise HclSyntaxError("unbalanced brackets")
            i = self.skip_atom(m.start(), stack)
        return i

    def skip_atom(self, i: int, stack: list[str]) -> int:
        """Advance over one character or one string/heredoc/comment inside an expression."""
        t = self.text
        c = t[i]
        if c == '"':
            return self.skip_string(i)
        if c == "<":
            after = self.skip_heredoc(i)
            if after is not None:
                return after
        comment = self.skip_comment(i)
        if comment is not None:
            return comment
        if c in _CLOSERS:
            stack.append(_CLOSERS[c])
        elif stack and c == stack[-1]:
            stack.pop()
        elif c in ")]}":
            raise HclSyntaxError(f"line {self.line_of(i)}: unexpected {c!r}")
        return i + 1

    def expression_end(self, i: int) -> int:
        """End of an argument's expression: the newline (or `}` of a one-line block) at depth 0.

        A trailing comment is not part of the expression.
        """
        t = self.text
        start = i
        stack: list[str] = []
        comment_at: int | None = None
        while i < self.n:
            m = _SPECIAL.search(t, i)
            if not m:
                i = self.n
                break
            i = m.start()
            c = t[i]
            if not stack and c in "\n}":
                break
            if not stack and (c == "#" or t.startswith("//", i) or t.startswith("/*", i)):
                comment_at = i if comment_at is None else comment_at
                after = self.skip_comment(i)
                assert after is not None
                i = after
                continue
            i = self.skip_atom(i, stack)
        if stack:
            raise HclSyntaxError(f"line {self.line_of(start)}: unbalanced brackets in this expression")
        end = comment_at if comment_at is not None else i
        while end > start and t[end - 1] in " \t\r":
            end -= 1
        return end

    # -- bodies ----------------------------------------------------------------------------------

    def body(self, i: int, closing: bool) -> tuple[list[Item], int]:
        items: list[Item] = []
        t = self.text
        while True:
            i = self.skip_blank(i, newlines=True)
            if i >= self.n:
                if closing:
                    raise HclSyntaxError("a block is never closed")
                return items, i
            if t[i] == "}":
                if not closing:
                    raise HclSyntaxError(f"line {self.line_of(i)}: unexpected '}}'")
                return items, i + 1
            m = _IDENT.match(t, i)
            if not m:
                raise HclSyntaxError(f"line {self.line_of(i)}: expected an argument or block, found {t[i]!r}")
            start, name = i, m.group(0)
            j = self.skip_blank(m.end(), newlines=False)
            if t.startswith("=", j) and not t.startswith("==", j):
                value_start = self.skip_blank(j + 1, newlines=False)
                end = self.expression_end(value_start)
                items.append(
                    Item(
                        "argument",
                        name,
                        (),
                        start,
                        end,
                        self.line_of(start),
                        value=t[value_start:end],
                        value_start=value_start,
                    )
                )
                i = end
                continue
            labels: list[str] = []
            while j < self.n and t[j] != "{":
                if t[j] == '"':
                    after = self.skip_string(j)
                    labels.append(t[j + 1 : after - 1])
                    j = after
                else:
                    lm = _IDENT.match(t, j)
                    if not lm:
                        raise HclSyntaxError(f"line {self.line_of(j)}: expected a block label or '{{' after {name}")
                    labels.append(lm.group(0))
                    j = lm.end()
                j = self.skip_blank(j, newlines=False)
            if j >= self.n:
                raise HclSyntaxError(f"line {self.line_of(start)}: block {name} has no body")
            children, end = self.body(j + 1, closing=True)
            items.append(Item("block", name, tuple(labels), start, end, self.line_of(start), body=tuple(children)))
            i = end


def parse(text: str) -> tuple[Item, ...]:
    """Top-level items of one .tf file, in file order."""
    items, _ = _Scanner(text).body(0, closing=False)
    return tuple(items)


def line_span(text: str, item: Item) -> tuple[int, int]:
    """The span to delete for an item: its whole lines when it owns them, else exactly the item.

    Whole lines keep the file formatted; an item sharing its line with something else (a one-line
    block such as `ttl { enabled = true }`) loses only its own characters.
    """
    line_start = text.rfind("\n", 0, item.start) + 1
    eol = text.find("\n", item.end)
    line_end = len(text) if eol < 0 else eol + 1
    before = text[line_start : item.start]
    after = text[item.end : line_end]
    if before.strip() == "" and (after.strip() == "" or after.strip().startswith(("#", "//"))):
        return line_start, line_end
    return item.start, item.end


def hcl2_blocks(files: Iterable[Path], kind: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(label, body) of every top-level `kind` block of `files`, parsed by python-hcl2.

    Where the scanner above gives positions (to strip text), this gives values: bodies are
    dictionaries whose expressions are HCL text and whose strings are unquoted. One parser and one
    set of options for every reader of values (module docs, upgrade-check's overrides), and a
    file that cannot be parsed is named.
    """
    for tf in files:
        text = tf.read_text()
        try:
            parsed = copy.deepcopy(_hcl2_parsed(text))  # the cached tree is never handed out
        except Exception as exc:  # lark raises many types; the file name is what the user needs
            raise UserError(f"cannot parse {tf}: {exc}") from exc
        for block in parsed.get(kind, []):
            for label, body in block.items():
                yield label.strip('"'), body if isinstance(body, Mapping) else {}


@functools.lru_cache(maxsize=512)
def _hcl2_parsed(text: str) -> dict[str, Any]:
    """python-hcl2's tree of one file's text, parsed once per process.

    Why cached: upgrade-check reads the same module files for each tree and each env (about a
    hundred parses of some forty distinct files per run, ~35 ms each), and the text is the key,
    so an edited file is parsed again.
    """
    import hcl2  # not standard library: loaded only by the readers of values

    options = hcl2.SerializationOptions(
        with_comments=False,
        explicit_blocks=False,
        preserve_heredocs=False,
        strip_string_quotes=True,
        wrap_objects=True,
        wrap_tuples=True,
    )
    parsed: dict[str, Any] = hcl2.loads(text, serialization_options=options)
    return parsed
