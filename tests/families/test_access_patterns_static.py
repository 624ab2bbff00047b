"""Static rules of tablekit/access_patterns: only Query/GetItem, every pattern registered, no table names.

The runtime guard (ReadOnlyDynamo) catches a Scan on the paths the tests exercise; this reads the
source, so a Scan hidden in a branch no test reaches fails too.
"""

from __future__ import annotations

import ast
import inspect
import json
from pathlib import Path
from types import ModuleType

import pytest
from families_support import ReadOnlyDynamo

import tablekit.access_patterns as base
from tablekit.access_patterns import aitutor, bandup, ielts
from tablekit.paths import SEED_DATA

FAMILY_MODULES = {"bandup": bandup, "ielts-genai-prep": ielts, "aitutor": aitutor}
CLIENT_METHODS = {"query", "get_item"}  # boto3 names of ALLOWED_OPERATIONS


def _source_tree(module: ModuleType) -> ast.Module:
    return ast.parse(Path(inspect.getfile(module)).read_text())


@pytest.mark.parametrize("module", [base, *FAMILY_MODULES.values()], ids=lambda m: m.__name__)
def test_client_calls_are_query_or_get_item_only(module: ModuleType) -> None:
    for node in ast.walk(_source_tree(module)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "db"
        ):
            assert node.func.attr in CLIENT_METHODS, f"{module.__name__}:{node.lineno} calls db.{node.func.attr}"
        if isinstance(node, ast.Attribute):
            assert node.attr not in {"scan", "batch_get_item", "execute_statement"}, f"{module.__name__}:{node.lineno}"


@pytest.mark.parametrize("module", FAMILY_MODULES.values(), ids=lambda m: m.__name__)
def test_every_public_function_is_a_registered_pattern(module: ModuleType) -> None:
    public = {
        name
        for name, fn in inspect.getmembers(module, inspect.isfunction)
        if fn.__module__ == module.__name__ and not name.startswith("_")
    }
    assert public == set(module.PATTERNS)
    for name, fn in module.PATTERNS.items():
        assert list(inspect.signature(fn).parameters)[:2] == ["db", "config"], name
        assert fn.__doc__, f"{name} needs a docstring saying which documented read it is"


@pytest.mark.parametrize("family", FAMILY_MODULES)
def test_no_table_name_is_written_in_the_patterns(family: str) -> None:
    """Names come from app_config; a literal table name here would break the dev prefix."""
    source = Path(inspect.getfile(FAMILY_MODULES[family])).read_text()
    for path in (SEED_DATA / family).glob("*/*.json"):
        assert path.stem not in source, f"{path.stem} is hard-coded in {FAMILY_MODULES[family].__name__}"


def test_the_guard_refuses_scan_and_writes() -> None:
    class Client:
        def query(self, **_: object) -> dict:
            return {"Items": []}

    guard = ReadOnlyDynamo(Client())
    assert guard.query(TableName="t") == {"Items": []}
    for forbidden in ("scan", "put_item", "batch_get_item"):
        with pytest.raises(AssertionError, match="only Query or GetItem"):
            getattr(guard, forbidden)
    assert guard.calls == ["Query"]


def test_pattern_results_are_plain_json() -> None:
    """Decimals from DynamoDB come back as int/float, so results compare with the seed files directly."""
    item = base.from_dynamo({"n": {"N": "7.0"}, "f": {"N": "3.85"}, "l": {"L": [{"N": "1"}]}, "s": {"S": "x"}})
    assert json.loads(json.dumps(item)) == {"n": 7, "f": 3.85, "l": [1], "s": "x"}
