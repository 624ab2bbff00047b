"""The declared tables of an env: keys, key types and indexes, from its `tables` output.

Why the output and not the Terraform files: the output (`key_schema` of modules/dynamodb-table) is
what the module really creates, computed by Terraform; it is known at plan time, so a plan of the
env is enough and no applied estate is needed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from tablekit.errors import UserError
from tablekit.queries.appcode import unwrap_output


@dataclass(frozen=True)
class KeySchema:
    """The key of a table or of one of its indexes."""

    hash_key: str
    range_key: str | None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.hash_key, self.range_key) if self.range_key else (self.hash_key,)


@dataclass(frozen=True)
class TableSchema:
    name: str
    key: KeySchema
    types: Mapping[str, str]  # attribute => S | N | B (key attributes of the table and its indexes)
    indexes: Mapping[str, KeySchema] = field(default_factory=dict)

    def key_of(self, index: str | None) -> KeySchema:
        return self.key if index is None else self.indexes[index]

    def type_of(self, attribute: str) -> str | None:
        return self.types.get(attribute)


@dataclass(frozen=True)
class Declared:
    """Everything a check needs to know about an env: its tables and its app-config variables."""

    tables: Mapping[str, TableSchema]
    app_config: Mapping[str, str] = field(default_factory=dict)
    key_schemas: Mapping[str, Any] = field(default_factory=dict)  # the raw `tables` output (DynamoDB Local)


def table_schema(name: str, spec: Mapping[str, Any]) -> TableSchema:
    """One `key_schema` output value as a TableSchema."""
    try:
        range_key = (spec.get("range_key") or {}).get("name")
        indexes = {
            str(index): KeySchema(str(entry["hash_key"]), entry.get("range_key"))
            for index, entry in (spec.get("indexes") or {}).items()
        }
        return TableSchema(
            name=name,
            key=KeySchema(str(spec["hash_key"]["name"]), range_key),
            types={str(k): str(v) for k, v in (spec.get("attributes") or {}).items()},
            indexes=indexes,
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise UserError(f"table {name}: not a key_schema value ({exc!r} missing or malformed)") from None


def from_outputs(outputs: Mapping[str, Any]) -> Declared:
    """Declared tables from env outputs (`tables` required, `app_config` optional)."""
    tables = unwrap_output(outputs.get("tables"))
    if not isinstance(tables, dict) or not tables:
        raise UserError("the env's outputs have no `tables` map (real name => key schema)")
    app_config = unwrap_output(outputs.get("app_config")) or {}
    return Declared(
        tables={str(n): table_schema(str(n), s) for n, s in sorted(tables.items())},
        app_config={str(k): str(v) for k, v in app_config.items()} if isinstance(app_config, dict) else {},
        key_schemas=tables,
    )
