"""The inputs every family shares live in one file, byte-identical in each family module.

Envs and the estate module pass environment, name_prefix, tags, kms_key_arn, PITR, alarms and the
table settings the same way to all four families, so a rule (a validation, a default) added to one
family's copy and not the others would make the same value valid in one family and refused in the
next. One file, copied, and this test keeps the copies equal.
"""

from __future__ import annotations

import re

from tablekit.paths import MODULES

FAMILIES = ("bandup", "aitutor", "ielts-genai-prep", "university")
COMMON = "variables-common.tf"
VARIABLE = re.compile(r'^variable "(\w+)" \{', re.MULTILINE)


def test_every_family_holds_the_same_common_inputs_file() -> None:
    texts = {family: (MODULES / family / COMMON).read_bytes() for family in FAMILIES}
    first = texts[FAMILIES[0]]
    differing = [family for family, text in texts.items() if text != first]
    assert differing == [], f"{COMMON} differs from modules/{FAMILIES[0]}'s in {differing}: copy one to the others"


def test_common_inputs_are_declared_only_there_and_validate_arns() -> None:
    common_text = (MODULES / FAMILIES[0] / COMMON).read_text()
    common = set(VARIABLE.findall(common_text))
    assert {"environment", "name_prefix", "tags", "kms_key_arn", "alarms_enabled", "alarm_actions"} <= common
    for family in FAMILIES:
        for tf in (MODULES / family).glob("*.tf"):
            if tf.name != COMMON:
                again = common & set(VARIABLE.findall(tf.read_text()))
                assert not again, f"modules/{family}/{tf.name} declares {sorted(again)} again: they live in {COMMON}"
    for name in ("kms_key_arn", "alarm_actions"):
        block = common_text[common_text.index(f'variable "{name}"') :]
        block = block[: block.index("\n}\n")]
        assert "validation {" in block, f"{name} is validated in every family"
