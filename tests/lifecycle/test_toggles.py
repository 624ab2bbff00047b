"""University's stream toggle, and its revert, converges on the local endpoint.

The toggles are read from the module README's inputs table (every `bool` input): each is wired
into tests/lifecycle/toggle_root (or listed in NOT_LOCAL with the reason). Every toggle that needs
no other with it is walked with the other families' toggles, all flipped in one apply and reverted
in one (tests/lifecycle/test_family_toggles.py). A toggle that needs another with it (TOGETHER:
stream off needs the processor off) walks here, in a group of its own on the university root; only
a failing walk is bisected (lifecycle_support.failing_toggles) to name the toggle. Where the local
endpoint cannot follow the revert (re-enabling a stream: "Cannot enable stream"), setup stops
before applying anything and offers `./just setup --recreate TABLE`; that command converges with
the seed data back in place.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest
from lifecycle_support import UNIVERSITY_ROOT, failing_toggles, holdings, new_endpoint, university_tree

from tablekit import envs
from tablekit.lifecycle import local_env
from tablekit.lifecycle.local_limits import CannotApplyLocally
from tablekit.paths import ROOT

README = ROOT / "modules" / "university" / "README.md"
# Documented bool inputs that are no local setting, and why.
NOT_LOCAL = {
    "replica_point_in_time_recovery": "replicas only; the local endpoint cannot create replicas",
    "replica_propagate_tags": "replicas only; the local endpoint cannot create replicas",
    "create_event_source_mapping": "a mapping on the local endpoint swallows the stream (tablekit stream consumes it)",
    "event_source_mapping_enabled": "only meaningful with a mapping (see create_event_source_mapping)",
}
# Where the local root's default differs from the module's (envs/local does the same, so teardown works).
LOCAL_DEFAULTS = {"deletion_protection_enabled": False}
# What a toggle needs with it, as the README says (stream off needs the processor off).
TOGETHER = {"stream_enabled": {"stream_processor_enabled": False}}


def documented_toggles() -> dict[str, bool]:
    """name => documented default of every `bool` input in the README's inputs table."""
    rows = re.findall(r"^\| `(\w+)` \| .*? \| `bool` \| `(true|false|null)` \|", README.read_text(), re.MULTILINE)
    return {name: LOCAL_DEFAULTS.get(name, default == "true") for name, default in rows}


def wired_defaults() -> dict[str, bool]:
    text = (UNIVERSITY_ROOT / "toggles.tf").read_text()
    return {
        name: default == "true"
        for name, default in re.findall(r'variable "(\w+)" \{[^}]*?default\s*=\s*(true|false)', text, re.DOTALL)
    }


def test_every_documented_toggle_is_walked():
    documented = documented_toggles()
    walked = set(documented) - set(NOT_LOCAL)
    assert set(NOT_LOCAL) <= set(documented), "NOT_LOCAL names an input the README no longer documents"
    assert wired_defaults() == {name: documented[name] for name in walked}, "toggle_root defaults must match the README"
    assert walked == set(wired_defaults()), "wire each documented toggle into toggle_root/toggles.tf or NOT_LOCAL"
    assert {"stream_enabled", "stream_processor_enabled", "point_in_time_recovery"} <= walked


@pytest.fixture(scope="module")
def source_root(tmp_path_factory):
    """A tree with the repository's modules/ and the toggle root as its envs/local."""
    return university_tree(tmp_path_factory.mktemp("toggle-tree"))


# One walk of each toggle that needs another with it (TOGETHER), on an endpoint and setup of its own:
# a test per walk. The others walk with every family's toggles in test_family_toggles.py.
WALKS = sorted(TOGETHER)


@pytest.mark.apply
@pytest.mark.slow
@pytest.mark.parametrize("walked", WALKS)
def test_each_toggle_and_its_revert_converge(tmp_path, source_root, capsys, walked):
    endpoint = new_endpoint(tmp_path / "endpoint")
    data = tmp_path / "env"

    def setup(values: dict[str, object], **options: object) -> local_env.SetupResult:
        return local_env.setup(
            "local", endpoint=endpoint, data_dir=data, quiet=True, variables=values, source_root=source_root, **options
        )

    def no_changes(values: dict[str, object]) -> int:
        ctx = envs.context("local", endpoint_url=endpoint.url, data_dir=data, variables=values, source_root=source_root)
        return envs.plan(ctx).counts().total

    defaults = wired_defaults()
    recreated: list[list[str]] = []

    def walk(group: Sequence[str]) -> str | None:
        flipped: dict[str, object] = {}
        for name in group:
            flipped |= {name: not defaults[name], **(TOGETHER.get(name, {}) if defaults[name] else {})}
        setup(flipped, seed=False)
        left_flipped = no_changes(flipped)
        capsys.readouterr()
        try:
            setup({})
        except CannotApplyLocally as exc:
            # Nothing was applied; the message is the one command that recreates just that table.
            assert "./just setup --recreate university" in str(exc), str(exc)
            assert [b.table for b in exc.blocked] == ["university"]
            recreated.append(list(group))
            setup({}, recreate=["university"])
        if left_flipped:
            return f"the plan after toggling still has {left_flipped} change(s)"
        if no_changes({}):
            return "the plan after reverting still has changes"
        if holdings(endpoint.url, first.tables) != baseline:
            return "items or aggregates differ after the revert"
        return None

    try:
        first = setup({})
        baseline = holdings(endpoint.url, first.tables)
        assert baseline["aggregates"] and no_changes({}) == 0
        group = [walked]
        assert set(group) <= set(defaults), group
        assert failing_toggles(group, walk) == {}
        # Re-enabling the stream is the change the local endpoint refuses (moto: Cannot enable stream).
        assert recreated == [["stream_enabled"]]
    finally:
        endpoint.stop()
