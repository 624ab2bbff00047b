"""Fixtures of the PR-comment tests: importable helpers and one hypothesis profile.

Example counts are chosen so the whole folder runs in seconds on a two-core machine; the number
of cases each property runs is in its @settings. In CI (CI=true) the examples are derandomized so a
failure reproduces on the next run; locally they vary, so repeated runs explore more.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "governance"))  # governance_support: the hand-built plan shapes

settings.register_profile(
    "tablekit",
    deadline=None,  # timing is measured by bench/bench_comment.py, never asserted in tests
    database=None,  # no .hypothesis folder in the work tree
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("tablekit")
