"""Well-known paths of the repository, so no module hard-codes a location twice."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Everything generated (provider mirror, CLI config, endpoint logs, plans, zips) lives here and is
# git-ignored. TABLEKIT_BUILD_DIR lets tests or CI relocate it.
BUILD = Path(os.environ.get("TABLEKIT_BUILD_DIR", ROOT / "build")).resolve()
MODULES = ROOT / "modules"
ENVS = ROOT / "envs"
SEED_DATA = ROOT / "seed_data"
LAMBDA_SRC = ROOT / "lambda_function"
ENV_NAMES = ("local", "dev", "prod")


def env_dir(env: str) -> Path:
    """Directory of one environment; raises a clear error for an unknown name."""
    if env not in ENV_NAMES:
        raise ValueError(f"unknown environment {env!r}: choose one of {', '.join(ENV_NAMES)}")
    return ENVS / env
