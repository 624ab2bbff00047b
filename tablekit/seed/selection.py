"""Which seed sets load in which environment: `seed_data/environments.json`.

Why a data file and not flags in each caller: `setup`, the CLI and CI must agree on what "seed dev"
means, and the rule "demo data never reaches prod" must hold even when someone passes `--sets demo`.
So the file lists, per set, the environments it may ever load in (`allowed`) and, per environment,
the sets loaded by default; `--sets` may only narrow or reorder within what is allowed.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from tablekit.errors import UserError
from tablekit.seed.files import access_problem

SELECTION_FILE = "environments.json"


@dataclass(frozen=True)
class Selection:
    """Parsed environments.json."""

    path: Path
    allowed: Mapping[str, tuple[str, ...]]  # set name -> environments it may load in
    defaults: Mapping[str, tuple[str, ...]]  # environment -> sets loaded by default, in load order

    @property
    def set_names(self) -> tuple[str, ...]:
        return tuple(self.allowed)

    def sets_for(self, env: str, requested: Sequence[str] | None = None) -> list[str]:
        """Sets to load for env: its defaults, or `requested` after checking each is allowed there."""
        if env not in self.defaults:
            raise UserError(
                f"{self.path.name} has no entry for environment {env!r}{_hint(env, self.defaults)}: "
                f'add "{env}": ["reference"] under "environments"'
            )
        if not requested:
            return list(self.defaults[env])
        chosen: list[str] = []
        for name in requested:
            if name not in self.allowed:
                raise UserError(
                    f"unknown seed set {name!r}{_hint(name, self.allowed)}: "
                    f"known sets are {', '.join(self.allowed)} ({self.path.name})"
                )
            if env not in self.allowed[name]:
                raise UserError(
                    f"seed set {name!r} may not load in {env!r} (allowed in: "
                    f"{', '.join(self.allowed[name])}); drop it from --sets"
                )
            if name not in chosen:
                chosen.append(name)
        return chosen


def _hint(name: str, known: Mapping[str, object] | Sequence[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def load_selection(seed_root: Path) -> Selection:
    """Read and check `<seed_root>/environments.json`; every mistake is a UserError naming the fix."""
    path = Path(seed_root) / SELECTION_FILE
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(
            f"{path} is missing: it says which seed sets load in which environment (see seed_data/README.md)"
        ) from None
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}:{exc.lineno}: invalid JSON ({exc.msg}); fix the syntax") from None
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start}); save the file as UTF-8") from None
    except OSError as exc:
        raise UserError(access_problem(path, exc)) from None
    if (
        not isinstance(doc, dict)
        or not isinstance(doc.get("sets"), dict)
        or not isinstance(doc.get("environments"), dict)
    ):
        raise UserError(
            f'{path}: needs two objects, "sets" (set -> {{"allowed": [envs]}}) and '
            '"environments" (env -> [sets]); see seed_data/README.md'
        )
    allowed: dict[str, tuple[str, ...]] = {}
    for name, spec in doc["sets"].items():
        envs = spec.get("allowed") if isinstance(spec, dict) else None
        if not isinstance(envs, list) or not all(isinstance(e, str) for e in envs):
            raise UserError(
                f'{path}: sets.{name}.allowed must be a list of environment names, e.g. "allowed": ["local", "dev"]'
            )
        allowed[name] = tuple(envs)
    defaults: dict[str, tuple[str, ...]] = {}
    for env, sets in doc["environments"].items():
        if not isinstance(sets, list) or not all(isinstance(s, str) for s in sets):
            raise UserError(f'{path}: environments.{env} must be a list of set names, e.g. ["reference"]')
        for name in sets:
            if name not in allowed:
                raise UserError(
                    f"{path}: environments.{env} names unknown set {name!r}{_hint(name, allowed)}; "
                    'declare it under "sets" or remove it'
                )
            if env not in allowed[name]:
                raise UserError(
                    f"{path}: environments.{env} loads {name!r}, but sets.{name}.allowed does not "
                    f"include {env!r}; remove it from environments.{env} or allow it"
                )
        defaults[env] = tuple(sets)
    return Selection(path=path, allowed=allowed, defaults=defaults)
