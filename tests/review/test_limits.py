"""Big plans always fit GitHub's 65,536-character limit, and truncation never drops a loss or a
destroy: it cuts updates first, then creates, and says how many (issue: truncation)."""

from __future__ import annotations

import re
from typing import Any

import governance_support as gp
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tablekit.review.comment import GITHUB_COMMENT_LIMIT, render
from tablekit.review.markdown import utf16_len


def big_plan(updates: int, creates: int, destroys: int, losses: int, width: int) -> dict[str, Any]:
    pad = "x" * width
    changes = []
    for i in range(updates):
        before = gp.alarm(f"alarm-{i}", threshold=1)
        after = gp.alarm(f"alarm-{i}", threshold=2)
        changes.append(gp.update(f'module.m.aws_cloudwatch_metric_alarm.u["{pad}{i:05d}"]', before, after))
    for i in range(creates):
        changes.append(gp.create(f'module.m.aws_cloudwatch_metric_alarm.c["{pad}{i:05d}"]', gp.alarm(f"c{i}")))
    for i in range(destroys):
        changes.append(gp.destroy(f'module.m.aws_cloudwatch_metric_alarm.d["{pad}{i:05d}"]', gp.alarm(f"d{i}")))
    for i in range(losses):
        changes.append(gp.destroy(f'module.t["{pad}{i:05d}"].aws_dynamodb_table.this', gp.table(f"t{i}")))
    return gp.plan(changes)


LIMIT_CASES = 10


@pytest.mark.slow
@settings(max_examples=LIMIT_CASES)
@given(
    updates=st.integers(0, 2000),
    creates=st.integers(0, 1000),
    destroys=st.integers(0, 120),
    losses=st.integers(0, 40),
    width=st.integers(0, 40),
    envs=st.integers(1, 3),
)
# Found by this property: three envs of 132 destroys each overflowed until short destroy lines
# dropped the resource name and the "no reason" note. The corner keeps every bound at its maximum.
@example(updates=0, creates=0, destroys=113, losses=19, width=40, envs=3)
@example(updates=2000, creates=1000, destroys=120, losses=40, width=40, envs=3)
def test_big_plans_fit_and_keep_every_destroy(
    updates: int, creates: int, destroys: int, losses: int, width: int, envs: int
) -> None:
    plan = big_plan(updates, creates, destroys, losses, width)
    text = render([(f"env{i}", plan) for i in range(envs)])
    assert utf16_len(text) <= GITHUB_COMMENT_LIMIT
    assert text.count("<details") == text.count("</details>")
    for i in range(destroys):
        assert text.count(f'aws_cloudwatch_metric_alarm.d["{"x" * width}{i:05d}"]`') == envs
    for i in range(losses):
        address = f'`module.t["{"x" * width}{i:05d}"].aws_dynamodb_table.this`'
        assert text.count(address) in (envs, 2 * envs)  # banner (+ destroy list unless shortened)
    cut = re.search(r"cut (.*?)\. The banner", text)
    if cut:
        said = dict((what, int(n.replace(",", ""))) for n, _, what in re.findall(r"([\d,]+) of ([\d,]+) (\w+)", cut[1]))
        shown_updates = text.count("- 🟡 update in place")
        assert shown_updates + said.get("updates", 0) == updates * envs
        if "creates" in said:
            assert shown_updates == 0  # updates go first
    else:
        assert text.count("- 🟡 update in place") == updates * envs


def test_the_largest_plans_still_fit() -> None:
    """3,000 destroys cannot all be listed: the comment still fits and says so."""
    text = render([("prod", big_plan(0, 0, 3000, 5, 30))])
    assert utf16_len(text) <= GITHUB_COMMENT_LIMIT
    assert "Cut at the comment limit" in text
    assert text.count("aws_dynamodb_table.this`") >= 5  # the banner comes first
