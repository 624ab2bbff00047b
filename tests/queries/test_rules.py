"""Rules beyond the key conditions the property test proves: keys, items, scans, filters, syntax."""

from __future__ import annotations

from tablekit.queries import python_calls, rules
from tablekit.queries.expressions import ExpressionError, parse_condition, used
from tablekit.queries.reserved import PUBLISHED_COUNT, is_reserved, words
from tablekit.queries.schema import Declared, from_outputs

ORDERS = {
    "orders": {
        "hash_key": {"name": "customer", "type": "S"},
        "range_key": {"name": "order_id", "type": "S"},
        "attributes": {"customer": "S", "order_id": "S", "placed_at": "N", "state": "S"},
        "indexes": {
            "customer-placed_at-index": {"hash_key": "customer", "range_key": "placed_at", "kind": "LSI"},
            "state-index": {"hash_key": "state", "range_key": None, "kind": "GSI"},
        },
    }
}


def findings(source: str, declared: Declared | None = None):
    declared = declared or from_outputs({"tables": ORDERS})
    prelude = "import boto3\ntable = boto3.resource('dynamodb').Table('orders')\n"
    out = []
    for call in python_calls.find_calls(prelude + source, "app.py", declared.app_config):
        out += [(f.severity, f.rule, f.message, f.fix) for f in rules.check(call, declared)]
    return out


def test_scan_is_a_warning_naming_the_index_that_serves_it() -> None:
    (finding,) = findings("table.scan(FilterExpression=Attr('state').eq('open'))")
    assert finding[:2] == ("warning", "scan")
    assert finding[3] == "query index 'state-index' with `state = :value` instead"
    (plain,) = findings("table.scan()")
    assert plain[:2] == ("warning", "scan") and "add an index" in plain[3]


def test_query_that_filters_a_whole_partition_names_the_serving_index() -> None:
    (finding,) = findings(
        "table.query(KeyConditionExpression=Key('customer').eq('c'), FilterExpression=Attr('placed_at').gt(5))"
    )
    assert finding[:2] == ("warning", "filter-only-query")
    assert finding[3] == "query index 'customer-placed_at-index' with a key condition on its sort key instead"
    assert (
        findings("table.query(KeyConditionExpression=Key('customer').eq('c') & Key('order_id').begins_with('2'))") == []
    )


def test_get_and_delete_keys_are_exactly_the_tables_key_with_its_types() -> None:
    (mismatch,) = findings("table.get_item(Key={'customer': 'c', 'state': 'open'})")
    assert mismatch[1] == "key-mismatch" and "missing order_id; not key attributes: state" in mismatch[2]
    (kind,) = findings("table.delete_item(Key={'customer': 'c', 'order_id': 7})")
    assert kind[1] == "key-type" and "'order_id' a N value" in kind[2]
    assert findings("table.get_item(Key={'customer': 'c', 'order_id': 'o'})") == []
    assert findings("table.get_item(Key=key)")[0][:2] == ("not-checked", "key-unresolved")


def test_put_item_carries_the_key_and_index_key_types() -> None:
    (missing,) = findings("table.put_item(Item={'customer': 'c', 'total': 3})")
    assert missing[1] == "item-key-missing" and "order_id" in missing[2]
    (kind,) = findings("table.put_item(Item={'customer': 'c', 'order_id': 'o', 'placed_at': 'yesterday'})")
    assert kind[1] == "key-type" and "'placed_at'" in kind[2]
    assert findings("table.put_item(Item={'customer': 'c', 'order_id': 'o', **rest})") == []


def test_update_expressions_are_checked_for_words_and_placeholders() -> None:
    found = findings(
        "table.update_item(Key={'customer': 'c', 'order_id': 'o'}, UpdateExpression='SET state = :s, #t = :t', "
        "ExpressionAttributeValues={':s': 'x'})"
    )
    assert [f[1] for f in found] == ["reserved-word", "placeholder-undefined", "placeholder-undefined"]
    assert "#t" in found[1][2] and ":t" in found[2][2]


def test_unknown_tables_and_indexes_and_unparsable_expressions() -> None:
    declared = from_outputs({"tables": ORDERS})
    source = "import boto3\nboto3.resource('dynamodb').Table('order').query(KeyConditionExpression='x = :x')\n"
    ((call),) = python_calls.find_calls(source, "app.py", {})
    (finding,) = rules.check(call, declared)
    assert (finding.rule, finding.fix) == ("table-not-declared", "use 'orders'")
    (index,) = findings("table.query(IndexName='state-idx', KeyConditionExpression=Key('state').eq('o'))")
    assert (index[1], index[3]) == ("index-not-declared", "use 'state-index'")
    (syntax,) = findings("table.query(KeyConditionExpression='customer = ')")
    assert syntax[1] == "expression-syntax"


def test_expression_parser() -> None:
    node = parse_condition("#a = :a AND (begins_with(b.c[1], :p) OR NOT attribute_exists(d)) AND size(e) > :n")
    assert type(node).__name__ == "Logical" and len(node.items) == 3
    try:
        parse_condition("a = :a AND")
    except ExpressionError as exc:
        assert exc.offset == 10
    else:
        raise AssertionError("an incomplete condition parses")
    found = used("SET #a = list_append(#a, :v), b.c = if_not_exists(b.c, :z) REMOVE d", "update")
    assert [n for n, _ in found.names] == ["b", "c", "b", "c", "d"]
    assert [v for v, _ in found.values] == [":v", ":z"]


def test_reserved_words_are_the_published_573() -> None:
    assert len(words()) == PUBLISHED_COUNT == 573
    assert is_reserved("status") and is_reserved("Timestamp") and not is_reserved("user_id")


def test_spread_parameters_leave_what_they_may_hold_not_checked() -> None:
    found = findings("table.query(**params, FilterExpression=Attr('state').eq('x'))")
    assert [f[:2] for f in found] == [("not-checked", "index-unresolved")]
    assert findings("table.get_item(**kwargs)")[0][:2] == ("not-checked", "key-unresolved")
