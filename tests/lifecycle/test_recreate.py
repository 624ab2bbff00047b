"""`setup --recreate TABLE`: which state address it replaces, and the mistakes it refuses."""

from __future__ import annotations

import json

import pytest

from tablekit import cli, envs
from tablekit.errors import UserError
from tablekit.lifecycle import converge, local_env

ADDRESS = 'module.estate.module.university.module.table["university"].aws_dynamodb_table.this'


def _ctx(tmp_path):
    state = {
        "version": 4,
        "outputs": {"tables": {"value": {"university": {}, "bandup-users": {}}}},
        "resources": [
            {
                "module": 'module.estate.module.university.module.table["university"]',
                "mode": "managed",
                "type": "aws_dynamodb_table",
                "name": "this",
                "instances": [{"attributes": {"name": "university", "id": "university"}}],
            }
        ],
    }
    (tmp_path / "terraform.tfstate").write_text(json.dumps(state))
    return envs.context("local", endpoint_url="http://127.0.0.1:1", data_dir=tmp_path)


def test_recreate_replaces_the_tables_state_address(tmp_path):
    assert converge.replace_addresses(_ctx(tmp_path), ["university"]) == [ADDRESS]
    said = []
    # Declared by the estate but not in the state (yet): nothing to replace, it is created anyway.
    assert converge.replace_addresses(_ctx(tmp_path), ["bandup-users"], say=said.append) == []
    assert "creates it anyway" in said[0]


def test_recreate_names_an_unknown_table(tmp_path):
    with pytest.raises(UserError, match=r"--recreate universty: the local estate has no table 'universty'; its tables"):
        converge.replace_addresses(_ctx(tmp_path), ["universty"])


def test_recreate_is_local_only_and_repeatable_on_the_cli():
    args = cli.build_parser().parse_args(["setup", "--recreate", "a", "--recreate", "b"])
    assert args.env == "local" and args.recreate == ["a", "b"]
    with pytest.raises(UserError, match="--recreate is for the local env only"):
        local_env.setup("prod", recreate=["university"])
