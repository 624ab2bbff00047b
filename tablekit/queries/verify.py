"""DynamoDB Local's own verdict on the calls the static check could read completely (`--run`).

Why: a static rule is only as good as its agreement with AWS's engine. Every call whose table and
parameters are all literal is sent, as written, to a throwaway DynamoDB Local (AWS's data plane,
tablekit.endpoint.dynamodb_local) holding the env's tables, created empty from its `tables` output. Accepted
or refused (with DynamoDB's message) is printed next to the static verdict. botocore's own
parameter checks are off, so the verdict is DynamoDB's, not the SDK's.
"""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError

from tablekit.queries import expressions as ex
from tablekit.queries.model import SPREAD, Call
from tablekit.queries.report import Verdict
from tablekit.queries.schema import Declared
from tablekit.queries.values import is_typed

METHODS = {
    "Query": "query",
    "Scan": "scan",
    "GetItem": "get_item",
    "PutItem": "put_item",
    "UpdateItem": "update_item",
    "DeleteItem": "delete_item",
}
_VALUE_MAPS = ("ExpressionAttributeValues",)
_ITEM_PARAMS = ("Key", "Item", "ExclusiveStartKey")
_CONDITIONS = ("KeyConditionExpression", "FilterExpression", "ConditionExpression")
_SERIALIZER = TypeSerializer()


def preflight() -> None:
    """Stop before anything starts when DynamoDB Local or Java is missing (one line naming the fix)."""
    from tablekit.endpoint.dynamodb_local import DynamoDBLocalEngine

    DynamoDBLocalEngine().preflight()


def _attribute_value(value: Any, style: str) -> Any:
    if style == "typed" or (style == "unknown" and is_typed(value)):
        return value
    return _SERIALIZER.serialize(_decimals(value))


def _decimals(value: Any) -> Any:
    """boto3 refuses floats (inexact); DynamoDB numbers are decimals."""
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _decimals(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decimals(v) for v in value]
    return value


def _render(node: Any, names: dict[str, str], values: dict[str, Any], style: str) -> str:
    """A Key()/Attr() tree as an expression string, with generated #n / :v placeholders (as boto3 does)."""
    if isinstance(node, ex.Name):
        if not node.auto:
            return ".".join(node.parts)
        parts = []
        for part in node.parts:
            alias = f"#n{len(names)}"
            names[alias] = part
            parts.append(alias)
        return ".".join(parts)
    if isinstance(node, ex.Value):
        if node.placeholder is not None:
            return node.placeholder
        alias = f":v{len(values)}"
        values[alias] = _attribute_value(node.inline, style)
        return alias
    if isinstance(node, ex.Logical):
        return "(" + f" {node.op} ".join(_render(i, names, values, style) for i in node.items) + ")"
    if isinstance(node, ex.Not):
        return f"(NOT {_render(node.item, names, values, style)})"
    if isinstance(node, ex.Compare):
        return f"{_render(node.left, names, values, style)} {node.op} {_render(node.right, names, values, style)}"
    if isinstance(node, ex.Between):
        low, high = _render(node.low, names, values, style), _render(node.high, names, values, style)
        return f"{_render(node.operand, names, values, style)} BETWEEN {low} AND {high}"
    if isinstance(node, ex.In):
        options = ", ".join(_render(o, names, values, style) for o in node.options)
        return f"{_render(node.operand, names, values, style)} IN ({options})"
    args = ", ".join(_render(a, names, values, style) for a in node.args)
    return f"{node.name}({args})"


def request(call: Call) -> tuple[str, dict[str, Any]]:
    """(low-level client method, its arguments) of a literal call, exactly as the code would send it."""
    args: dict[str, Any] = {"TableName": call.table.name}
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name, param in call.params.items():
        value = param.value
        if name == SPREAD:
            continue
        if name in _CONDITIONS and not isinstance(value, str):
            args[name] = _render(value, names, values, call.style)
        elif name in _VALUE_MAPS:
            values.update({k: _attribute_value(v, call.style) for k, v in value.items()})
        elif name in _ITEM_PARAMS:
            args[name] = {k: _attribute_value(v, call.style) for k, v in value.items()}
        elif name == "ExpressionAttributeNames":
            names.update(value)
        else:
            args[name] = value
    if names:
        args["ExpressionAttributeNames"] = names
    if values:
        args["ExpressionAttributeValues"] = values
    if call.operation == "ConditionCheck":
        return "transact_write_items", {"TransactItems": [{"ConditionCheck": args}]}
    return METHODS[call.operation], args


def execute(client: Any, call: Call) -> Verdict:
    """Send one literal call; DynamoDB's answer (a conditional check failing still means it was valid)."""
    method, args = request(call)
    try:
        getattr(client, method)(**args)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code, message = error.get("Code", ""), error.get("Message", str(exc))
        if code in ("ConditionalCheckFailedException",) or (
            code == "TransactionCanceledException" and "ConditionalCheckFailed" in message
        ):
            return Verdict(call, True, f"valid ({code})")
        return Verdict(call, False, f"{code}: {message}")
    return Verdict(call, True, "")


def run(calls: list[Call], declared: Declared, say: Callable[[str], None] = lambda _: None) -> list[Verdict]:
    """Start DynamoDB Local, create the env's tables empty, execute every literal call, stop it."""
    from tablekit import aws
    from tablekit.endpoint.dynamodb_local import create_tables
    from tablekit.endpoint.probes import free_port
    from tablekit.endpoint.server import Endpoint

    literal = [c for c in calls if c.literal and c.operation in (*METHODS, "ConditionCheck")]
    if not literal:
        say("--run: no call is fully literal; nothing to execute")
        return []
    with tempfile.TemporaryDirectory(prefix="tablekit-queries-local-") as state:
        endpoint = Endpoint(port=free_port(), state_dir=Path(state), engine="dynamodb-local")
        say(f"--run: starting DynamoDB Local for {len(literal)} literal calls")
        endpoint.start(timeout=120)
        try:
            clients = aws.clients(endpoint.url, "us-east-1")
            create_tables(clients.dynamodb(), declared.key_schemas, ttl=False)
            client = clients.for_bulk_writes().dynamodb()
            return [execute(client, call) for call in literal]
        finally:
            endpoint.stop()
