"""The upgrade from the last recorded release to this commit, as CI runs it: the real command, on a
fresh clone, for every env (one test per env, the clone shared).

This is how `.ci/run` (which runs the test suite) exercises upgrade-check on every submission: a
change that destroys a table or moves an address without its migration fails here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tablekit import cli
from tablekit.paths import BUILD, ROOT
from tablekit.upgrade import git, releases

pytestmark = [pytest.mark.apply, pytest.mark.slow]


@pytest.fixture(scope="module")
def fresh_clone(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, releases.Release]:
    """A fresh clone of this commit, and the release upgrade-check starts from (the last recorded)."""
    head = git.resolve(ROOT, "HEAD")
    assert head is not None
    clone = tmp_path_factory.mktemp("last-release") / "clone"
    subprocess.run(["git", "clone", "-q", "--no-checkout", str(ROOT), str(clone)], check=True, timeout=300)
    subprocess.run(["git", "-C", str(clone), "checkout", "-q", "--detach", head], check=True, timeout=300)
    return clone, head, releases.last_release(clone, releases.read(clone), head)


def test_upgrade_check_checks_every_env_unless_told_otherwise() -> None:
    """The runs below name their env (one test each); the command itself checks all three."""
    args = cli.build_parser().parse_args(["upgrade-check"])
    assert set(args.envs.split(",")) == {"local", "dev", "prod"}


@pytest.mark.parametrize("env", ["local", "dev", "prod"])
def test_upgrade_check_from_the_last_release_passes_on_a_fresh_clone(
    fresh_clone: tuple[Path, str, releases.Release], env: str, tmp_path: Path
) -> None:
    clone, _, expected = fresh_clone
    command = ["upgrade-check", "--from", releases.LAST_RELEASE, "--envs", env, "--json"]
    command += ["--data-dir", str(tmp_path / "check")]
    proc = subprocess.run(
        [sys.executable, "-m", "tablekit", *command],
        cwd=clone,
        # The clone's own tablekit (so it reads the clone), the toolchain built for this checkout.
        env={**os.environ, "PYTHONPATH": str(clone), "TABLEKIT_BUILD_DIR": str(BUILD)},
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert proc.returncode == 0, proc.stderr[-6000:]
    report = json.loads(proc.stdout)
    assert report["passed"] and report["from"]["release"] == expected.version
    assert report["from"]["commit"] == releases.commit_of(clone, expected)
    assert set(report["envs"]) == {env}
    for name, result in report["envs"].items():
        assert result["applied"] and result["seeded_items"] > 0, name
        assert len(result["items"]) == 35 and all(item["ok"] for item in result["items"]), name
        assert [f for f in result["findings"] if f["verdict"] == "FAIL"] == [], name
    print(f"upgrade-check of {env} from {expected.version}: {report['seconds']}s", file=sys.stderr)
