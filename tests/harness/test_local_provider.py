"""envs/local's provider block and the test fixtures' provider must aim the same services at the endpoint."""

from __future__ import annotations

import re
from pathlib import Path

from tablekit.testing import LOCAL_SERVICES, local_provider_hcl

ROOT = Path(__file__).resolve().parent.parent.parent


def _endpoint_services(hcl: str) -> set[str]:
    block = hcl.split("endpoints {", 1)[1].split("}", 1)[0]
    return set(re.findall(r"^\s*(\w+)\s*=", block, flags=re.MULTILINE))


def test_envs_local_points_every_fixture_service_at_the_endpoint() -> None:
    local = _endpoint_services((ROOT / "envs" / "local" / "providers.tf").read_text())
    assert local == set(LOCAL_SERVICES) == _endpoint_services(local_provider_hcl("http://127.0.0.1:1"))


def test_both_provider_blocks_skip_the_slow_start_up_checks() -> None:
    flags = (
        "skip_credentials_validation",
        "skip_get_ec2_platforms",
        "skip_metadata_api_check",
        "skip_region_validation",
        "skip_requesting_account_id",
    )
    for hcl in ((ROOT / "envs" / "local" / "providers.tf").read_text(), local_provider_hcl("http://127.0.0.1:1")):
        for flag in flags:
            assert re.search(rf"{flag}\s*=\s*true", hcl), flag
