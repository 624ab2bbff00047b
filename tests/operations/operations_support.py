"""The adopt fixture: three tables declared through modules/dynamodb-table, and the same three
created out of band with boto3, exactly as the module would create them (keys, GSI/LSI, TTL,
PITR, SSE, stream, tags), so an import must leave a plan with nothing to change.
"""

from __future__ import annotations

from typing import Any, Callable

# name => (module arguments in HCL, boto3 CreateTable arguments, TTL attribute or None)
TAGS = {"Owner": "platform", "Environment": "local"}


def _module_tags(name: str) -> dict[str, str]:
    """Tags the generic module puts on a table: its defaults merged with the caller's."""
    return {"Name": name, "ManagedBy": "terraform", "TerraformModule": "dynamodb-table", **TAGS}


TABLES: dict[str, dict[str, Any]] = {
    "adopt-users": {
        "hcl": """
    schema = {
      hash_key = { name = "userId", type = "S" }
      global_secondary_indexes = [
        { name = "email-index", hash_key = { name = "email", type = "S" } },
      ]
    }""",
        "create": {
            "AttributeDefinitions": [
                {"AttributeName": "userId", "AttributeType": "S"},
                {"AttributeName": "email", "AttributeType": "S"},
            ],
            "KeySchema": [{"AttributeName": "userId", "KeyType": "HASH"}],
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": "email-index",
                    "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
        },
        "ttl": None,
    },
    "adopt-sessions": {
        "hcl": """
    schema = {
      hash_key      = { name = "sessionId", type = "S" }
      range_key     = { name = "createdAt", type = "N" }
      ttl_attribute = "expiresAt"
      global_secondary_indexes = [
        { name = "user-index", hash_key = { name = "userId", type = "S" },
          range_key = { name = "createdAt", type = "N" }, projection_type = "KEYS_ONLY" },
      ]
    }
    stream_view_type = "NEW_AND_OLD_IMAGES\"""",
        "create": {
            "AttributeDefinitions": [
                {"AttributeName": "sessionId", "AttributeType": "S"},
                {"AttributeName": "createdAt", "AttributeType": "N"},
                {"AttributeName": "userId", "AttributeType": "S"},
            ],
            "KeySchema": [
                {"AttributeName": "sessionId", "KeyType": "HASH"},
                {"AttributeName": "createdAt", "KeyType": "RANGE"},
            ],
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": "user-index",
                    "KeySchema": [
                        {"AttributeName": "userId", "KeyType": "HASH"},
                        {"AttributeName": "createdAt", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                }
            ],
            "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        },
        "ttl": "expiresAt",
    },
    "adopt-results": {
        "hcl": """
    schema = {
      hash_key      = { name = "pk", type = "S" }
      range_key     = { name = "sk", type = "S" }
      ttl_attribute = "ttl"
      local_secondary_indexes = [
        { name = "score-index", range_key = { name = "score", type = "N" },
          projection_type = "INCLUDE", non_key_attributes = ["band"] },
      ]
    }""",
        "create": {
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
                {"AttributeName": "score", "AttributeType": "N"},
            ],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "LocalSecondaryIndexes": [
                {
                    "IndexName": "score-index",
                    "KeySchema": [
                        {"AttributeName": "pk", "KeyType": "HASH"},
                        {"AttributeName": "score", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["band"]},
                }
            ],
        },
        "ttl": "ttl",
    },
}


def main_tf() -> str:
    """Root module shaped like a family: one generic-module instance per table, for_each over a map."""
    entries = "\n".join(f'    "{name}" = {{{spec["hcl"]}\n    }}' for name, spec in TABLES.items())
    return (
        f"locals {{\n  tables = {{\n{entries}\n  }}\n}}\n\n"
        'module "table" {\n'
        '  source   = "../modules/dynamodb-table"\n'
        "  for_each = local.tables\n\n"
        "  name             = each.key\n"
        "  schema           = each.value.schema\n"
        "  stream_view_type = try(each.value.stream_view_type, null)\n"
        '  tags             = { Owner = "platform", Environment = "local" }\n'
        "}\n"
    )


def create_out_of_band(client: Callable[[str], Any], names: list[str] | None = None) -> None:
    """Create the tables with boto3 as the module would: on-demand, SSE on, PITR on, TTL, tags."""
    ddb = client("dynamodb")
    for name in names or list(TABLES):
        spec = TABLES[name]
        ddb.create_table(
            TableName=name,
            BillingMode="PAY_PER_REQUEST",
            SSESpecification={"Enabled": True},
            Tags=[{"Key": k, "Value": v} for k, v in _module_tags(name).items()],
            **spec["create"],
        )
        ddb.get_waiter("table_exists").wait(TableName=name)
        if spec["ttl"]:
            ddb.update_time_to_live(
                TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": spec["ttl"]}
            )
        ddb.update_continuous_backups(
            TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
        )
