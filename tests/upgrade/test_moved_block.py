"""A `moved` block inside a module upgrades every consumer in place (issue 20).

From now on every address change inside a module ships as a `moved` block in that module
(Terraform >= 1.1 applies it for any consumer, `git::...//modules/x?ref=vX` included). The offline
double (Terraform 1.0.3) does not know `moved` blocks: staging drops them from its copy and
tablekit.upgrade.migrations.moved_moves turns the same blocks into the equivalent `terraform state mv`
lines for the project's own envs, so upgrade-check proves the result on the double as it did
before. Shown once here: every table of the estate (`aws_dynamodb_table.this` of
modules/dynamodb-table) is renamed in a copy of this tree, with its `moved` block; local at HEAD
is applied and seeded, then the renamed tree is upgrade-checked against it: 0 destroyed and every
item kept. No resource of the committed estate is renamed.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tablekit.paths import ROOT
from tablekit.staging import compat
from tablekit.upgrade import migrations, upgrade_check
from tablekit.upgrade.migrations import Outcome

pytestmark = [pytest.mark.apply, pytest.mark.slow]

MOVED = "moved {\n  from = aws_dynamodb_table.this\n  to   = aws_dynamodb_table.renamed\n}\n"


def renamed_tree(dest: Path) -> Path:
    """modules/ and envs/ of this tree with the table resource renamed and its moved block added."""
    for rel in ("modules", "envs"):
        shutil.copytree(ROOT / rel, dest / rel, ignore=shutil.ignore_patterns(".terraform", "backend.hcl"))
    module = dest / "modules" / "dynamodb-table"
    for path in module.glob("*.tf"):
        text = path.read_text()
        text = text.replace('resource "aws_dynamodb_table" "this"', 'resource "aws_dynamodb_table" "renamed"')
        text = re.sub(r"\baws_dynamodb_table\.this\b", "aws_dynamodb_table.renamed", text)
        path.write_text(text)
    (module / "moved.tf").write_text("# The table resource was renamed (test of issue 20).\n" + MOVED)
    return dest


@pytest.fixture(scope="module")
def local_at_head(tmp_path_factory: pytest.TempPathFactory) -> Iterator[upgrade_check.EnvRun]:
    data_dir = tmp_path_factory.mktemp("moved-block")
    prepared = upgrade_check.prepare(ROOT, "HEAD", data_dir=data_dir, require_clean=False)
    tree = upgrade_check.export_ref(prepared)
    run = upgrade_check.EnvRun(
        "local",
        ref_tree=tree,
        head_tree=renamed_tree(data_dir / "head"),
        data_dir=data_dir / "local",
        ref_label="HEAD",
        migration_files=[],
        ref_lambda_zip=upgrade_check.build_lambdas(tree, data_dir / "ref-lambda"),
    )
    run.start()
    try:
        run.prepare()
        yield run
    finally:
        run.stop()


def test_the_double_gets_the_moved_block_as_state_moves(local_at_head: upgrade_check.EnvRun) -> None:
    run = local_at_head
    blocks = compat.moved_blocks(run.head_tree)
    assert [(b.path, b.source, b.destination) for b in blocks] == [
        ("modules/dynamodb-table/moved.tf", "aws_dynamodb_table.this", "aws_dynamodb_table.renamed")
    ]
    ctx, tf = run._head_run()
    staged = (ctx.stage_root / "modules" / "dynamodb-table" / "moved.tf").read_text()
    assert "moved" not in staged.replace("# The table resource was renamed", ""), "the double's copy drops it"
    moves = migrations.moved_moves(run.head_tree, "local", tf.state_list())
    tables = [a for a in tf.state_list() if a.endswith("aws_dynamodb_table.this")]
    assert len(tables) == 35 and len(moves.moves) == 35
    assert {m.source for m in moves.moves} == set(tables)


def test_upgrade_check_keeps_every_table_and_item(local_at_head: upgrade_check.EnvRun) -> None:
    run = local_at_head
    steps = run.migrate()
    assert sum(1 for s in steps if s.outcome == Outcome.MOVE) == 35
    run.plan_head()
    assert run.result.findings == [] and run.result.counts.destroys == 0, run.result.findings
    checks = run.apply_and_verify()
    assert len(checks) == 35 and all(c.ok for c in checks), [c.problem for c in checks if not c.ok]
    assert run.result.seeded > 0 and sum(c.before.items for c in checks) == run.result.seeded
    assert run.result.passed
