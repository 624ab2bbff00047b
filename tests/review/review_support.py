"""Support for the review tests: GitHub's own Markdown renderer, and hostile inputs for hypothesis.

- `parse`/`to_html`/`Html`: a comment rendered with cmarkgfm, the C library github.com renders
  comments with, run with raw HTML allowed (GitHub passes raw HTML through and sanitizes
  afterwards), so anything plan content manages to turn into an element, a link or a comment shows
  up in `Html` and fails the tests.
- `hostile`, `secret`, `marked_value`, `secrets_in`: hypothesis strategies. Hostile text mixes every
  character GitHub Markdown gives meaning to with the constructs an attacker would try as whole
  pieces (links, images, autolinks, mentions, HTML, a fake hidden marker, a closing `</details>`,
  newlines that start new blocks, bidi overrides and zero-width characters).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import cmarkgfm  # type: ignore[import-untyped]
from cmarkgfm.cmark import Options  # type: ignore[import-untyped]
from hypothesis import strategies as st

PIECES = [
    "`", "``", "|", "<", ">", "[", "]", "(", ")", "@", "\\", "*", "_", "~", "#", "!", "&", ":", "'", '"', " ",
    "\n", "\r\n", "\n\n", "\t", "\u202e", "\u2066", "\u200b", "\u200d", "\ufeff", "\u2028", "\x00",
    "[x](https://evil.example)", "![i](https://evil.example/i.png)", "<https://evil.example>",
    "https://evil.example/p", "www.evil.example", "a@evil.example", "@octocat", "@org/team", "#1", ":tada:",
    "<img src=x onerror=alert(1)>", "<b>", "</b>", "<script>alert(1)</script>", "<!-- x -->", "<!--",
    "<!-- tablekit-plan-comment -->", "</details>", "<details>", "<summary>s</summary>", "</summary>",
    "\n</details>\n", "\n# heading\n", "\n- item\n", "\n> quote\n", "\n| a | b |\n|---|---|\n", "&lt;b&gt;",
    "&#60;", "```", "\n```\n", "[ref]: https://evil.example", "\\|", "-->",
]  # fmt: skip

hostile = st.lists(st.sampled_from(PIECES) | st.text(max_size=4), min_size=1, max_size=6).map("".join)
"""A string made of Markdown/HTML pieces and a little random text."""

hostile_name = hostile.filter(lambda s: s.strip() != "")


@dataclass
class Html(HTMLParser):
    """Tags, links, comments and the text outside code of one rendered comment."""

    tags: list[str] = field(default_factory=list)
    hrefs: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    text_outside_code: list[str] = field(default_factory=list)
    table_rows: list[int] = field(default_factory=list)
    _code_depth: int = 0
    _cells: int = 0

    def __post_init__(self) -> None:
        HTMLParser.__init__(self, convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in ("code", "pre"):
            self._code_depth += 1
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href") or "")
        if tag == "tr":
            self._cells = 0
        if tag in ("td", "th"):
            self._cells += 1

    def handle_endtag(self, tag: str) -> None:
        self.tags.append("/" + tag)
        if tag in ("code", "pre"):
            self._code_depth -= 1
        if tag == "tr":
            self.table_rows.append(self._cells)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def handle_data(self, data: str) -> None:
        if not self._code_depth:
            self.text_outside_code.append(data)


def to_html(markdown: str) -> str:
    return str(cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE))


def parse(markdown: str) -> Html:
    html = Html()
    html.feed(to_html(markdown))
    html.close()
    return html


# Everything the comment template itself writes; anything else came from plan content.
TEMPLATE_TAGS = frozenset(
    {
        "h2", "h3", "p", "strong", "em", "code", "ul", "li", "blockquote", "table", "thead", "tbody", "tr", "th",
        "td", "details", "summary", "a", "br",
    }
)  # fmt: skip


@st.composite
def secret(draw: st.DrawFn) -> str:
    """A distinctive leaf (so finding it in the output can only mean it leaked)."""
    return "S3CR3T" + draw(st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=10, max_size=10))


@st.composite
def plain(draw: st.DrawFn) -> str:
    return "pub" + draw(st.text("abcdefghijklmnopqrstuvwxyz", min_size=6, max_size=6))


def _marked_tree(depth: int) -> st.SearchStrategy[tuple[Any, Any]]:
    """(value, mark) pairs: the mark mirrors the value, `True` hides a whole subtree."""
    leaf = st.one_of(
        secret().map(lambda s: (s, True)),
        plain().map(lambda s: (s, False)),
        st.integers(-5, 5).map(lambda n: (n, False)),
        st.booleans().map(lambda b: (b, False)),
        st.none().map(lambda n: (n, False)),
    )
    if depth <= 0:
        return leaf

    child = _marked_tree(depth - 1)

    @st.composite
    def listed(draw: st.DrawFn) -> tuple[Any, Any]:
        items = draw(st.lists(child, max_size=4))
        return [v for v, _ in items], [m for _, m in items]

    @st.composite
    def mapped(draw: st.DrawFn) -> tuple[Any, Any]:
        keys = draw(st.lists(plain(), max_size=4, unique=True))
        items = {k: draw(child) for k in keys}
        return {k: v for k, (v, _) in items.items()}, {k: m for k, (_, m) in items.items() if m is not False}

    @st.composite
    def whole(draw: st.DrawFn) -> tuple[Any, Any]:
        """A wholly marked map or list: its keys are secret too."""
        keys = draw(st.lists(secret(), min_size=1, max_size=3, unique=True))
        return {k: draw(secret()) for k in keys}, True

    return st.one_of(leaf, listed(), mapped(), whole())


marked_value = _marked_tree(3)


def secrets_in(value: Any, mark: Any) -> set[str]:
    """Every string (and key) of `value` under a `True` mark: none may appear in the output."""
    found: set[str] = set()

    def leaves(v: Any) -> None:
        if isinstance(v, dict):
            for k, x in v.items():
                found.add(k)
                leaves(x)
        elif isinstance(v, list):
            for x in v:
                leaves(x)
        elif isinstance(v, str):
            found.add(v)

    def walk(v: Any, m: Any) -> None:
        if m is True:
            leaves(v)
        elif isinstance(v, dict) and isinstance(m, dict):
            for k, x in v.items():
                walk(x, m.get(k, False))
        elif isinstance(v, list) and isinstance(m, list):
            for x, mm in zip(v, m, strict=False):
                walk(x, mm)

    walk(value, mark)
    return {s for s in found if s.startswith("S3CR3T")}
