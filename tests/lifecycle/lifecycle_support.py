"""Helpers of the lifecycle tests: an endpoint per test, what the estate holds, leftover processes."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from commands.commands_support import live_processes

from tablekit import aws
from tablekit.endpoint.probes import free_port
from tablekit.endpoint.server import Endpoint
from tablekit.paths import ROOT

UNIVERSITY_ROOT = ROOT / "tests" / "lifecycle" / "toggle_root"


def university_tree(tree: Path) -> Path:
    """A source tree (envs.context's source_root) whose envs/local is the university family alone.

    The repository's modules/ with tests/lifecycle/toggle_root as envs/local (every documented
    toggle a variable): a small root for the tests that need an apply but not the whole estate.
    """
    shutil.copytree(ROOT / "modules", tree / "modules")
    shutil.copytree(UNIVERSITY_ROOT, tree / "envs" / "local")
    for name in ("providers.tf", "versions.tf", "variables.tf"):
        shutil.copy(ROOT / "envs" / "local" / name, tree / "envs" / "local" / name)
    return tree


def scratch_tmpdir(tmp_path: Path) -> Path:
    """A TMPDIR inside the test's directory for processes the test ends on purpose: what they cannot
    clean up (plugin sockets, Terraform's crash-log buffer) stays there, not in the system's."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    return scratch


def new_endpoint(directory: Path) -> Endpoint:
    """A moto server of this test alone (it is stopped and restarted, so not the session's)."""
    endpoint = Endpoint(port=free_port(), state_dir=directory)
    endpoint.start(timeout=60)
    return endpoint


def holdings(endpoint_url: str, tables: dict[str, Any]) -> dict[str, Any]:
    """Item count of every table, the university aggregates, and the estate's other objects by name."""
    clients = aws.clients(endpoint_url)
    db = clients.client("dynamodb")
    counts = {}
    for name in sorted(tables):
        pages = db.get_paginator("scan").paginate(TableName=name, Select="COUNT")
        counts[name] = sum(page["Count"] for page in pages)
    aggregates = {}
    if "university" in tables:
        pages = db.get_paginator("scan").paginate(TableName="university")
        for page in pages:
            for item in page["Items"]:
                if item["pk"]["S"].startswith("agg#"):
                    aggregates[item["pk"]["S"]] = {
                        k: v["N"] for k, v in item.items() if "N" in v and k not in ("v", "updatedAt")
                    }
    functions = sorted(f["FunctionName"] for f in clients.client("lambda").list_functions()["Functions"])
    keys = clients.client("kms").list_keys()["Keys"]
    live_keys = [
        k["KeyId"]
        for k in keys
        if clients.client("kms").describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"] == "Enabled"
    ]
    return {
        "tables": sorted(n for page in db.get_paginator("list_tables").paginate() for n in page["TableNames"]),
        "items": counts,
        "aggregates": aggregates,
        "functions": functions,
        "enabled_keys": len(live_keys),
    }


def failing_toggles(
    names: Sequence[str], walk: Callable[[Sequence[str]], str | None], known: str | None = None
) -> dict[str, str]:
    """name => why, for every toggle whose flip-and-revert does not converge, found by bisection.

    `walk(group)` flips every toggle of the group in one apply, reverts them all in one, and returns
    why that did not converge (None when both plans were empty and the holdings unchanged). It
    always ends on the defaults, so the next call starts clean. A family whose toggles all converge
    costs one walk instead of one per toggle; only a failing group is split in halves, so a broken
    toggle is still named alone, at about two walks per halving. A group that fails while each
    half converges fails by the combination: it is reported under all its names, joined by "+".
    `known` is why the whole group's walk already failed (a walk run step by step), so it is not
    walked again.
    """
    why = known if known is not None else walk(names)
    if why is None:
        return {}
    if len(names) == 1:
        return {names[0]: why}
    half = len(names) // 2
    found = failing_toggles(names[:half], walk) | failing_toggles(names[half:], walk)
    return found or {"+".join(names): f"only together: {why}"}


def group_ids(data_dir: Path) -> list[int]:
    """Process groups the terraform runner recorded for an env data directory (runs not yet ended)."""
    records = data_dir / "tfdata" / "terraform-groups"
    return sorted(int(p.name) for p in records.glob("[0-9]*")) if records.is_dir() else []


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def processes_using(path: Path) -> list[str]:
    """Command lines of live processes that mention `path` in their arguments or environment."""
    needle = str(path).encode()
    return [
        cmdline.replace(b"\0", b" ").decode(errors="replace")
        for _, cmdline, environ in live_processes()
        if needle in cmdline or needle in environ
    ]
