"""Property: the static verdict on a generated query equals DynamoDB Local's, for every example.

Each example is source written the ways application code writes a query — a low-level client call
with a string KeyConditionExpression and typed values (Python, or a JavaScript/TypeScript
`new QueryCommand(params)`), or a resource Table's query with Key() objects — over the local env's
declared tables and indexes: right and wrong attributes (keys of the table, of another index,
non-key and reserved words, raw or #aliased), every operator (including `<>`, OR, BETWEEN bounds in
either order, begins_with on numbers), values of every key type (right or wrong, empty strings),
placeholders missing or unused, indexes that do not exist, and filters on key attributes. The
finder reads the source, the rules give the static verdict (refused = any error), and the same call
is sent to DynamoDB Local (tablekit.queries.verify). So each rule is proven against AWS's engine,
and a rule DynamoDB does not enforce would fail here.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tablekit import aws
from tablekit.endpoint.dynamodb_local import create_tables
from tablekit.queries import js_calls, python_calls, rules, verify
from tablekit.queries.schema import Declared

OPERATORS = ("=", "<", "<=", ">", ">=", "<>", "BETWEEN", "begins_with")
OTHER_ATTRIBUTES = ("status", "title", "grade", "name", "timestamp")
EXAMPLES = 150


@pytest.fixture(scope="module")
def oracle(dynamodb_local_url: str, local_declared: Declared) -> Any:
    clients = aws.clients(dynamodb_local_url, "us-east-1")
    create_tables(clients.dynamodb(), local_declared.key_schemas, ttl=False)
    return clients.for_bulk_writes().dynamodb()


def _term(draw: Any, table: Any, attribute: str, operators: tuple[str, ...], candidates: list[str]) -> Any:
    """(attribute, operator, values): usually the given key with a fitting operator and type, sometimes not."""
    if draw(st.integers(0, 5)) == 0:
        attribute = draw(st.sampled_from(candidates))
    op = draw(st.sampled_from(operators if draw(st.integers(0, 5)) else OPERATORS))
    kind = table.type_of(attribute) or "S"
    if draw(st.integers(0, 7)) == 0:
        kind = draw(st.sampled_from(["S", "N", "B"]))
    return attribute, op, [_value(kind, draw) for _ in range(2 if op == "BETWEEN" else 1)]


def _value(kind: str, draw: Any) -> Any:
    if kind == "S":
        return draw(st.sampled_from(["a", "b", "user-1", "2025", "course#1", ""]))
    if kind == "N":
        return draw(st.integers(min_value=-5, max_value=5))
    return draw(st.sampled_from([b"a", b"\x01", b""]))


@st.composite
def queries(draw: Any, declared: Declared) -> tuple[str, str]:
    """(Python source of one query call, a label for the failure message)."""
    table = declared.tables[draw(st.sampled_from(sorted(declared.tables)))]
    index = draw(st.one_of(st.none(), st.sampled_from(sorted(table.indexes) or [None]), st.just("no-such-index")))
    key = table.key_of(index) if index in table.indexes or index is None else table.key
    candidates = sorted({*key.names, *table.types, *OTHER_ATTRIBUTES})
    terms = [_term(draw, table, key.hash_key, ("=",), candidates)]
    if key.range_key and draw(st.booleans()):
        sort_operators = ("=", "<", "<=", ">", ">=", "BETWEEN", "BETWEEN", "BETWEEN", "begins_with")
        terms.append(_term(draw, table, key.range_key, sort_operators, candidates))
    if draw(st.integers(0, 5)) == 0:
        terms.append(_term(draw, table, draw(st.sampled_from(candidates)), OPERATORS, candidates))
    joiner = draw(st.sampled_from(["AND"] * 9 + ["OR"]))
    label = f"{table.name} {index} {terms} {joiner}"
    if draw(st.booleans()):
        return _resource_source(draw, table.name, index, terms, joiner), label, ".py"
    args = _client_args(draw, table.name, index, terms, joiner)
    suffix = draw(st.sampled_from([".py", ".js", ".ts"]))
    if suffix == ".py" or "'B'" in repr(args):  # a binary value has no literal in JavaScript
        keywords = ", ".join(f"{k}={v!r}" for k, v in args.items())
        return f"import boto3\nclient = boto3.client('dynamodb')\nclient.query({keywords})\n", label, ".py"
    params = json.dumps(args, indent=2)
    source = (
        'import { DynamoDBClient, QueryCommand } from "@aws-sdk/client-dynamodb";\n'
        f"const params = {params};\n"
        "export const run = (client) => client.send(new QueryCommand(params));\n"
    )
    return source, label, suffix


def _typed(value: Any) -> dict[str, Any]:
    if isinstance(value, bytes):
        return {"B": value}
    if isinstance(value, int):
        return {"N": str(value)}
    return {"S": value}


def _client_args(draw: Any, table: str, index: str | None, terms: list[Any], joiner: str) -> dict[str, Any]:
    """The arguments of a low-level Query: string key condition, typed values, perhaps a filter."""
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    parts = []
    for number, (attribute, op, operands) in enumerate(terms):
        ref = attribute
        if draw(st.booleans()):
            ref = f"#a{number}"
            names[ref] = attribute
        holders = []
        for position, operand in enumerate(operands):
            holder = f":v{number}x{position}"
            holders.append(holder)
            values[holder] = _typed(operand)
        if op == "BETWEEN":
            parts.append(f"{ref} BETWEEN {holders[0]} AND {holders[1]}")
        elif op == "begins_with":
            parts.append(f"begins_with({ref}, {holders[0]})")
        else:
            parts.append(f"{ref} {op} {holders[0]}")
    if values and draw(st.integers(0, 14)) == 0:
        values.pop(draw(st.sampled_from(sorted(values))))  # a placeholder nobody defines
    if draw(st.integers(0, 14)) == 0:
        values[":unused"] = {"S": "x"}
    args = {"TableName": table, "KeyConditionExpression": f" {joiner} ".join(parts)}
    if draw(st.integers(0, 3)) == 0:  # a filter, on a raw or aliased attribute that may be reserved or a key
        attribute = draw(st.sampled_from(["title", "status", "grade", "pk", "user_id", "created_at"]))
        ref = attribute
        if draw(st.booleans()):
            ref = "#f"
            names[ref] = attribute
        args["FilterExpression"] = f"{ref} = :f"
        values[":f"] = {"S": "x"}
    if draw(st.integers(0, 14)) == 0:
        names["#unused"] = "title"
    if index is not None:
        args["IndexName"] = index
    if names:
        args["ExpressionAttributeNames"] = names
    if values:
        args["ExpressionAttributeValues"] = values
    return args


def _resource_source(draw: Any, table: str, index: str | None, terms: list[Any], joiner: str) -> str:
    methods = {"=": "eq", "<": "lt", "<=": "lte", ">": "gt", ">=": "gte", "<>": "eq", "begins_with": "begins_with"}
    parts = []
    for attribute, op, operands in terms:
        if op == "BETWEEN":
            parts.append(f"Key({attribute!r}).between({operands[0]!r}, {operands[1]!r})")
        else:
            parts.append(f"Key({attribute!r}).{methods[op]}({operands[0]!r})")
    condition = (" & " if joiner == "AND" else " | ").join(parts)
    extra = f", IndexName={index!r}" if index is not None else ""
    if draw(st.integers(0, 4)) == 0:
        extra += f", FilterExpression=Attr({draw(st.sampled_from(['status', 'title', 'sk', 'user_id']))!r}).eq('x')"
    return (
        "import boto3\nfrom boto3.dynamodb.conditions import Attr, Key\n"
        f"table = boto3.resource('dynamodb').Table({table!r})\n"
        f"table.query(KeyConditionExpression={condition}{extra})\n"
    )


# Every rule these checks prove must fire at least once per run (the generated examples plus these).
PROVEN_RULES = {
    "index-not-declared",
    "key-condition-partition",
    "key-condition-attribute",
    "key-condition-operator",
    "key-condition-duplicate",
    "key-condition-type",
    "key-condition-empty",
    "key-condition-between",
    "placeholder-undefined",
    "placeholder-unused",
    "reserved-word",
    "filter-on-key",
}
_CLIENT = "import boto3\nclient = boto3.client('dynamodb')\n"
_DEVOPS = "TableName='ielts-devops-actions', IndexName='status-timestamp-index'"
# Cases that reach each rule for sure, whatever the generator draws.
KNOWN = [
    _CLIENT + "client.query(" + _DEVOPS + ", KeyConditionExpression='status = :s', "
    "ExpressionAttributeValues={':s': {'S': 'new'}})\n",
    _CLIENT + "client.query(" + _DEVOPS + ", KeyConditionExpression='#s = :s AND #t BETWEEN :a AND :b', "
    "ExpressionAttributeNames={'#s': 'status', '#t': 'timestamp'}, "
    "ExpressionAttributeValues={':s': {'S': 'new'}, ':a': {'N': '5'}, ':b': {'N': '1'}})\n",
    _CLIENT + "client.query(" + _DEVOPS + ", KeyConditionExpression='#s = :s', "
    "ExpressionAttributeNames={'#s': 'status', '#x': 'title'}, ExpressionAttributeValues={':s': {'S': 'new'}})\n",
    _CLIENT + "client.query(" + _DEVOPS + ", KeyConditionExpression='#s = :s', FilterExpression='#t > :t', "
    "ExpressionAttributeNames={'#s': 'status', '#t': 'timestamp'}, "
    "ExpressionAttributeValues={':s': {'S': 'new'}, ':t': {'N': '1'}})\n",
    _CLIENT + "client.query(TableName='university', KeyConditionExpression='pk = :p AND pk = :q', "
    "ExpressionAttributeValues={':p': {'S': 'a'}, ':q': {'S': 'b'}})\n",
    _CLIENT + "client.query(TableName='university', KeyConditionExpression='pk = :p AND entityType = :q', "
    "ExpressionAttributeValues={':p': {'S': 'a'}, ':q': {'S': 'b'}})\n",
    _CLIENT + "client.query(TableName='university', KeyConditionExpression='pk = :p', "
    "ExpressionAttributeValues={':p': {'N': '1'}})\n",
    _CLIENT + "client.query(TableName='university', KeyConditionExpression='pk = :p', "
    "ExpressionAttributeValues={':p': {'S': ''}})\n",
    _CLIENT + "client.query(TableName='university', KeyConditionExpression='pk = :p')\n",
    _CLIENT + "client.query(TableName='university', KeyConditionExpression='pk <> :p', "
    "ExpressionAttributeValues={':p': {'S': 'a'}})\n",
]


@pytest.mark.slow
def test_static_verdict_equals_dynamodb_locals(oracle: Any, local_declared: Declared) -> None:
    seen = {"accepted": 0, "refused": 0}
    fired: set[str] = set()
    languages: set[str] = set()

    def compare(source: str, label: str, suffix: str = ".py") -> None:
        languages.add(suffix)
        if suffix == ".py":
            (call,) = python_calls.find_calls(source, "generated.py", local_declared.app_config)
        else:
            (call,) = js_calls.find_calls(source, "generated" + suffix, local_declared.app_config, suffix)
        findings = rules.check(call, local_declared)
        fired.update(f.rule for f in findings)
        static = "refused" if any(f.severity == "error" for f in findings) else "accepted"
        assert not any(f.severity == "not-checked" for f in findings), (source, findings)
        verdict = verify.execute(oracle, call)
        local = "accepted" if verdict.accepted else "refused"
        seen[local] += 1
        assert static == local, f"{label}\n{source}\nstatic: {findings}\nDynamoDB Local: {verdict.message}"

    for source in KNOWN:
        compare(source, "known case")

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(queries(local_declared))
    def check(example: tuple[str, str, str]) -> None:
        compare(*example)

    check()
    assert seen["accepted"] >= 10 and seen["refused"] >= 10, seen
    assert languages == {".py", ".js", ".ts"}, languages
    assert fired >= PROVEN_RULES, f"rules never exercised against DynamoDB Local: {sorted(PROVEN_RULES - fired)}"
