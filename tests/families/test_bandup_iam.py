"""The BandUp access policy: exactly the seed's four actions on both tables and their index ARNs.

Applied (not only planned) against the session endpoint because table ARNs, and so the policy
JSON, are only known after apply. The tables get a dev prefix so they never collide with the
local env's contract-named tables on the same endpoint.
"""

from __future__ import annotations

import json

import pytest
from families_support import FAMILY_OUTPUTS, module_block, outputs_block

from tablekit.staging.copies import scratch_root
from tablekit.terraform.runner import Terraform

pytestmark = [pytest.mark.apply, pytest.mark.slow]

SEED_ACTIONS = {"dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query"}
ROLE = "iamtest-bandup-evaluator"

MAIN_TF = (
    f"""
resource "aws_iam_role" "evaluator" {{
  name = "{ROLE}"
  assume_role_policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ Service = "lambda.amazonaws.com" }} }}]
  }})
}}
"""
    + module_block(
        "bandup",
        {"environment": "dev", "name_prefix": "iamtest-"},
        {"attach_to_role_name": "aws_iam_role.evaluator.name"},
    )
    + outputs_block(
        "bandup",
        (*FAMILY_OUTPUTS, "iam_policy_json", "iam_resource_arns", "iam_role_policy_name", "lambda_environment"),
    )
)


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory, endpoint_url: str) -> dict:
    tf = Terraform(scratch_root(tmp_path_factory.mktemp("bandup-iam"), MAIN_TF, endpoint_url))
    tf.init()
    tf.run(["apply", "-input=false", "-auto-approve", "-no-color"])
    return tf.output()


def test_policy_covers_exactly_the_tables_indexes_and_actions(applied: dict) -> None:
    policy = json.loads(applied["bandup_iam_policy_json"])
    (statement,) = policy["Statement"]
    assert statement["Sid"] == "DynamoDBAccess"
    assert statement["Effect"] == "Allow"
    assert set(statement["Action"]) == SEED_ACTIONS

    # Expected resources from the module's own contract outputs: each table ARN and, for every
    # index in its key schema, <table ARN>/index/<index name>.
    expected = set()
    for name, schema in applied["bandup_tables"].items():
        arn = applied["bandup_table_arns"][name]
        expected |= {arn} | {f"{arn}/index/{index}" for index in schema["indexes"]}
    assert set(statement["Resource"]) == expected
    assert {arn.rsplit("/", 1)[-1] for arn in expected} == {
        "iamtest-bandup-evaluations",
        "iamtest-bandup-flashcard-sets",
        "user_id-created_at-index",
    }
    assert len(expected) == 4
    assert set(applied["bandup_iam_resource_arns"]) == expected


def test_policy_is_attached_to_the_role(applied: dict, aws) -> None:
    name = applied["bandup_iam_role_policy_name"]
    assert name == "iamtest-bandup-dynamodb-access"
    attached = aws("iam").get_role_policy(RoleName=ROLE, PolicyName=name)["PolicyDocument"]
    attached = json.loads(attached) if isinstance(attached, str) else attached
    assert attached == json.loads(applied["bandup_iam_policy_json"])


def test_lambda_environment_is_the_seed_map(applied: dict) -> None:
    assert applied["bandup_lambda_environment"] == {
        "DYNAMODB_EVALUATIONS": "iamtest-bandup-evaluations",
        "DYNAMODB_FLASHCARD_SETS": "iamtest-bandup-flashcard-sets",
    }
    assert applied["bandup_app_config"] == applied["bandup_lambda_environment"]
