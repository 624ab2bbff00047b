"""The processor zip is reproducible, and the handler stays importable on Lambda's python3.8."""

from __future__ import annotations

import ast
import glob
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from tablekit.paths import LAMBDA_SRC
from tablekit.staging.lambda_build import HANDLERS, build_all, source_code_hash

PACKAGE = LAMBDA_SRC / "university_stream"


def test_zip_is_byte_identical_across_builds_and_checkouts(tmp_path):
    first = build_all(out_dir=tmp_path / "a")["university-stream"]
    # A second checkout: same sources, different mtimes, a stray __pycache__.
    copy = tmp_path / "src"
    shutil.copytree(LAMBDA_SRC, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "university_stream" / "__pycache__").mkdir()
    (copy / "university_stream" / "__pycache__" / "x.cpython-38.pyc").write_bytes(b"junk")
    os.utime(copy / "university_stream" / "handler.py", (1, 1))
    second = build_all(src_root=copy, out_dir=tmp_path / "b")["university-stream"]

    assert first.read_bytes() == second.read_bytes()
    assert source_code_hash(first.read_bytes()) == source_code_hash(second.read_bytes())
    with zipfile.ZipFile(first) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert "university_stream/handler.py" in names
        assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_unchanged_zip_is_not_rewritten(tmp_path):
    path = build_all(out_dir=tmp_path)["university-stream"]
    os.utime(path, (1, 1))
    build_all(out_dir=tmp_path)
    assert path.stat().st_mtime == 1


def test_handler_name_matches_the_package():
    handler = HANDLERS["university-stream"]
    module, function = handler.rsplit(".", 1)
    source = LAMBDA_SRC / (module.replace(".", "/") + ".py")
    assert f"def {function}(" in source.read_text()
    assert f'"{handler}"' in (Path(__file__).parents[2] / "modules/university/lambda.tf").read_text()


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_handler_source_parses_as_python38(path):
    ast.parse(path.read_text(), filename=str(path), feature_version=(3, 8))


def _python38() -> str | None:
    found = shutil.which("python3.8")
    candidates = [found] if found else []
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.8*/bin/python3.8")))
    for candidate in candidates:
        probe = subprocess.run([candidate, "--version"], capture_output=True, text=True, check=False)
        if probe.returncode == 0:
            return candidate
    return None


def test_handler_runs_on_a_real_python38():
    """Syntax is not enough: a 3.9+ API (str.removeprefix, dict |) only fails when it runs."""
    python = _python38()
    if python is None:
        pytest.skip("no python3.8 interpreter on this machine")
    script = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from decimal import Decimal\n"
        "import university_stream.handler\n"
        "from university_stream.model import record_deltas, is_ttl_delete\n"
        "old = {'pk': 'assignment#a1', 'sk': 'student#1', 'entityType': 'submission', 'studentID': '1',"
        " 'courseID': '101', 'grade': Decimal('80')}\n"
        "new = dict(old, grade=Decimal('92.5'))\n"
        "assert record_deltas(old, new) == ({'agg#student#1': {'gradeSum': Decimal('12.5')},"
        " 'agg#course#101': {'gradeSum': Decimal('12.5')}}, None), record_deltas(old, new)\n"
        "roster = {'pk': 'course#7', 'sk': 'student#1', 'entityType': 'student'}\n"
        "assert record_deltas(roster, None, expired=True)[0] == {'agg#course#7': {'enrolledStudents': Decimal(-1),"
        " 'expiredEnrollments': Decimal(1)}}\n"
        "print('ok')\n"
    )
    result = subprocess.run([python, "-I", "-c", script, str(LAMBDA_SRC)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
