"""What the local env's applies planned and did, kept next to its state (two small JSON files).

- ``apply-pending.json``: the creates of an apply that has not finished. Written before the apply
  starts, removed when it succeeds. An apply killed half-way (Ctrl-C twice, a closed terminal,
  SIGKILL) leaves it behind, so `teardown` and `status` know which objects on the endpoint may
  exist without being in the state, without planning again. A second interrupted apply adds to it.
- ``apply-last.json``: a fingerprint of every table update the last successful apply made, so
  the next setup notices an update the endpoint silently ignored (``tablekit.lifecycle.local_limits``).

Both are plain files written atomically; losing them costs nothing but that knowledge.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from tablekit.envs.reconcile import PlannedCreate
from tablekit.terraform.plan import Plan


def _write(path: Path, data: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
    os.replace(tmp, path)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


class ApplyLog:
    """The two files of one env data directory."""

    def __init__(self, data_dir: Path):
        self.pending_path = Path(data_dir) / "apply-pending.json"
        self.last_path = Path(data_dir) / "apply-last.json"

    def pending(self) -> list[PlannedCreate]:
        """Creates of applies that started and never finished (oldest first)."""
        return [PlannedCreate.from_dict(item) for item in _read(self.pending_path).get("creates", [])]

    def begin(self, creates: Iterable[PlannedCreate]) -> None:
        known = {(c.address, c.type): c for c in self.pending()}
        for create in creates:
            known[(create.address, create.type)] = create
        _write(
            self.pending_path,
            {
                "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "creates": [c.as_dict() for c in known.values()],
            },
        )

    def finish(self, plan: Plan) -> None:
        """The apply of `plan` succeeded: remember its table updates, forget the pending creates."""
        from tablekit.lifecycle.local_limits import fingerprint, table_updates

        _write(self.last_path, {"table_updates": {rc.address: fingerprint(rc) for rc in table_updates(plan)}})
        self.pending_path.unlink(missing_ok=True)

    def last_updates(self) -> dict[str, str]:
        updates = _read(self.last_path).get("table_updates", {})
        return {str(k): str(v) for k, v in updates.items()} if isinstance(updates, dict) else {}

    def clear(self) -> None:
        """After a teardown (or a fresh state): nothing is pending, nothing was applied."""
        self.pending_path.unlink(missing_ok=True)
        self.last_path.unlink(missing_ok=True)
