"""migrations/: reading the `terraform state mv` lines, simulating them, applying them to a real state."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from tablekit import cli
from tablekit.errors import OperationFailed, UserError
from tablekit.paths import ROOT
from tablekit.staging.copies import scratch_root
from tablekit.terraform.runner import Terraform
from tablekit.upgrade import migrations, releases
from tablekit.upgrade.migrations import Outcome

HERE = Path("migrations/unreleased.txt")


def moves(text: str) -> tuple[migrations.Move, ...]:
    return migrations.parse(text, HERE)


def test_lines_are_state_mv_commands_with_comments_and_blank_lines() -> None:
    parsed = moves(
        "# why\n\nterraform state mv 'module.a.aws_x.old[0]' 'module.a.aws_x.new[\"k\"]'  # trailing note\n"
        "terraform state mv module.legacy[0] 'module.table[\"legacy\"]'\n"
    )
    assert [(m.source, m.destination, m.line) for m in parsed] == [
        ("module.a.aws_x.old[0]", 'module.a.aws_x.new["k"]', 3),
        ("module.legacy[0]", 'module.table["legacy"]', 4),
    ]
    assert parsed[0].command() == "terraform state mv 'module.a.aws_x.old[0]' 'module.a.aws_x.new[\"k\"]'"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("terraform state rm 'aws_x.a'", "write `terraform state mv 'SOURCE' 'DESTINATION'`"),
        ("terraform state mv -dry-run 'aws_x.a' 'aws_x.b'", "no options"),
        ("terraform state mv 'aws_x.a'", "one move per line"),
        ("terraform state mv 'aws_x.a' 'aws_x.a'", "the same address"),
        ("terraform state mv 'aws_x.a' 'aws_y.a'", "keeps the kind and resource type"),
        ("terraform state mv 'module.m' 'aws_x.a'", "keeps the kind and resource type"),
        ("terraform state mv 'aws_x' 'aws_x.b'", "source 'aws_x' is not a Terraform address"),
        ("terraform state mv 'aws_x.a' 'module.m[0].aws_x.b[zero]'", "destination"),
        ("terraform state mv 'aws_x.a 'aws_x.b'", "cannot read the line"),
    ],
)
def test_bad_lines_name_the_file_and_line(line: str, message: str) -> None:
    with pytest.raises(UserError, match=message) as raised:
        moves(f"# ok\n{line}\n")
    assert str(raised.value).startswith("migrations/unreleased.txt:2: ")


def test_files_are_named_after_a_changelog_release(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="named after their release"):
        migrations.read_file(tmp_path / "2026-rename.txt")
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "v9.0.0.txt").write_text("")
    log = releases.parse("## v0.1.0\nCommit: abcdef1\n", tmp_path / "CHANGELOG.md")
    with pytest.raises(UserError, match=r"no CHANGELOG\.md section for v9\.0\.0"):
        migrations.check_against(log, migrations.read_all(tmp_path))


def simulate(addresses: list[str], text: str) -> list[tuple[str, Outcome, tuple[str, ...]]]:
    files = [migrations.MigrationFile("unreleased", HERE, moves(text))]
    return [(s.move.source, s.outcome, s.instances) for s in migrations.simulate(addresses, files)]


def test_simulation_moves_skips_and_finds_conflicts() -> None:
    state = ["aws_x.a[0]", 'aws_x.done["k"]', "module.m[0].aws_x.t", "module.m[0].aws_y.u[1]", "aws_x.ab", "aws_x.c"]
    text = (
        "terraform state mv 'aws_x.a[0]' 'aws_x.b[\"k\"]'\n"  # moves
        "terraform state mv 'aws_x.gone' 'aws_x.done'\n"  # destination present, source gone: done before
        "terraform state mv 'aws_x.never' 'aws_x.other'\n"  # neither: nothing of it in this env
        "terraform state mv 'module.m[0]' 'module.n[\"m\"]'\n"  # a module instance takes all its resources
        "terraform state mv 'aws_x.b[\"k\"]' 'aws_x.e'\n"  # chained: sees the first move's result
        "terraform state mv 'aws_x.a' 'aws_x.c'\n"  # aws_x.ab is not under aws_x.a, so this was done before
    )
    assert simulate(state, text) == [
        ("aws_x.a[0]", Outcome.MOVE, ("aws_x.a[0]",)),
        ("aws_x.gone", Outcome.DONE, ('aws_x.done["k"]',)),
        ("aws_x.never", Outcome.ABSENT, ()),
        ("module.m[0]", Outcome.MOVE, ("module.m[0].aws_x.t", "module.m[0].aws_y.u[1]")),
        ('aws_x.b["k"]', Outcome.MOVE, ('aws_x.b["k"]',)),
        ("aws_x.a", Outcome.DONE, ("aws_x.c",)),
    ]
    assert simulate(["aws_x.a", "aws_x.c"], "terraform state mv 'aws_x.a' 'aws_x.c'\n") == [
        ("aws_x.a", Outcome.CONFLICT, ("aws_x.a", "aws_x.c"))
    ]


def test_the_processor_alarm_migration_maps_every_old_address() -> None:
    (shipped,) = [m for name, m in migrations.read_all(ROOT).items() if name == "v0.1.0"]
    uni = "module.estate.module.university.aws_cloudwatch_metric_alarm"
    old = [f"{uni}.processor_errors[0]", f"{uni}.iterator_age[0]", f"{uni}.dlq_depth[0]"]
    steps = migrations.simulate([*old, "module.kms.aws_kms_key.this"], [shipped])
    assert [(s.outcome, s.move.destination) for s in steps] == [
        (Outcome.MOVE, f'{uni}.processor["errors"]'),
        (Outcome.MOVE, f'{uni}.processor["iterator-age"]'),
        (Outcome.MOVE, f'{uni}.processor["dlq-depth"]'),
    ]
    # local runs with alarms off: nothing of it there, every line is skipped
    assert {s.outcome for s in migrations.simulate(["module.kms.aws_kms_key.this"], [shipped])} == {Outcome.ABSENT}


ALARMS = """
resource "aws_cloudwatch_metric_alarm" "%(name)s" {
  %(repeat)s
  alarm_name          = "migrate-${%(key)s}"
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 1
}
"""


@pytest.mark.slow
@pytest.mark.apply
def test_migrate_lists_first_backs_up_moves_and_is_idempotent(endpoint_url: str, tmp_path: Path) -> None:
    old = ALARMS % {"name": "errors", "repeat": "count = 1", "key": "count.index"}
    new = ALARMS % {"name": "processor", "repeat": 'for_each = toset(["0"])', "key": "each.key"}
    case = scratch_root(tmp_path / "root", old, endpoint_url)
    tf = Terraform(case)
    tf.init()
    tf.apply()
    files = [
        migrations.MigrationFile(
            "unreleased", HERE, moves("terraform state mv 'aws_cloudwatch_metric_alarm.errors[0]' "
                                      "'aws_cloudwatch_metric_alarm.processor[\"0\"]'\n")
        )
    ]  # fmt: skip
    console = Console(record=True, width=200)

    dry = migrations.migrate(tf, files, tmp_path / "backups", dry_run=True, console=console)
    assert [s.outcome for s in dry] == [Outcome.MOVE]
    assert tf.state_list() == ["aws_cloudwatch_metric_alarm.errors[0]"], "a dry run moves nothing"
    assert not (tmp_path / "backups").exists()

    migrations.migrate(tf, files, tmp_path / "backups", console=console)
    text = console.export_text()
    assert text.index("what will move") < text.index("[1/1] terraform state mv"), "the list comes before moving"
    assert tf.state_list() == ['aws_cloudwatch_metric_alarm.processor["0"]']
    assert len(list((tmp_path / "backups").glob("state-before-migrate-*.tfstate"))) == 1

    (case / "main.tf").write_text(new)
    assert tf.plan(tmp_path / "after.tfplan").has_changes is False, "after the move the new code changes nothing"
    again = migrations.migrate(tf, files, tmp_path / "backups", console=console)
    assert [s.outcome for s in again] == [Outcome.DONE]


@pytest.mark.slow
@pytest.mark.apply
def test_a_conflict_stops_before_anything_moves(endpoint_url: str, tmp_path: Path) -> None:
    both = ALARMS % {"name": "a", "repeat": "", "key": '"a"'} + ALARMS % {"name": "b", "repeat": "", "key": '"b"'}
    tf = Terraform(scratch_root(tmp_path / "root", both, endpoint_url))
    tf.init()
    tf.apply()
    files = [
        migrations.MigrationFile(
            "unreleased",
            HERE,
            moves(
                "terraform state mv 'aws_cloudwatch_metric_alarm.x' 'aws_cloudwatch_metric_alarm.y'\n"
                "terraform state mv 'aws_cloudwatch_metric_alarm.a' 'aws_cloudwatch_metric_alarm.b'\n"
            ),
        )
    ]
    with pytest.raises(OperationFailed, match=r"unreleased.txt:2: both aws_cloudwatch_metric_alarm.a and"):
        migrations.migrate(tf, files, tmp_path / "backups", console=Console(file=io.StringIO()))
    assert sorted(tf.state_list()) == ["aws_cloudwatch_metric_alarm.a", "aws_cloudwatch_metric_alarm.b"]


@pytest.mark.slow
@pytest.mark.apply
def test_migrate_command_dry_run_on_local(
    endpoint_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["migrate", "local", "--dry-run", "--endpoint-url", endpoint_url, "--data-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "dry run, nothing moved" in err and err.count("not in this state") == 3
