"""docs/queries.md shows the command's real output: each `<!-- output: ARGS -->` block is regenerated
by running `tablekit ARGS` (COLUMNS=100) and must equal what the page shows, so it cannot rot."""

from __future__ import annotations

import shlex

import pytest

from tablekit.cli import main
from tablekit.paths import ROOT

PAGE = ROOT / "docs" / "queries.md"
MARK = "<!-- output: "


def documented_outputs() -> list[tuple[str, str]]:
    """(arguments, the text block that follows them) of every output marker of the page."""
    lines = PAGE.read_text().splitlines()
    found = []
    for number, line in enumerate(lines):
        if line.startswith(MARK):
            args = line.removeprefix(MARK).removesuffix(" -->")
            assert lines[number + 1] == "```text", f"docs/queries.md:{number + 2}: a ```text block must follow"
            end = lines.index("```", number + 2)
            found.append((args, "\n".join(lines[number + 2 : end])))
    return found


def test_the_page_shows_the_seed_example_and_a_run() -> None:
    assert [args for args, _ in documented_outputs()] == [
        "check-queries local --source tests/queries/fixtures/seeds",
        "check-queries local --source tests/queries/fixtures/seeds/ielts_001.py --run",
    ]


@pytest.mark.slow
@pytest.mark.parametrize("args,shown", documented_outputs(), ids=lambda v: v if "check-queries" in v else "")
def test_documented_output_is_the_real_output(args, shown, local_declared, monkeypatch, capsys) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.chdir(ROOT)
    code = main(shlex.split(args))
    assert code == 1
    assert capsys.readouterr().out.rstrip("\n") == shown
