"""The breakage that motivated upgrade-check: commit 6fa37d8 renamed the university processor alarms.

`aws_cloudwatch_metric_alarm.processor_errors[0]` and its two siblings became one `for_each`
resource (`processor["errors"]`, ...). Every env applied before that commit with alarms on (dev,
prod) would see the three live alarms destroyed and re-created. Here dev is applied at the commit
before the rename and seeded; this tree planned against that state fails the check without the
migration, and passes with `migrations/v0.1.0.txt` (the apply then keeps every item).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tablekit.paths import ROOT
from tablekit.upgrade import upgrade_check
from tablekit.upgrade.migrations import Outcome
from tablekit.upgrade.verdicts import Verdict

pytestmark = [pytest.mark.apply, pytest.mark.slow]

UNI = "module.estate.module.university.aws_cloudwatch_metric_alarm"
RENAMED = {
    f"{UNI}.processor_errors[0]": f'{UNI}.processor["errors"]',
    f"{UNI}.iterator_age[0]": f'{UNI}.processor["iterator-age"]',
    f"{UNI}.dlq_depth[0]": f'{UNI}.processor["dlq-depth"]',
}


@pytest.fixture(scope="module")
def dev_before_the_rename(tmp_path_factory: pytest.TempPathFactory) -> Iterator[upgrade_check.EnvRun]:
    """dev applied at 6fa37d8~1 on its own endpoint and seeded (this tree may have uncommitted edits)."""
    data_dir = tmp_path_factory.mktemp("alarm-rename")
    prepared = upgrade_check.prepare(ROOT, "6fa37d8~1", data_dir=data_dir, require_clean=False)
    tree = upgrade_check.export_ref(prepared)
    run = upgrade_check.EnvRun(
        "dev",
        ref_tree=tree,
        head_tree=prepared.repo,
        data_dir=data_dir / "dev",
        ref_label=upgrade_check.ref_label(prepared.source),
        migration_files=prepared.migration_files,
        ref_lambda_zip=upgrade_check.build_lambdas(tree, data_dir / "ref-lambda"),
    )
    run.start()
    try:
        run.prepare()
        yield run
    finally:
        run.stop()


def test_the_release_after_the_rename_ships_its_migration(dev_before_the_rename: upgrade_check.EnvRun) -> None:
    assert [f.name for f in dev_before_the_rename.migration_files] == ["v0.1.0"]


def test_without_the_migration_the_three_alarms_would_be_destroyed(dev_before_the_rename: upgrade_check.EnvRun) -> None:
    run = dev_before_the_rename
    assert set(RENAMED) <= set(run._head_run()[1].state_list())
    run.plan_head()
    failing = {f.address: f for f in run.result.failures}
    assert set(failing) == set(RENAMED)
    for old, new in RENAMED.items():
        assert failing[old].moved_to == new and failing[old].verdict == Verdict.FAIL
        assert failing[old].reason == f"its address changed to {new} without a migration"
        assert failing[old].suggestion == f"terraform state mv '{old}' '{new}'"
    assert run.result.counts.delete == 3 and run.result.counts.create == 3


def test_with_the_migration_nothing_is_destroyed_and_every_item_stays(
    dev_before_the_rename: upgrade_check.EnvRun,
) -> None:
    run = dev_before_the_rename
    steps = run.migrate()
    assert [(s.move.source, s.outcome) for s in steps] == [(old, Outcome.MOVE) for old in RENAMED]
    run.plan_head()
    assert run.result.findings == [] and run.result.counts.destroys == 0
    checks = run.apply_and_verify()
    assert len(checks) == 35 and all(c.ok for c in checks), [c.problem for c in checks if not c.ok]
    assert run.result.seeded > 0 and sum(c.before.items for c in checks) == run.result.seeded
    assert run.result.passed
