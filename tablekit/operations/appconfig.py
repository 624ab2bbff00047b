"""Export an environment's app-config map (env var name -> table name) for application code.

Why: the IELTS audit found code that hard-coded a table name that no longer existed. Application
code should read table names from the environment; this writes the exact names an env declares.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Mapping

_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


def render(app_config: Mapping[str, str], fmt: str) -> str:
    """JSON (sorted) or dotenv text of the map; rejects names a shell could not export."""
    bad = [name for name in app_config if not _ENV_NAME.match(name)]
    if bad:
        raise ValueError(f"app_config keys must be environment-variable names (A-Z, 0-9, _): {', '.join(bad)}")
    if fmt == "json":
        return json.dumps(dict(sorted(app_config.items())), indent=2) + "\n"
    if fmt == "dotenv":
        return "".join(f"{key}={value}\n" for key, value in sorted(app_config.items()))
    raise ValueError(f"unknown format {fmt!r}: use json or dotenv")


def write(app_config: Mapping[str, str], out: Path, fmt: str | None = None) -> Path:
    fmt = fmt or ("dotenv" if out.suffix == ".env" else "json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(app_config, fmt))
    return out
