"""Module README generator: golden output on a fixture module, check mode, and the real modules."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tablekit.operations import module_docs
from tablekit.paths import MODULES

FIXTURE = Path(__file__).parent / "fixtures" / "docs_module"
GOLDEN = Path(__file__).parent / "golden" / "docs_module_README.md"


@pytest.fixture
def module(tmp_path: Path) -> Path:
    target = tmp_path / "docs_module"
    shutil.copytree(FIXTURE, target)
    return target


def test_generated_readme_matches_golden(module: Path) -> None:
    assert module_docs.sync([module]) == [module / "README.md"]
    text = (module / "README.md").read_text()
    if os.environ.get("TABLEKIT_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(text)
    assert text == GOLDEN.read_text()


def test_rendering_rules(module: Path) -> None:
    variables, outputs = module_docs.read_module(module)
    by_name = {v.name: v for v in variables}
    assert [v.name for v in variables][:2] == ["name", "schema"]  # declaration order
    assert by_name["name"].required and by_name["name"].default is None
    assert by_name["kms_key_arn"].default == "null" and not by_name["kms_key_arn"].required
    assert by_name["billing"].default == '{mode = "PAY_PER_REQUEST"}'
    assert by_name["billing"].type == "map(string)"
    assert by_name["name"].description.endswith('(a "rename" is a new table).')
    assert [o.name for o in outputs] == ["name", "connection"] and outputs[1].sensitive
    block = module_docs.render_block(module)
    assert "Capacity settings \\| merged" in block  # a pipe cannot break the table
    assert "### `schema`" in block and "### `alarm_operations` default" in block


def test_check_mode_reports_and_writes_nothing(module: Path) -> None:
    readme = module / "README.md"
    before = readme.read_text()
    assert module_docs.sync([module], check=True) == [readme]
    assert readme.read_text() == before
    module_docs.sync([module])
    assert module_docs.sync([module], check=True) == []
    text = readme.read_text()
    assert text.startswith("# docs_module\n\nHand-written prose above") and text.endswith("stays too.\n")


def test_readme_without_markers_gets_the_block_appended(module: Path) -> None:
    (module / "README.md").write_text("# Mine\n\nProse only.\n")
    module_docs.sync([module])
    text = (module / "README.md").read_text()
    assert text.startswith("# Mine\n\nProse only.\n\n" + module_docs.BEGIN) and text.rstrip().endswith(module_docs.END)


def test_cli_check_exit_codes(module: Path, tk, capsys: pytest.CaptureFixture[str]) -> None:
    assert tk("docs", ["--check", str(module)]) == 1
    assert "README.md" in capsys.readouterr().out
    assert tk("docs", [str(module)]) == 0
    assert tk("docs", ["--check", str(module)]) == 0


@pytest.mark.slow
def test_every_module_readme_is_current() -> None:
    modules = module_docs.module_dirs(MODULES)
    assert modules, "no modules found"
    stale = [str(p.relative_to(MODULES.parent)) for p in module_docs.sync(modules, check=True)]
    assert not stale, f"stale module READMEs, run `just docs`: {stale}"
