"""Hypothesis strategies: hostile plan text, and nested values with sensitivity marks.

Hostile text mixes every character GitHub Markdown gives meaning to with the constructs an attacker
would try as whole pieces (links, images, autolinks, mentions, HTML, a fake hidden marker, a closing
`</details>`, newlines that start new blocks, bidi overrides and zero-width characters).
"""

from __future__ import annotations

from typing import Any

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
