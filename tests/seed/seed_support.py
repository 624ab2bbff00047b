"""Create a table straight from a `key_schema` object, for tests and benchmarks only.

Why: the loader's tests and the benchmark need tables shaped exactly like an env's `tables` output
without paying for a Terraform apply per case. Production tables are always created by the
Terraform modules; nothing in the seed pipeline calls this.
"""

from __future__ import annotations

from typing import Any, Mapping

from tablekit.endpoint.dynamodb_local import create_table_request


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
        "indexes": {
            index: {"hash_key": h, "range_key": r, "kind": "GSI", "projection_type": "ALL", "non_key_attributes": []}
            for index, (h, r) in (indexes or {}).items()
        },
        "ttl_attribute": ttl_attribute,
    }


def create_table(client: Any, schema: Mapping[str, Any], name: str | None = None) -> str:
    """Create (on-demand) the table a key_schema describes, indexes included; returns its name.

    The request is tablekit.endpoint.dynamodb_local's, the one way the harness turns a key_schema into a table.
    """
    name = name or schema["name"]
    client.create_table(**create_table_request(schema, name))
    return name
