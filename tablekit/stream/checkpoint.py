"""Per-stream checkpoint file: where reading resumes, and what was ever handed to the handler.

Why a file in the env's data directory (`build/envs/local/stream/`): `just stream` may be stopped
and restarted at any time and `setup` drains once after seeding; both must read ONE checkpoint,
or each re-reads what the other already applied. ``checkpoint_dir(data_dir)`` is that one place,
derived from the env's data directory exactly as setup derives it.

Per shard it keeps:

- ``seq``: the last sequence number read (resume with AFTER_SEQUENCE_NUMBER);
- ``delivered``: the highest sequence number ever handed to the handler. `--from-start` rewinds
  ``seq`` but keeps ``delivered``, so the runner knows which records are replays;
- ``inflight``: the last sequence number of a batch being delivered, set before the handler runs
  and cleared after, so a run killed mid-batch is known to maybe have applied it.

Whether a replay is safe is the runner's question (its records' age against the processor's
idempotency horizon); the checkpoint only remembers. Losing the file is not harmful: the runner
then treats every record as possibly applied and rebuilds the aggregates when that is unsafe.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from tablekit.paths import BUILD

SUBDIR = "stream"


def checkpoint_dir(data_dir: Path) -> Path:
    """The checkpoint directory of an env whose data directory is `data_dir` (setup and `stream` agree)."""
    return Path(data_dir) / SUBDIR


# The local env's (build/envs/local/stream), for callers that name no directory.
DEFAULT_DIR = checkpoint_dir(BUILD / "envs" / "local")


def checkpoint_path(directory: Path, stream_arn: str) -> Path:
    """One file per stream ARN (the ARN carries the stream label, so a re-created table starts fresh)."""
    table = stream_arn.split(":table/", 1)[-1].split("/", 1)[0]
    digest = hashlib.sha256(stream_arn.encode()).hexdigest()[:12]
    return directory / f"{table}-{digest}.json"


class Checkpoint:
    """Shard id => {"seq", "delivered", "inflight", "closed"} for one stream ARN."""

    def __init__(self, path: Path, stream_arn: str):
        self.path = Path(path)
        self.stream_arn = stream_arn
        self.shards: dict[str, dict[str, object]] = {}
        # False when nothing is known about this stream: every record may have been applied before.
        self.known = False
        if self.path.exists():
            try:
                data = json.loads(self.path.read_text())
            except ValueError:
                data = {}
            if data.get("streamArn") == stream_arn:
                self.shards = {k: dict(v) for k, v in dict(data.get("shards", {})).items()}
                self.known = True

    def _entry(self, shard_id: str) -> dict[str, object]:
        return self.shards.setdefault(shard_id, {"seq": None, "closed": False})

    def last(self, shard_id: str) -> str | None:
        seq = self.shards.get(shard_id, {}).get("seq")
        return str(seq) if seq else None

    def closed(self, shard_id: str) -> bool:
        return bool(self.shards.get(shard_id, {}).get("closed"))

    def delivered(self, shard_id: str) -> int:
        """Highest sequence number ever handed to the handler (or maybe handed: in flight), -1 if none."""
        entry = self.shards.get(shard_id, {})
        values = [int(str(entry[key])) for key in ("delivered", "inflight", "seq") if entry.get(key)]
        return max(values, default=-1)

    def maybe_applied(self, shard_id: str, seq: str) -> bool:
        """True when the record may already be in the aggregates (a replay, or no history at all)."""
        return not self.known or int(seq) <= self.delivered(shard_id)

    def begin(self, shard_id: str, last_seq: str) -> None:
        """A batch ending at `last_seq` is about to be delivered."""
        self._entry(shard_id)["inflight"] = last_seq
        self.save()

    def advance(self, shard_id: str, seq: str) -> None:
        entry = self._entry(shard_id)
        entry.pop("inflight", None)
        if entry.get("seq") is None or int(seq) > int(str(entry["seq"])):
            entry["seq"] = seq
        if entry.get("delivered") is None or int(seq) > int(str(entry["delivered"])):
            entry["delivered"] = seq
        self.save()

    def close(self, shard_id: str) -> None:
        self._entry(shard_id)["closed"] = True
        self.save()

    def rewind(self) -> None:
        """Read from the start again (`--from-start`), remembering what was delivered."""
        for shard_id in list(self.shards):
            self.shards[shard_id] = {
                "seq": None,
                "closed": False,
                "delivered": str(self.delivered(shard_id)) if self.delivered(shard_id) >= 0 else None,
            }
        self.save()

    def settle(self, positions: dict[str, tuple[str | None, bool]]) -> None:
        """After a rebuild: every shard is read (and accounted for) up to `positions` (seq, closed)."""
        for shard_id, (seq, closed) in positions.items():
            entry = self._entry(shard_id)
            entry.pop("inflight", None)
            if seq is not None:
                entry["seq"] = seq
                entry["delivered"] = str(max(int(seq), self.delivered(shard_id)))
            entry["closed"] = closed
        self.known = True
        self.save()

    def save(self) -> None:
        """Write atomically (tmp + rename) so an interrupted follow never leaves half a file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"streamArn": self.stream_arn, "shards": self.shards}, indent=1, sort_keys=True))
        os.replace(tmp, self.path)
        self.known = True
