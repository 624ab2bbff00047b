"""The allow file (`upgrade-allow.toml`): reviewed exceptions to upgrade-check's data-loss rule.

Each `[[allow]]` entry names one address whose destroy or replacement is accepted, with the reason
a reviewer wrote and optionally the envs it applies to. An entry that matches nothing any more is
stale and fails the check, so the file never keeps an exception past the change it was for.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from tablekit.errors import UserError
from tablekit.paths import ENV_NAMES

ALLOW_FILE = "upgrade-allow.toml"


@dataclass(frozen=True)
class AllowEntry:
    """One reviewed exception: a destroy/replace at `address` is accepted, for `reason`."""

    address: str
    reason: str
    envs: tuple[str, ...] | None
    number: int  # 1-based position among the file's [[allow]] entries
    source: str

    @property
    def label(self) -> str:
        return f"{self.source} entry {self.number} ({self.address})"

    def _pattern(self) -> re.Pattern[str]:
        # Only `*` is special: addresses are full of brackets, which glob syntax would misread.
        return re.compile("^" + ".*".join(re.escape(part) for part in self.address.split("*")) + "$")

    def applies_to(self, env: str) -> bool:
        return self.envs is None or env in self.envs

    def matches(self, env: str, address: str) -> bool:
        return self.applies_to(env) and bool(self._pattern().match(address))


def read_allow(path: Path) -> list[AllowEntry]:
    """Parse the allow file; a missing reason, unknown key or malformed entry is a UserError naming it."""
    shown = path.name
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"--allow {path}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{shown}: not valid TOML ({exc}); see the example at the top of {ALLOW_FILE}") from None
    unknown = set(doc) - {"allow"}
    if unknown:
        raise UserError(f"{shown}: unknown key(s) {', '.join(sorted(unknown))}: entries are [[allow]] tables")
    raw = doc.get("allow", [])
    if not isinstance(raw, list):
        raise UserError(f"{shown}: write each entry as an [[allow]] table")
    entries: list[AllowEntry] = []
    for number, item in enumerate(raw, start=1):
        where = f"{shown} entry {number}"
        if not isinstance(item, dict):
            raise UserError(f"{where}: write it as an [[allow]] table with address and reason")
        extra = set(item) - {"address", "reason", "envs"}
        if extra:
            raise UserError(f"{where}: unknown key(s) {', '.join(sorted(extra))}; an entry has address, reason, envs")
        address = item.get("address")
        if not isinstance(address, str) or not address.strip():
            raise UserError(f"{where}: address is missing: name the resource address the destroy/replace is at")
        where = f"{shown} entry {number} ({address})"
        reason = item.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise UserError(f"{where}: reason is missing: say why losing this object is acceptable (reviewers read it)")
        env_list = item.get("envs")
        if env_list is not None and (
            not isinstance(env_list, list) or not env_list or any(e not in ENV_NAMES for e in env_list)
        ):
            raise UserError(f"{where}: envs must be a non-empty list of {', '.join(ENV_NAMES)}")
        entry = AllowEntry(
            address=address.strip(),
            reason=" ".join(reason.split()),
            envs=tuple(env_list) if env_list is not None else None,
            number=number,
            source=shown,
        )
        if any(e.address == entry.address and e.envs == entry.envs for e in entries):
            raise UserError(f"{where}: the same address is listed twice; keep one entry")
        entries.append(entry)
    return entries
