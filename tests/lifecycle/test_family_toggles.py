"""Every documented toggle of the BandUp, AI Tutor and IELTS families, and its revert, converges locally.

The university family (stream included) has its own walk in test_toggles.py; this one covers the
other three. The toggles are every `bool` input of the family's README inputs table, so a new one
is walked without touching this test (or must be listed in NOT_LOCAL with the reason). Each family
gets a root of its own (a KMS key and the family, every toggle a variable). Every toggle is flipped
in one apply and reverted in one; after each the plan is "no changes" and the seeded items are
exactly what the first setup loaded. Only when that walk fails is it bisected
(lifecycle_support.failing_toggles), so the failure still names the toggle.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest
from lifecycle_support import failing_toggles, holdings, new_endpoint

from tablekit import envs
from tablekit.lifecycle import local_env
from tablekit.paths import ROOT

FAMILIES = {"bandup": "bandup", "aitutor": "aitutor", "ielts-genai-prep": "ielts_genai_prep"}
# Documented bool inputs that are no local setting, and why.
NOT_LOCAL = {
    ("ielts-genai-prep", "backup_enabled"): (
        "AWS Backup selections are not applied locally: setup stops naming the setting "
        "(tests/lifecycle/test_local_limits.py)"
    ),
}
# Where the local roots' default differs from the module's (envs/local does the same, so teardown works).
LOCAL_DEFAULTS = {"deletion_protection_enabled": False}
BOOL_ROW = re.compile(r"^\| `(\w+)` \| .*? \| `bool` \| `(true|false)` \|", re.MULTILINE)


def documented_toggles(family: str) -> dict[str, bool]:
    """name => local default of every documented `bool` input of the family, minus NOT_LOCAL."""
    readme = (ROOT / "modules" / family / "README.md").read_text()
    return {
        name: LOCAL_DEFAULTS.get(name, default == "true")
        for name, default in BOOL_ROW.findall(readme)
        if (family, name) not in NOT_LOCAL
    }


def root_tf(family: str, toggles: dict[str, bool]) -> str:
    """The family alone on the local endpoint, every toggle wired to a variable of the same name."""
    label = FAMILIES[family]
    variables = "".join(
        f'variable "{name}" {{\n  type    = bool\n  default = {str(default).lower()}\n}}\n\n'
        for name, default in toggles.items()
    )
    wired = "".join(f"  {name} = var.{name}\n" for name in toggles)
    return f"""{variables}module "kms" {{
  source                  = "../../modules/kms-key"
  alias_name              = "alias/tablekit-{family}-toggles"
  deletion_window_in_days = 7
}}

module "{label}" {{
  source      = "../../modules/{family}"
  environment = "local"
  kms_key_arn = module.kms.arn
{wired}}}

output "tables" {{
  value = module.{label}.tables
}}

output "families" {{
  value = {{ "{family}" = keys(module.{label}.tables) }}
}}
"""


def test_every_family_documents_toggles_and_not_local_names_real_inputs() -> None:
    for family in FAMILIES:
        toggles = documented_toggles(family)
        assert {"point_in_time_recovery", "alarms_enabled"} <= set(toggles), family
    for family, name in NOT_LOCAL:
        readme = (ROOT / "modules" / family / "README.md").read_text()
        assert f"| `{name}` |" in readme, f"NOT_LOCAL names {family}.{name}, which the README no longer documents"


@pytest.mark.apply
@pytest.mark.slow
@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_each_toggle_and_its_revert_converge(family: str, tmp_path: Path) -> None:
    toggles = documented_toggles(family)
    tree = tmp_path / "tree"
    shutil.copytree(ROOT / "modules", tree / "modules")
    local = tree / "envs" / "local"
    local.mkdir(parents=True)
    for name in ("providers.tf", "versions.tf", "variables.tf"):
        shutil.copy(ROOT / "envs" / "local" / name, local / name)
    (local / "main.tf").write_text(root_tf(family, toggles))
    endpoint = new_endpoint(tmp_path / "endpoint")
    data = tmp_path / "env"

    def setup(values: dict[str, object], **options: object) -> local_env.SetupResult:
        return local_env.setup(
            "local", endpoint=endpoint, data_dir=data, quiet=True, variables=values, source_root=tree, **options
        )

    def changes(values: dict[str, object]) -> int:
        ctx = envs.context("local", endpoint_url=endpoint.url, data_dir=data, variables=values, source_root=tree)
        return envs.plan(ctx).counts().total

    def walk(group: Sequence[str]) -> str | None:
        flipped = {name: not toggles[name] for name in group}
        setup(flipped, seed=False)
        left_flipped = changes(flipped)
        setup({})  # always back to the defaults, so a bisection's next walk starts clean
        if left_flipped:
            return f"the plan after flipping still has {left_flipped} change(s)"
        if changes({}):
            return "the plan after reverting still has changes"
        now = holdings(endpoint.url, first.tables)
        if now["items"] != baseline["items"] or now["tables"] != baseline["tables"]:
            return "items or tables differ after the revert"
        return None

    try:
        first = setup({})
        baseline = holdings(endpoint.url, first.tables)
        assert baseline["items"] and sum(baseline["items"].values()) > 0, f"{family}: nothing was seeded"
        assert changes({}) == 0
        assert failing_toggles(sorted(toggles), walk) == {}, family
    finally:
        endpoint.stop()


def test_a_walk_that_converges_costs_one_walk_and_a_failing_one_names_its_toggle() -> None:
    calls: list[tuple[str, ...]] = []

    def walk_breaking(*broken: str):
        def walk(group: Sequence[str]) -> str | None:
            calls.append(tuple(group))
            return "changes left" if set(broken) & set(group) else None

        return walk

    names = ["a", "b", "c", "d", "e"]
    assert failing_toggles(names, walk_breaking()) == {} and calls == [tuple(names)]
    assert failing_toggles(names, walk_breaking("d")) == {"d": "changes left"}
    assert failing_toggles(names, walk_breaking("a", "e")) == {"a": "changes left", "e": "changes left"}

    def only_b_with_c(group: Sequence[str]) -> str | None:
        return "changes left" if {"b", "c"} <= set(group) else None

    # Neither half fails alone: the combination is named, never reported as converging.
    assert failing_toggles(["b", "c"], only_b_with_c) == {"b+c": "only together: changes left"}
