"""PLY parse tables for checkov's JSONPath parser, written once into the isolated checkov venv.

Why: while it renders variables, checkov 3.3 parses every distinct attribute path with
bc_jsonpath_ng, and bc_jsonpath_ng has PLY build its LALR table from the grammar on every parse
(it turns PLY's table file off). On this repository's envs that is about a quarter of each scan
(envs/dev: 28.8 s without the tables, 21.1 s with them, the same findings). PLY reads a table
module that sits next to the parser instead, but only when the module's grammar signature matches
the parser's (otherwise it builds the table as before), so the tables change how fast checkov
parses, never what it parses.

Only the isolated install (`build/venvs/checkov`, made by `./just`) is touched: a checkov named by
TABLEKIT_CHECKOV or found on PATH belongs to someone else. `./just` runs this after installing
checkov; running it again is harmless (an up-to-date table is left as it is).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tablekit.paths import ROOT
from tablekit.review.policy import ISOLATED_VENV

ISOLATED_PYTHON = ISOLATED_VENV / "bin" / "python"
TABLE_MODULE = "parser_jsonpath_parsetab"  # the name bc_jsonpath_ng asks PLY for

# Runs in checkov's interpreter (its ply and bc_jsonpath_ng). Each table is written into a temporary
# directory beside its parser and moved into place, so a checkov starting meanwhile reads either no
# table or a whole one. yacc() writes nothing when a matching table is already there.
_WRITE = f"""
import os, sys, tempfile
import ply.yacc
from bc_jsonpath_ng.parser import JsonPathParser
from bc_jsonpath_ng.ext.parser import ExtentedJsonPathParser

for parser in (JsonPathParser, ExtentedJsonPathParser):
    package_dir = os.path.dirname(sys.modules[parser.__module__].__file__)
    with tempfile.TemporaryDirectory(dir=package_dir) as tmp:
        ply.yacc.yacc(module=parser(), tabmodule={TABLE_MODULE!r}, outputdir=tmp, write_tables=True,
                      start="jsonpath", debug=False, errorlog=ply.yacc.NullLogger())
        written = os.path.join(tmp, {TABLE_MODULE!r} + ".py")
        if os.path.exists(written):
            os.replace(written, os.path.join(package_dir, {TABLE_MODULE!r} + ".py"))
    print(os.path.join(package_dir, {TABLE_MODULE!r} + ".py"))
"""


def write() -> list[Path]:
    """Write (or keep) both parse tables in the isolated checkov venv; returns their paths."""
    done = subprocess.run(
        [str(ISOLATED_PYTHON), "-c", _WRITE], capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"writing checkov's JSONPath parse tables failed:\n{done.stderr[-2000:]}")
    return [Path(line) for line in done.stdout.splitlines() if line]


def main() -> int:
    if not ISOLATED_PYTHON.exists():
        print("tablekit: no isolated checkov (build/venvs/checkov): nothing to prepare", file=sys.stderr)
        return 0
    for path in write():
        print(f"checkov JSONPath parse table: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
