"""The one place that turns text into GitHub Markdown: plan content only ever lands inside code spans.

Why code spans and not backslash escapes: GitHub post-processes rendered Markdown (``@mentions``,
``#123`` references, ``:emoji:``, bare ``www.`` / e-mail autolinks) on every text node, and no
backslash escape stops that; the content of a code span is never touched by any of them, nor by
Markdown or HTML parsing. What a code span cannot hold safely is handled here too:

- a newline (a line starting with ``</details>`` or ``#`` would open a new block before inline
  parsing ever sees the span), and every other control, format or separator character: bidi
  overrides and zero-width characters would make the comment read differently from what the plan
  says, so they are shown as visible ``\\u202e`` escapes;
- backticks: the span is delimited by a backtick run longer than any run inside it;
- the ``<!--`` of an HTML comment, so the comment's hidden marker appears exactly once, at the top;
- ``|`` inside a table row (GFM splits cells before inline parsing): escaped in ``table_row``.

``Md`` is the type of text that is safe to write. The renderer builds every line from ``lit``
(template text written in the code), ``code`` / ``value`` (plan content, which arrives as
``redact.Display`` only, so it has been masked) and ``fmt`` / ``join``; mypy rejects a plain ``str``
where ``Md`` is expected, so plan text cannot reach the comment without passing through here.

Standard library only (CI renders the comment from a bare checkout).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable, LiteralString, Sequence
from urllib.parse import quote, urlsplit

from tablekit.errors import UserError
from tablekit.review.redact import Display


class Md(str):
    """Markdown that may be written as it is (built only by the functions of this module)."""

    __slots__ = ()


# Characters shown as \uXXXX instead of themselves: C0/C1 controls, format characters (bidi
# controls, zero-width joiners, BOM), line and paragraph separators, private use, unassigned.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cn", "Cs"})
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_BACKTICKS = re.compile(r"`+")


def visible(text: str) -> str:
    """Text with every invisible or line-breaking character written as an escape (\\n, \\u200b)."""
    if text.isprintable() and "<!--" not in text:
        return text
    out = []
    for ch in text:
        if ch in _SHORT:
            out.append(_SHORT[ch])
        elif unicodedata.category(ch) in _HIDDEN_CATEGORIES or (ch.isspace() and ch != " "):
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    # An HTML comment opener is harmless inside a code span, but the sticky-comment lookup matches
    # the hidden marker as text: plan content must never spell it.
    return "".join(out).replace("<!--", "\\u003c!--")


def lit(text: LiteralString) -> Md:
    """Template text written in the code (trusted: never pass plan content here)."""
    return Md(text)


# Characters with inline meaning (the prose never starts a line, so list/heading markers are inert).
_PUNCTUATION = re.compile(r"([\\`*_\[\]()<>#!|~&])")


def ours(text: str) -> Md:
    """Prose the project wrote (a reason from a reviewed list) with every Markdown character escaped.

    For the project's own texts only: escaping stops Markdown, not GitHub's mention filter, so
    plan content always goes through `code` instead.
    """
    return Md(_PUNCTUATION.sub(r"\\\1", visible(text)))


def code(text: Display, width: int | None = None) -> Md:
    """Plan content (already masked) as one inline code span that nothing inside can break out of."""
    return _span(text.text(width))


def value(text: Display, width: int | None = 80) -> Md:
    """A plan value (already masked) as a code span of compact JSON, cut to `width` characters."""
    return _span(text.text(width))


def _span(raw: str) -> Md:
    content = visible(raw)
    if not content:
        return Md("_(empty)_")
    longest = max((len(run) for run in _BACKTICKS.findall(content)), default=0)
    fence = "`" * (longest + 1)
    # CommonMark strips one space from each end when both are spaces, and a span may not start or
    # end with its own delimiter: pad so the content comes out exactly as given.
    if content[0] == "`" or content[-1] == "`" or (content[0] == content[-1] == " " and content.strip()):
        content = f" {content} "
    return Md(f"{fence}{content}{fence}")


def fmt(template: LiteralString, *parts: Md) -> Md:
    """Fill `{}` fields of a template with Markdown parts (plain strings are refused)."""
    for part in parts:
        if not isinstance(part, Md):
            raise TypeError(f"markdown.fmt: {type(part).__name__} given where Md is required; escape it first")
    return Md(template.format(*parts))


def join(separator: LiteralString, parts: Iterable[Md]) -> Md:
    items = list(parts)
    for part in items:
        if not isinstance(part, Md):
            raise TypeError(f"markdown.join: {type(part).__name__} given where Md is required")
    return Md(separator.join(items))


def number(n: int) -> Md:
    """An integer with thousands separators (`65,536`)."""
    return Md(f"{int(n):,}")


def plural(n: int, singular: LiteralString, plural_form: LiteralString | None = None) -> Md:
    """`1 table`, `3 tables`."""
    word = singular if n == 1 else (plural_form if plural_form is not None else singular + "s")
    return Md(f"{int(n):,} {word}")


def table_row(cells: Sequence[Md]) -> Md:
    """One GFM table row; `|` inside cells is escaped (GFM splits cells before inline parsing)."""
    return Md("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")


_URL_SAFE = "/:?#[]@!$&'*+,;=%-._~"


def checked_url(url: str, flag: str) -> str:
    """An http(s) URL given on the command line, refused otherwise (it becomes a link target)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise UserError(f"{flag} {url!r}: give an http(s) URL, e.g. {flag} https://github.com/o/r/actions/runs/1")
    return url.strip()


def link(label: Md, url: str) -> Md:
    """A link to a URL the workflow passed (checked with checked_url); never to plan content."""
    target = quote(url, safe=_URL_SAFE).replace("(", "%28").replace(")", "%29").replace("|", "%7C")
    return Md(f"[{label}](<{target}>)")


def utf16_len(text: str) -> int:
    """Length as GitHub's API counts it (JavaScript string length), never below len(text)."""
    return len(text.encode("utf-16-le")) // 2
