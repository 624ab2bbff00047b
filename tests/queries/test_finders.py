"""The finders: which calls they see, how they resolve tables and values, and what they ignore."""

from __future__ import annotations

import pytest

from tablekit.queries import expressions as ex
from tablekit.queries import js_calls, python_calls
from tablekit.queries.model import SPREAD, UNKNOWN

APP = {"DYNAMODB_UNIVERSITY": "university", "USERS_TABLE": "ielts-genai-prep-users"}


def py(source: str):
    return python_calls.find_calls(source, "app.py", APP)


def js(source: str, suffix: str = ".js"):
    return js_calls.find_calls(source, "app" + suffix, APP, suffix)


def test_python_table_names_resolve_like_audit() -> None:
    calls = py(
        """
import os
import boto3
USERS = "ielts-genai-prep-users"
TABLES = {"uni": "university"}
ddb = boto3.resource("dynamodb")
ddb.Table(USERS).get_item(Key={"email": "a"})
ddb.Table(os.environ["DYNAMODB_UNIVERSITY"]).get_item(Key={"pk": "a", "sk": "b"})
ddb.Table(os.getenv("MISSING_TABLE", "university")).get_item(Key={"pk": "a", "sk": "b"})
ddb.Table(TABLES["uni"]).get_item(Key={"pk": "a", "sk": "b"})
ddb.Table(f"{os.environ['STAGE']}-users").get_item(Key={"email": "a"})
"""
    )
    assert [(c.table.name, c.table.how) for c in calls] == [
        ("ielts-genai-prep-users", "constant USERS"),
        ("university", "env DYNAMODB_UNIVERSITY"),
        ("university", "env MISSING_TABLE default (not in this env's app config)"),
        ("university", "constant TABLES['uni']"),
        (None, "`f\"{os.environ['STAGE']}-users\"`"),
    ]


def test_python_ignores_calls_that_are_not_dynamodb() -> None:
    assert py("session.query(User).filter(User.id == 1)\ncache.get_item('k')\nrows.scan()\n") == []


def test_python_client_batch_and_transact_calls() -> None:
    calls = py(
        """
import boto3
client = boto3.client("dynamodb")
client.query(TableName="university", KeyConditionExpression="pk = :p",
             ExpressionAttributeValues={":p": {"S": "a"}}, **extra)
client.batch_write_item(RequestItems={"university": [
    {"PutRequest": {"Item": {"pk": {"S": "a"}, "sk": {"S": "b"}}}},
    {"DeleteRequest": {"Key": {"pk": {"S": "a"}}}},
]})
client.transact_write_items(TransactItems=[
    {"Update": {"TableName": "university", "Key": {"pk": {"S": "a"}, "sk": {"S": "b"}},
                "UpdateExpression": "SET #c = :c", "ExpressionAttributeNames": {"#c": "count"},
                "ExpressionAttributeValues": {":c": {"N": "1"}}}},
])
"""
    )
    assert [(c.operation, c.style) for c in calls] == [
        ("Query", "typed"),
        ("PutItem", "typed"),
        ("DeleteItem", "typed"),
        ("UpdateItem", "typed"),
    ]
    assert SPREAD in calls[0].params and not calls[0].literal


def test_python_key_and_attr_objects_become_condition_trees() -> None:
    (call,) = py(
        """
from boto3.dynamodb.conditions import Attr, Key
table = boto3.resource("dynamodb").Table("university")
cond = Key("pk").eq("a") & Key("sk").between("a", "b")
table.query(KeyConditionExpression=cond, FilterExpression=~Attr("title").exists() | Attr("n").is_in([1, 2]))
"""
    )
    key = call.param("KeyConditionExpression")
    assert key == ex.Logical(
        "AND",
        (
            ex.Compare("=", ex.Name(("pk",), auto=True), ex.Value(None, "a")),
            ex.Between(ex.Name(("sk",), auto=True), ex.Value(None, "a"), ex.Value(None, "b")),
        ),
    )
    assert isinstance(call.param("FilterExpression"), ex.Logical)


def test_python_nearest_binding_above_the_call_wins() -> None:
    calls = py(
        """
def one():
    table = ddb.Table("university")
    return table.scan()

def two():
    table = ddb.Table("ielts-genai-prep-users")
    return table.scan()
"""
    )
    assert [c.table.name for c in calls] == ["university", "ielts-genai-prep-users"]


def test_python_batch_writer_and_unbound_table_receivers() -> None:
    calls = py(
        """
table = ddb.Table("university")
with table.batch_writer() as batch:
    batch.put_item(Item={"pk": "a", "sk": "b"})
self.users_table.get_item(Key={"email": "a"})
"""
    )
    assert [(c.operation, c.table.name) for c in calls] == [("PutItem", "university"), ("GetItem", None)]
    assert "not bound to Table(...)" in calls[1].table.how


def test_js_v3_commands_and_their_value_styles() -> None:
    calls = js(
        """
import { QueryCommand as Q } from "@aws-sdk/client-dynamodb";
import { GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
const TABLE = process.env.DYNAMODB_UNIVERSITY;
await client.send(new Q({ TableName: TABLE, KeyConditionExpression: "pk = :p",
  ExpressionAttributeValues: { ":p": { S: "a" } } }));
await doc.send(new GetCommand({ TableName: process.env.NOPE || "university", Key: { pk: "a", sk: "b" } }));
await doc.send(new TransactWriteCommand({ TransactItems: [
  { Delete: { TableName: "university", Key: { pk: "a", sk: `b` } } },
] }));
"""
    )
    assert [(c.operation, c.style, c.table.name, c.table.how) for c in calls] == [
        ("Query", "typed", "university", "env DYNAMODB_UNIVERSITY"),
        ("GetItem", "document", "university", "env NOPE default (not in this env's app config)"),
        ("DeleteItem", "document", "university", "literal"),
    ]
    assert calls[1].param("Key") == {"pk": "a", "sk": "b"}


def test_js_v2_document_client_and_what_is_not_dynamodb() -> None:
    calls = js(
        """
const AWS = require("aws-sdk");
const doc = new AWS.DynamoDB.DocumentClient();
const params = { TableName: "university", Key: { pk: "a", sk: "b" }, ...defaults };
doc.get(params).promise();
doc.query({ TableName: "university", KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": 1 } });
cache.get("key");
map.delete(key);
"""
    )
    assert [(c.operation, c.style) for c in calls] == [("GetItem", "document"), ("Query", "document")]
    assert SPREAD in calls[0].params
    assert calls[1].param("ExpressionAttributeValues") == {":p": 1}


@pytest.mark.parametrize("suffix", [".ts", ".tsx"])
def test_typescript_params_with_types_and_assertions(suffix: str) -> None:
    calls = js(
        """
import { QueryCommand, QueryCommandInput } from "@aws-sdk/lib-dynamodb";
const params: QueryCommandInput = {
  TableName: process.env["DYNAMODB_UNIVERSITY"]!,
  IndexName: "studentID-index",
  KeyConditionExpression: "studentID = :s",
  ExpressionAttributeValues: { ":s": "201" } as Record<string, unknown>,
};
export const find = () => ddb.send(new QueryCommand(params));
""",
        suffix,
    )
    (call,) = calls
    assert (call.language, call.table.name, call.param("IndexName")) == ("typescript", "university", "studentID-index")
    assert call.param("ExpressionAttributeValues") == {":s": "201"}


def test_js_params_that_are_not_literal_are_not_checked_never_passing() -> None:
    (call,) = js('import { QueryCommand } from "@aws-sdk/lib-dynamodb";\nddb.send(new QueryCommand(build()));\n')
    assert call.table.name is None and call.param(SPREAD) is UNKNOWN
