"""Per-stream checkpoint file: the last sequence number handed to the handler, per shard.

Why a file under build/: `just stream` may be stopped and restarted at any time (and `setup`
drains once after seeding); resuming with AFTER_SEQUENCE_NUMBER from the checkpoint means records
are not re-read on every start. Losing the file is harmless: the handler is idempotent, so
re-reading from TRIM_HORIZON only costs time.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from tablekit.paths import BUILD

DEFAULT_DIR = BUILD / "stream"


def checkpoint_path(directory: Path, stream_arn: str) -> Path:
    """One file per stream ARN (the ARN carries the stream label, so a re-created table starts fresh)."""
    table = stream_arn.split(":table/", 1)[-1].split("/", 1)[0]
    digest = hashlib.sha256(stream_arn.encode()).hexdigest()[:12]
    return directory / f"{table}-{digest}.json"


class Checkpoint:
    """Shard id => {"seq": last delivered sequence number or null, "closed": bool}."""

    def __init__(self, path: Path, stream_arn: str):
        self.path = Path(path)
        self.stream_arn = stream_arn
        self.shards: dict[str, dict[str, object]] = {}
        if self.path.exists():
            data = json.loads(self.path.read_text())
            if data.get("streamArn") == stream_arn:
                self.shards = dict(data.get("shards", {}))

    def last(self, shard_id: str) -> str | None:
        seq = self.shards.get(shard_id, {}).get("seq")
        return str(seq) if seq else None

    def closed(self, shard_id: str) -> bool:
        return bool(self.shards.get(shard_id, {}).get("closed"))

    def advance(self, shard_id: str, seq: str) -> None:
        entry = self.shards.setdefault(shard_id, {"seq": None, "closed": False})
        if entry["seq"] is None or int(seq) > int(str(entry["seq"])):
            entry["seq"] = seq
        self.save()

    def close(self, shard_id: str) -> None:
        self.shards.setdefault(shard_id, {"seq": None, "closed": False})["closed"] = True
        self.save()

    def reset(self) -> None:
        self.shards = {}
        self.save()

    def save(self) -> None:
        """Write atomically (tmp + rename) so an interrupted follow never leaves half a file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"streamArn": self.stream_arn, "shards": self.shards}, indent=1, sort_keys=True))
        os.replace(tmp, self.path)
