"""Render a comment with GitHub's own Markdown library and describe the HTML it produces.

cmarkgfm is the C library github.com renders comments with. It runs here with raw HTML allowed
(GitHub passes raw HTML through and sanitizes afterwards), so anything plan content manages to turn
into an element, a link or a comment shows up in `Html` and fails the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import cmarkgfm  # type: ignore[import-untyped]
from cmarkgfm.cmark import Options  # type: ignore[import-untyped]


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
