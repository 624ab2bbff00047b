"""The module's examples are working root modules: each applies on the local endpoint and the next
plan is empty.

Why an override file: the examples configure a plain `provider "aws"` for real accounts; a
`*_override.tf` next to them (Terraform merges it into the provider block) points the copy under
test at the session's moto server without changing the example.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from modules_support import Workdir

from tablekit.paths import MODULES
from tablekit.staging.copies import stage
from tablekit.staging.providers import endpoint_provider_hcl
from tablekit.terraform.plan import Action

pytestmark = [pytest.mark.apply, pytest.mark.slow]

EXAMPLES = sorted(p.name for p in (MODULES / "dynamodb-table" / "examples").iterdir() if list(p.glob("*.tf")))


def test_examples_are_found() -> None:
    assert {"basic", "provisioned-autoscaling"} <= set(EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_example_has_a_readme_naming_its_inputs_and_outputs(example: str) -> None:
    """A newcomer opens the example's folder first: its README says what it creates and how to run it."""
    root = MODULES / "dynamodb-table" / "examples" / example
    readme = root / "README.md"
    assert readme.is_file(), f"examples/{example} has no README.md"
    text = readme.read_text()
    main = "".join(p.read_text() for p in root.glob("*.tf"))
    for kind in ("variable", "output"):
        for name in re.findall(rf'^{kind} "(\w+)"', main, re.MULTILINE):
            assert f"`{name}`" in text, f"examples/{example}/README.md does not name the {kind} {name}"


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_applies_cleanly(tmp_path: Path, endpoint_url: str, example: str) -> None:
    root = stage(tmp_path) / "modules" / "dynamodb-table" / "examples" / example
    (root / "local_override.tf").write_text(endpoint_provider_hcl(endpoint_url))
    workdir = Workdir(root)
    workdir.init()
    changes = workdir.apply_changes()
    assert [rc.address for rc in changes.changes(types=["aws_dynamodb_table"])]
    assert all(rc.action == Action.CREATE for rc in changes.managed())
    assert changes.raw["outputs"], "examples should show what they created"
    clean, text = workdir.is_clean()
    assert clean, text
