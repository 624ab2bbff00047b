"""Create a table straight from a `key_schema` object, for tests and benchmarks only.

Why: the loader's tests and the benchmark need tables shaped exactly like an env's `tables` output
without paying for a Terraform apply per case. Production tables are always created by the
Terraform modules; nothing in the seed pipeline calls this.
"""

from __future__ import annotations

from typing import Any, Mapping


def key_schema(
    name: str,
    hash_key: tuple[str, str],
    range_key: tuple[str, str] | None = None,
    indexes: Mapping[str, tuple[str, str | None]] | None = None,
    attributes: Mapping[str, str] | None = None,
    ttl_attribute: str | None = None,
) -> dict[str, Any]:
    """A `key_schema` object as the table module outputs it (see docs/architecture.md)."""
    attrs = {hash_key[0]: hash_key[1], **({range_key[0]: range_key[1]} if range_key else {}), **(attributes or {})}
    return {
        "name": name,
        "hash_key": {"name": hash_key[0], "type": hash_key[1]},
        "range_key": {"name": range_key[0], "type": range_key[1]} if range_key else None,
        "attributes": attrs,
        "indexes": {index: {"hash_key": h, "range_key": r, "kind": "GSI"} for index, (h, r) in (indexes or {}).items()},
        "ttl_attribute": ttl_attribute,
    }


def create_table(client: Any, schema: Mapping[str, Any], name: str | None = None) -> str:
    """Create (on-demand) the table a key_schema describes, GSIs included; returns its name."""
    name = name or schema["name"]
    keys = [{"AttributeName": schema["hash_key"]["name"], "KeyType": "HASH"}]
    if schema.get("range_key"):
        keys.append({"AttributeName": schema["range_key"]["name"], "KeyType": "RANGE"})
    gsis = []
    for index, spec in (schema.get("indexes") or {}).items():
        if spec.get("kind", "GSI") != "GSI":
            continue  # LSIs are not needed by the loader's tests or benchmark
        index_keys = [{"AttributeName": spec["hash_key"], "KeyType": "HASH"}]
        if spec.get("range_key"):
            index_keys.append({"AttributeName": spec["range_key"], "KeyType": "RANGE"})
        gsis.append({"IndexName": index, "KeySchema": index_keys, "Projection": {"ProjectionType": "ALL"}})
    kwargs: dict[str, Any] = {
        "TableName": name,
        "KeySchema": keys,
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": t} for a, t in schema["attributes"].items()],
        "BillingMode": "PAY_PER_REQUEST",
    }
    if gsis:
        kwargs["GlobalSecondaryIndexes"] = gsis
    client.create_table(**kwargs)
    return name
