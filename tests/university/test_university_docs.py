"""The module README's generated inputs/outputs block is current (the same check as `just docs-check`)."""

from __future__ import annotations

from tablekit.operations.module_docs import sync
from tablekit.paths import MODULES


def test_readme_tables_match_variables_and_outputs():
    stale = sync([MODULES / "university"], check=True)
    assert stale == [], "modules/university/README.md is stale: run `just docs`"
