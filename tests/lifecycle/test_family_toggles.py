"""Every documented toggle of the four families, and its revert, converges locally: one walk.

The toggles are every `bool` input of each family's README inputs table, so a new one is walked
without touching this test (or must be listed in NOT_LOCAL with the reason). The four families
share one root (a KMS key and each family, every toggle a variable named `<family>__<toggle>`),
on an endpoint of their own: the baseline is applied and seeded once, every toggle of every family
is flipped in one apply and reverted in one. After each the plan is "no changes", and after the
revert the seeded items, university's stream aggregates and the other objects are exactly what
the first setup made. Only when the walk fails is it bisected (lifecycle_support.failing_toggles),
so the failure still names the toggle and its family.

The walk is three tests, one per step (baseline, flip, revert), that share the root in order (one
xdist worker runs this file). University's `stream_enabled` needs `stream_processor_enabled` off
with it and cannot be re-enabled in place on the local endpoint: test_toggles.py walks it alone,
through the `--recreate` the harness offers.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from lifecycle_support import failing_toggles, holdings, new_endpoint

from tablekit import envs
from tablekit.endpoint.server import Endpoint
from tablekit.lifecycle import local_env
from tablekit.paths import ROOT

# module directory => the module's name in the root
FAMILIES = {
    "bandup": "bandup",
    "aitutor": "aitutor",
    "ielts-genai-prep": "ielts_genai_prep",
    "university": "university",
}
# Documented bool inputs that are no local setting (or walk elsewhere), and why.
NOT_LOCAL = {
    ("ielts-genai-prep", "backup_enabled"): (
        "AWS Backup selections are not applied locally: setup stops naming the setting "
        "(tests/lifecycle/test_local_limits.py)"
    ),
    ("university", "replica_point_in_time_recovery"): "replicas only; the local endpoint cannot create replicas",
    ("university", "replica_propagate_tags"): "replicas only; the local endpoint cannot create replicas",
    ("university", "create_event_source_mapping"): (
        "a mapping on the local endpoint swallows the stream (tablekit stream consumes it)"
    ),
    ("university", "event_source_mapping_enabled"): "only meaningful with a mapping (see create_event_source_mapping)",
    ("university", "stream_enabled"): (
        "needs stream_processor_enabled off with it, and re-enabling goes through --recreate: "
        "tests/lifecycle/test_toggles.py walks it alone"
    ),
}
# Where the local roots' default differs from the module's (envs/local does the same, so teardown works).
LOCAL_DEFAULTS = {"deletion_protection_enabled": False}
BOOL_ROW = re.compile(r"^\| `(\w+)` \| .*? \| `bool` \| `(true|false)` \|", re.MULTILINE)
SEP = "__"  # <family label>__<toggle>: the root's variable of one toggle


def documented_toggles(family: str) -> dict[str, bool]:
    """name => local default of every documented `bool` input of the family, minus NOT_LOCAL."""
    readme = (ROOT / "modules" / family / "README.md").read_text()
    return {
        name: LOCAL_DEFAULTS.get(name, default == "true")
        for name, default in BOOL_ROW.findall(readme)
        if (family, name) not in NOT_LOCAL
    }


def every_toggle() -> dict[str, bool]:
    """`<family label>__<toggle>` => local default, for every family."""
    return {
        f"{label}{SEP}{name}": default
        for family, label in FAMILIES.items()
        for name, default in documented_toggles(family).items()
    }


def root_tf(toggles: dict[str, bool]) -> str:
    """The four families on the local endpoint, every toggle wired to a variable of its own."""
    variables = "".join(
        f'variable "{name}" {{\n  type    = bool\n  default = {str(default).lower()}\n}}\n\n'
        for name, default in toggles.items()
    )
    modules = []
    for family, label in FAMILIES.items():
        wired = "".join(f"  {name.split(SEP, 1)[1]} = var.{name}\n" for name in toggles if name.startswith(label + SEP))
        extra = "  lambda_zip_path = var.lambda_zip_path\n  lambda_runtime  = var.lambda_runtime\n"
        modules.append(
            f'module "{label}" {{\n  source      = "../../modules/{family}"\n  environment = "local"\n'
            f"  kms_key_arn = module.kms.arn\n{extra if family == 'university' else ''}{wired}}}\n"
        )
    tables = ", ".join(f"module.{label}.tables" for label in FAMILIES.values())
    families = ", ".join(f'"{family}" = keys(module.{label}.tables)' for family, label in FAMILIES.items())
    return f"""{variables}module "kms" {{
  source                  = "../../modules/kms-key"
  alias_name              = "alias/tablekit-toggles"
  deletion_window_in_days = 7
}}

{chr(10).join(modules)}
output "tables" {{
  value = merge({tables})
}}

output "families" {{
  value = {{ {families} }}
}}

output "university" {{
  value = {{
    table_name    = module.university.table_names["university"]
    function_name = module.university.stream_processor_function_name
    dlq_url       = module.university.dlq_url
  }}
}}
"""


def test_every_family_documents_toggles_and_not_local_names_real_inputs() -> None:
    for family in FAMILIES:
        toggles = documented_toggles(family)
        assert {"point_in_time_recovery", "alarms_enabled"} <= set(toggles), family
    for family, name in NOT_LOCAL:
        readme = (ROOT / "modules" / family / "README.md").read_text()
        assert f"| `{name}` |" in readme, f"NOT_LOCAL names {family}.{name}, which the README no longer documents"
    # University's exclusions here are exactly test_toggles.py's: no local setting, or walked there.
    from test_toggles import NOT_LOCAL as UNIVERSITY_NOT_LOCAL
    from test_toggles import TOGETHER

    here = {name for family, name in NOT_LOCAL if family == "university"}
    assert here == set(UNIVERSITY_NOT_LOCAL) | set(TOGETHER), here ^ (set(UNIVERSITY_NOT_LOCAL) | set(TOGETHER))


@dataclass
class Walk:
    """The shared root of the walk: its endpoint, data dir, toggles, and what the baseline held."""

    tree: Path
    endpoint: Endpoint
    data: Path
    toggles: dict[str, bool]
    baseline: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, Any] = field(default_factory=dict)
    flipped: str | None = "not walked"  # why the flip did not converge (None: it did)

    def setup(self, values: dict[str, object], **options: object) -> local_env.SetupResult:
        return local_env.setup(
            "local",
            endpoint=self.endpoint,
            data_dir=self.data,
            quiet=True,
            variables=values,
            source_root=self.tree,
            **options,
        )

    def changes(self, values: dict[str, object]) -> int:
        ctx = envs.context(
            "local", endpoint_url=self.endpoint.url, data_dir=self.data, variables=values, source_root=self.tree
        )
        return envs.plan(ctx).counts().total

    def flip(self, group: Sequence[str]) -> str | None:
        """Flip every toggle of the group in one apply; why the plan after it is not empty."""
        flipped = {name: not self.toggles[name] for name in group}
        self.setup(flipped, seed=False)
        left = self.changes(flipped)
        return f"the plan after flipping still has {left} change(s)" if left else None

    def revert(self, flipped: str | None) -> str | None:
        """Back to the defaults in one apply (always, so a bisection's next walk starts clean)."""
        self.setup({})
        if flipped:
            return flipped
        if self.changes({}):
            return "the plan after reverting still has changes"
        if holdings(self.endpoint.url, self.tables) != self.baseline:
            return "items, aggregates or objects differ after the revert"
        return None

    def walk(self, group: Sequence[str]) -> str | None:
        return self.revert(self.flip(group))


@pytest.fixture(scope="module")
def walk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Walk]:
    """The four families' root, with every toggle a variable, on an endpoint of its own."""
    tmp = tmp_path_factory.mktemp("family-toggles")
    toggles = every_toggle()
    tree = tmp / "tree"
    shutil.copytree(ROOT / "modules", tree / "modules")
    local = tree / "envs" / "local"
    local.mkdir(parents=True)
    for name in ("providers.tf", "versions.tf", "variables.tf"):
        shutil.copy(ROOT / "envs" / "local" / name, local / name)
    (local / "main.tf").write_text(root_tf(toggles))
    endpoint = new_endpoint(tmp / "endpoint")
    try:
        yield Walk(tree=tree, endpoint=endpoint, data=tmp / "env", toggles=toggles)
    finally:
        endpoint.stop()


@pytest.mark.apply
@pytest.mark.slow
def test_the_four_families_at_their_defaults_converge_with_seed_data(walk: Walk) -> None:
    first = walk.setup({})
    walk.tables = first.tables
    walk.baseline = holdings(walk.endpoint.url, first.tables)
    assert len(first.tables) == 35 and "university" in first.tables, sorted(first.tables)  # the whole estate
    assert sum(walk.baseline["items"].values()) > 0, "nothing was seeded"
    assert walk.baseline["aggregates"], "the university stream was not drained into aggregates"
    assert walk.changes({}) == 0


@pytest.mark.apply
@pytest.mark.slow
def test_every_toggle_of_every_family_flipped_in_one_apply_converges(walk: Walk) -> None:
    assert walk.baseline, "needs the baseline step"
    for family, label in FAMILIES.items():
        assert any(name.startswith(label + SEP) for name in walk.toggles), f"{family}: no toggle walked"
    walk.flipped = walk.flip(sorted(walk.toggles))
    # A failure is named toggle by toggle in the revert step, which also puts the defaults back.
    assert walk.flipped is None, f"{walk.flipped} (the next test bisects it to the toggle)"


@pytest.mark.apply
@pytest.mark.slow
def test_every_toggle_reverted_in_one_apply_converges_with_the_same_items(walk: Walk) -> None:
    assert walk.baseline, "needs the baseline step"
    why = walk.revert(walk.flipped)
    if why is not None:
        # Bisect (each walk flips and reverts a group) so the failure names its toggles.
        names = sorted(walk.toggles)
        found = failing_toggles(names, walk.walk, known=why)
        assert found == {}, found


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
    # The first walk's result, when already known (the step-by-step walk), is not walked again.
    calls.clear()
    assert failing_toggles(names, walk_breaking("d"), known="changes left") == {"d": "changes left"}
    assert tuple(names) not in calls

    def only_b_with_c(group: Sequence[str]) -> str | None:
        return "changes left" if {"b", "c"} <= set(group) else None

    # Neither half fails alone: the combination is named, never reported as converging.
    assert failing_toggles(["b", "c"], only_b_with_c) == {"b+c": "only together: changes left"}
