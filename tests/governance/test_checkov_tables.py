"""checkov's JSONPath parse tables (tablekit/review/checkov_tables.py): read, never rebuilt, and
parsing exactly as the grammar does.

Both run in the isolated checkov's own interpreter, the one the policy gate runs.
"""

from __future__ import annotations

import json
import subprocess

from tablekit.review import checkov_tables

# Attribute paths as checkov writes them for variable rendering (indexes, quoted parts with "/").
PATHS = [
    "$.tags",
    "$.global_secondary_index[0].name",
    "$.replica[1].region_name",
    '$.policy."aws:SourceArn/x".Effect',
    "$.point_in_time_recovery[0].enabled",
]

_PARSE = f"""
import json, sys
import ply.yacc
{{setup}}
from bc_jsonpath_ng import parse as base
from bc_jsonpath_ng.ext import parse as ext
print(json.dumps([[repr(base(p)), repr(ext(p))] for p in {PATHS!r}]))
"""
# Any parse that builds an LALR table instead of reading one fails.
_NEVER_BUILD = """
def refuse(*args, **kwargs):
    raise AssertionError("a JSONPath parse built its LALR table")
ply.yacc.LRGeneratedTable = refuse
"""
# As bc_jsonpath_ng alone would: no table to read, so every parse builds one from the grammar.
_NO_TABLES = "ply.yacc.LRTable.read_table = lambda self, module: None"


def _parse(setup: str) -> list[list[str]]:
    done = subprocess.run(
        [str(checkov_tables.ISOLATED_PYTHON), "-c", _PARSE.format(setup=setup)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    parsed: list[list[str]] = json.loads(done.stdout)
    return parsed


def test_the_isolated_checkov_reads_its_parse_tables_and_never_builds_one() -> None:
    """Fails on a checkout whose checkov has no tables: `./just` writes them."""
    assert len(_parse(_NEVER_BUILD)) == len(PATHS)


def test_with_the_tables_every_path_parses_as_the_grammar_alone_parses_it() -> None:
    assert _parse("") == _parse(_NO_TABLES)


def test_writing_the_tables_again_keeps_them() -> None:
    first = checkov_tables.write()
    texts = [path.read_text() for path in first]
    assert checkov_tables.write() == first and [path.read_text() for path in first] == texts
    assert [path.name for path in first] == [f"{checkov_tables.TABLE_MODULE}.py"] * 2
