"""The local stream runner delivers like the event-source mapping modules/university creates.

Locally the runner is the only consumer, so its retry and batch defaults are what developers see
happen to a poison record; they must be the deployed mapping's, read from the module itself.
"""

from __future__ import annotations

import re

from tablekit.paths import MODULES
from tablekit.stream.runner import Settings


def _default(variable: str) -> int:
    text = (MODULES / "university" / "variables.tf").read_text()
    block = re.search(r'variable "' + re.escape(variable) + r'" \{(.*?)\n\}', text, re.S)
    assert block, variable
    found = re.search(r"^\s*default\s*=\s*(\d+)", block.group(1), re.M)
    assert found, f"{variable} has no numeric default"
    return int(found.group(1))


def test_runner_defaults_are_the_modules_mapping_settings() -> None:
    settings = Settings()
    assert settings.max_retries == _default("stream_maximum_retry_attempts")
    assert settings.batch_size == _default("stream_batch_size")
    lambda_tf = (MODULES / "university" / "lambda.tf").read_text()
    assert settings.bisect == ("bisect_batch_on_function_error = true" in lambda_tf)
