"""App-config export: exact names, both formats, and names a shell could not export rejected."""

from __future__ import annotations

import json

import pytest

from tablekit.operations import appconfig


def test_json_and_dotenv_are_sorted_and_exact(tmp_path) -> None:
    values = {"SESSIONS_TABLE": "ielts-genai-prep-sessions", "DYNAMODB_EVALUATIONS": "bandup-evaluations"}
    out = appconfig.write(values, tmp_path / "local.json")
    assert json.loads(out.read_text()) == values
    assert list(json.loads(out.read_text())) == sorted(values)
    env = appconfig.write(values, tmp_path / "local.env")
    assert env.read_text() == "DYNAMODB_EVALUATIONS=bandup-evaluations\nSESSIONS_TABLE=ielts-genai-prep-sessions\n"


def test_rejects_keys_that_are_not_env_var_names() -> None:
    with pytest.raises(ValueError, match=r"must be environment-variable names.*sessions-table"):
        appconfig.render({"sessions-table": "x"}, "json")
    with pytest.raises(ValueError, match="unknown format 'yaml'"):
        appconfig.render({"A": "x"}, "yaml")
