"""Plan text cannot change the structure of the comment (issue: Markdown/HTML injection).

The comment is rendered with cmarkgfm (GitHub's own renderer). The main property: a plan full of
hostile strings renders to exactly the same HTML element structure as the same plan with every
string replaced by a harmless token -- so no string added a link, an image, an element, a
`<details>`, a table cell or a comment. Around it: no `@` outside code (GitHub's mention filter
skips code), no link but the workflow's own, the hidden marker exactly once, tables intact.
"""

from __future__ import annotations

from typing import Any, Callable

import governance_support as gp
import pytest
import review_support
from hypothesis import given, settings
from hypothesis import strategies as st
from review_support import hostile

from tablekit.review.comment import MARKER, Options, render_views
from tablekit.review.views import PolicyResult, failed, summarize
from tablekit.terraform.plan import Plan

RUN_URL = "https://github.com/org/repo/actions/runs/42"
STRINGS = 20


def build(s: Callable[[int], str]) -> list[Any]:
    """Env views of a plan that puts string i = s(i) into every place a plan carries text."""
    table = f'module.m["{s(0)}"].aws_dynamodb_table.this'
    before = gp.table("t", tags={s(1): s(2)})
    after = gp.table("t", tags={s(1): s(3), s(4): s(5)}, gsis=[{"name": s(6), "hash_key": "pk"}])
    update = gp.update(table, before, after)
    gone = gp.destroy(f'aws_dynamodb_table.t["{s(8)}"]', gp.table(s(7)))
    replaced = gp.replace(f"aws_dynamodb_table.r{len(s(1)) % 3}", before, after, paths=[["tags", s(1)]])
    replaced["action_reason"] = s(16)
    moved = gp.change(
        "aws_dynamodb_table.moved",
        ["no-op"],
        before,
        before,
        previous_address=f'aws_x.old["{s(9)}"]',
        importing={"id": s(10)},
    )
    deposed = gp.change("aws_dynamodb_table.old", ["delete"], before, None, deposed=s(15))
    for entry in (update, gone):  # governance_support guesses type and name from the address; the keys may hold dots
        entry["type"], entry["name"] = "aws_dynamodb_table", "this"
    doc = gp.plan(
        [update, gone, replaced, moved, deposed],
        resource_drift=[gp.change(table, ["update"], after, before)],
        output_changes={s(11): gp.output(["update"], s(12), s(2))},
        diagnostics=[{"severity": "error", "summary": s(13), "detail": s(14)}],
    )
    policy = PolicyResult(failed=2, passed=1, check_ids=(s(19), "CKV_AWS_28"))
    return [
        summarize(s(17), Plan.parse(doc), policy),
        failed(s(17) + "2", f"Terraform log\nError: {s(18)}\nmore"),
    ]


def render_with(s: Callable[[int], str]) -> str:
    return render_views(build(s), Options(run_url=RUN_URL, report_url=RUN_URL + "/report"))


def tokens(strings: list[str]) -> Callable[[int], str]:
    """Harmless stand-ins: equal strings get equal tokens (diffs compare values); blank ones stay
    as they are (the renderer treats a blank summary as missing)."""
    index: dict[str, str] = {}
    for text in strings:
        index.setdefault(text, f"tok{len(index)}" if text.strip() else text)
    return lambda i: index[strings[i]]


ESCAPING_CASES = 120


@pytest.mark.slow
@settings(max_examples=ESCAPING_CASES)
@given(st.lists(hostile, min_size=STRINGS, max_size=STRINGS))
def test_hostile_plan_text_never_changes_the_comment_structure(strings: list[str]) -> None:
    text = render_with(lambda i: strings[i])
    html = review_support.parse(text)
    safe = review_support.parse(render_with(tokens(strings)))
    assert html.tags == safe.tags
    assert set(t.lstrip("/") for t in html.tags) <= review_support.TEMPLATE_TAGS
    assert html.comments == [" tablekit-plan-comment "]
    assert text.count(MARKER) == 1 and text.startswith(MARKER + "\n")
    assert set(html.hrefs) <= {RUN_URL, RUN_URL + "/report", RUN_URL + "#artifacts"}
    assert not any("@" in chunk for chunk in html.text_outside_code)
    assert html.tags.count("details") == html.tags.count("/details") == 1
    assert html.table_rows and set(html.table_rows) == {9}


def test_the_reported_attacks_render_as_text() -> None:
    """The bug report's examples, checked one by one against cmarkgfm's HTML."""
    attacks = [
        "[live](https://evil.example)",
        "![img](https://evil.example/x.png)",
        "@octocat please approve",
        "</details><details><summary>fake</summary>",
        "<!-- tablekit-plan-comment -->",
        "line1\n\n# injected heading",
        "a | b | c",
        "\u202eevil\u202c and zero\u200bwidth",
        "www.evil.example and a@evil.example",
        "`` ` ``",
    ]
    for attack in attacks:

        def strings(i: int, a: str = attack) -> str:
            return a if i in (1, 4, 13, 17) else f"s{i}"  # a tag key, a tag, a diagnostic, the env name

        html = review_support.parse(render_with(strings))
        assert set(html.hrefs) <= {RUN_URL, RUN_URL + "/report", RUN_URL + "#artifacts"}, attack
        assert "img" not in html.tags, attack
        assert html.tags.count("details") == html.tags.count("/details") == 1, attack
        assert html.comments == [" tablekit-plan-comment "], attack
        assert not any("@" in chunk for chunk in html.text_outside_code), attack
        assert set(html.table_rows) == {9}, attack


def test_invisible_characters_are_shown_not_obeyed() -> None:
    text = render_with(lambda i: "left\u202eright\u200b" if i == 1 else f"s{i}")
    assert "\u202e" not in text and "\u200b" not in text
    assert "left\\u202eright\\u200b" in text


def test_code_spans_keep_backticks_exactly() -> None:
    html = review_support.to_html(render_with(lambda i: "a``b`" if i == 17 else f"s{i}"))
    assert "<code>a``b`</code>" in html
