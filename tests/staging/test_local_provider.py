"""Local provider blocks are generated for the provider in use (tablekit.staging.providers).

envs/local/providers.tf is the generator's output for the current provider; test fixtures and
offline plans get the block for the pinned one. Both must aim every service at the endpoint, and
each must hold only what its provider accepts, with the start-up flags only where they are needed.
"""

from __future__ import annotations

import re

import pytest

from tablekit.paths import ROOT
from tablekit.staging import compat, providers, schemas


@pytest.fixture(scope="module")
def current() -> schemas.ProviderSchema:
    return schemas.reference()


@pytest.fixture(scope="module")
def pinned() -> schemas.ProviderSchema:
    return schemas.pinned()


def _endpoint_services(hcl: str) -> set[str]:
    block = hcl.split("endpoints {", 1)[1].split("}", 1)[0]
    return set(re.findall(r"^\s*(\w+)\s*=", block, flags=re.MULTILINE))


def test_envs_local_is_the_generated_block_for_the_current_provider(current: schemas.ProviderSchema) -> None:
    committed = (ROOT / "envs" / "local" / "providers.tf").read_text()
    assert committed == providers.envs_local_providers_tf(current), (
        "regenerate: .venv/bin/python -c 'from tablekit import providers, schemas; "
        'print(providers.envs_local_providers_tf(schemas.reference()), end="")\' > envs/local/providers.tf'
    )


@pytest.mark.parametrize("which", ["current", "pinned"])
def test_generated_blocks_hold_only_what_their_provider_accepts(which: str, request: pytest.FixtureRequest) -> None:
    schema: schemas.ProviderSchema = request.getfixturevalue(which)
    hcl = providers.local_provider_hcl(schema, "http://127.0.0.1:1", alias="replica")
    assert compat.check_text("providers.tf", hcl, schema) == []
    assert len(_endpoint_services(hcl)) == len(providers.SERVICES), "every service at the endpoint"


def test_start_up_flags_only_where_the_provider_needs_them(
    current: schemas.ProviderSchema, pinned: schemas.ProviderSchema
) -> None:
    old = providers.local_provider_hcl(pinned, "http://127.0.0.1:1")
    new = providers.local_provider_hcl(current, "http://127.0.0.1:1")
    for flag in ("skip_get_ec2_platforms", "skip_credentials_validation", "skip_requesting_account_id"):
        assert re.search(rf"{flag}\s*=\s*true", old), flag
        assert flag not in new, flag
    assert "s3_force_path_style" in old and "s3_use_path_style" in new
    assert {"cloudwatchlogs", "applicationautoscaling"} <= _endpoint_services(old)
    assert {"logs", "appautoscaling"} <= _endpoint_services(new)
    assert "s3_force_path_style" not in new and "skip_get_ec2_platforms" not in new


def test_pinned_runs_regenerate_the_committed_local_block(pinned: schemas.ProviderSchema, tmp_path) -> None:
    from tablekit.staging.copies import stage

    staged = stage(tmp_path, include=("modules", "envs/local"))
    text = (staged / "envs" / "local" / "providers.tf").read_text()
    assert text == providers.envs_local_providers_tf(pinned)
    assert "skip_get_ec2_platforms" in text and "var.endpoint_url" in text
