"""DynamoDB's expression language: tokens, condition trees, and the names and placeholders used.

Why a parser here: key conditions and filters are strings in most code (`'pk = :v AND begins_with(sk,
:p)'`), and DynamoDB validates their structure (which key, which operator), their `#name` and
`:value` placeholders and their reserved words. The grammar is DynamoDB's own (condition, key
condition, projection and update expressions), small enough for a tokenizer and a recursive-descent
parser. boto3's `Key()`/`Attr()` objects are translated into the same tree (python_calls), with
`Name(auto=True)`: the SDK aliases those names itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterator

COMPARATORS = ("=", "<>", "<", "<=", ">", ">=")
KEYWORDS = frozenset({"AND", "OR", "NOT", "BETWEEN", "IN"})
UPDATE_CLAUSES = frozenset({"SET", "REMOVE", "ADD", "DELETE"})
# Functions of condition and update expressions; `size` is the only one that is an operand.
FUNCTIONS = frozenset(
    {"attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains", "size"}
    | {"if_not_exists", "list_append"}
)

_TOKEN = re.compile(
    r"\s*(?:(?P<alias>#[A-Za-z0-9_]+)|(?P<value>:[A-Za-z0-9_]+)|(?P<num>\d+)|(?P<name>[A-Za-z_][A-Za-z0-9_-]*)"
    r"|(?P<op><>|<=|>=|[=<>(),.\[\]+\-]))"
)


class ExpressionError(ValueError):
    """The expression does not parse; DynamoDB answers with a syntax error."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass(frozen=True)
class Token:
    kind: str  # alias | value | num | name | op | end
    text: str
    offset: int


def tokens(text: str) -> list[Token]:
    out: list[Token] = []
    at = 0
    while at < len(text):
        found = _TOKEN.match(text, at)
        if found is None or found.end() == at:
            if text[at:].strip() == "":
                break
            raise ExpressionError(f"unexpected character {text[at]!r}", at)
        kind = found.lastgroup or "op"
        out.append(Token(kind, found.group(kind), found.start(kind)))
        at = found.end()
    out.append(Token("end", "", len(text)))
    return out


# -- the condition tree ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Name:
    """An attribute path: its parts (`#alias` or a raw name); `auto`: the SDK aliases them."""

    parts: tuple[str, ...]
    offset: int = 0
    auto: bool = False


@dataclass(frozen=True)
class Value:
    """A `:placeholder`, or (Key()/Attr()) the inline value with its type."""

    placeholder: str | None
    inline: Any = None
    offset: int = 0


Operand = Any  # Name | Value | Func(size)


@dataclass(frozen=True)
class Compare:
    op: str
    left: Operand
    right: Operand


@dataclass(frozen=True)
class Between:
    operand: Operand
    low: Operand
    high: Operand


@dataclass(frozen=True)
class In:
    operand: Operand
    options: tuple[Operand, ...]


@dataclass(frozen=True)
class Func:
    name: str
    args: tuple[Operand, ...]


@dataclass(frozen=True)
class Logical:
    op: str  # AND | OR
    items: tuple[Any, ...]


@dataclass(frozen=True)
class Not:
    item: Any


Node = Any  # Compare | Between | In | Func | Logical | Not


@dataclass
class _Parser:
    toks: list[Token]
    at: int = 0
    depth: int = field(default=0)

    def peek(self) -> Token:
        return self.toks[self.at]

    def take(self) -> Token:
        tok = self.toks[self.at]
        self.at += 1
        return tok

    def word(self, *words: str) -> bool:
        tok = self.peek()
        return tok.kind == "name" and tok.text.upper() in words

    def expect(self, text: str) -> Token:
        tok = self.take()
        if tok.text != text:
            raise ExpressionError(f"expected {text!r}, found {tok.text or 'the end'!r}", tok.offset)
        return tok

    def condition(self) -> Node:
        items = [self.conjunction()]
        while self.word("OR"):
            self.take()
            items.append(self.conjunction())
        return items[0] if len(items) == 1 else Logical("OR", tuple(items))

    def conjunction(self) -> Node:
        items = [self.negation()]
        while self.word("AND"):
            self.take()
            items.append(self.negation())
        return items[0] if len(items) == 1 else Logical("AND", tuple(items))

    def negation(self) -> Node:
        if self.word("NOT"):
            self.take()
            return Not(self.negation())
        if self.peek().text == "(":
            self.take()
            inner = self.condition()
            self.expect(")")
            return inner
        return self.predicate()

    def predicate(self) -> Node:
        tok = self.peek()
        if tok.kind == "name" and tok.text in FUNCTIONS and self.toks[self.at + 1].text == "(":
            func = self.function()
            if func.name != "size":
                return func
            left: Operand = func
        else:
            left = self.operand()
        nxt = self.peek()
        if nxt.text in COMPARATORS:
            self.take()
            return Compare(nxt.text, left, self.operand())
        if self.word("BETWEEN"):
            self.take()
            low = self.operand()
            if not self.word("AND"):
                raise ExpressionError("BETWEEN needs `low AND high`", self.peek().offset)
            self.take()
            return Between(left, low, self.operand())
        if self.word("IN"):
            self.take()
            self.expect("(")
            options = [self.operand()]
            while self.peek().text == ",":
                self.take()
                options.append(self.operand())
            self.expect(")")
            return In(left, tuple(options))
        raise ExpressionError(f"expected a comparison after the operand, found {nxt.text or 'the end'!r}", nxt.offset)

    def function(self) -> Func:
        name = self.take().text
        self.expect("(")
        args = [self.operand()]
        while self.peek().text == ",":
            self.take()
            args.append(self.operand())
        self.expect(")")
        return Func(name, tuple(args))

    def operand(self) -> Operand:
        tok = self.peek()
        if tok.kind == "value":
            self.take()
            return Value(tok.text, offset=tok.offset)
        if tok.kind == "name" and tok.text in FUNCTIONS and self.toks[self.at + 1].text == "(":
            return self.function()
        if tok.kind in ("name", "alias"):
            return self.path()
        raise ExpressionError(f"expected an attribute or a :value, found {tok.text or 'the end'!r}", tok.offset)

    def path(self) -> Name:
        first = self.take()
        parts = [first.text]
        while self.peek().text in (".", "["):
            if self.take().text == ".":
                part = self.take()
                if part.kind not in ("name", "alias"):
                    raise ExpressionError("expected an attribute name after '.'", part.offset)
                parts.append(part.text)
            else:
                if self.take().kind != "num":
                    raise ExpressionError("expected a list index", self.toks[self.at - 1].offset)
                self.expect("]")
        return Name(tuple(parts), first.offset)


def parse_condition(text: str) -> Node:
    """A condition, filter or key-condition expression as a tree."""
    parser = _Parser(tokens(text))
    if parser.peek().kind == "end":
        raise ExpressionError("the expression is empty", 0)
    node = parser.condition()
    rest = parser.peek()
    if rest.kind != "end":
        raise ExpressionError(f"unexpected {rest.text!r} after a complete condition", rest.offset)
    return node


# -- what an expression names ---------------------------------------------------------------------


@dataclass(frozen=True)
class Used:
    """The names, #aliases and :placeholders an expression uses, each with its offset."""

    names: tuple[tuple[str, int], ...]
    aliases: tuple[tuple[str, int], ...]
    values: tuple[tuple[str, int], ...]


def used(text: str, kind: str = "condition") -> Used:
    """Every attribute name (raw), alias and placeholder of any kind of expression.

    Function names and the grammar's keywords (AND, BETWEEN, SET ...) are not attribute names; a
    name is a path element wherever else it stands.
    """
    toks = tokens(text)
    names, aliases, values = [], [], []
    keywords = KEYWORDS | UPDATE_CLAUSES if kind == "update" else KEYWORDS
    for i, tok in enumerate(toks):
        if tok.kind == "alias":
            aliases.append((tok.text, tok.offset))
        elif tok.kind == "value":
            values.append((tok.text, tok.offset))
        elif tok.kind == "name":
            if tok.text in FUNCTIONS and toks[i + 1].text == "(":
                continue
            if tok.text.upper() in keywords and (i == 0 or toks[i - 1].text != "."):
                continue
            names.append((tok.text, tok.offset))
    return Used(tuple(names), tuple(aliases), tuple(values))


def walk(node: Node) -> Iterator[Any]:
    """Every node and operand of a condition tree, depth first."""
    yield node
    children: tuple[Any, ...] = ()
    if isinstance(node, Logical):
        children = node.items
    elif isinstance(node, Not):
        children = (node.item,)
    elif isinstance(node, Compare):
        children = (node.left, node.right)
    elif isinstance(node, Between):
        children = (node.operand, node.low, node.high)
    elif isinstance(node, In):
        children = (node.operand, *node.options)
    elif isinstance(node, Func):
        children = node.args
    for child in children:
        yield from walk(child)
