"""Fixtures for the seed pipeline: key schemas shaped like an env's `tables` output, tables on the session
endpoint under a per-test prefix (the same path a dev `name_prefix` takes), and seed trees on disk.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, Callable

import pytest
from seed_support import create_table, key_schema

from tablekit import aws
from tablekit.dynamodb_json import from_item

ENVIRONMENTS = {
    "sets": {"reference": {"allowed": ["local", "dev", "prod"]}, "demo": {"allowed": ["local", "dev"]}},
    "environments": {"local": ["reference", "demo"], "dev": ["reference", "demo"], "prod": ["reference"]},
}

# Contract-named schemas; tests create them under a unique prefix.
SCHEMAS: dict[str, dict[str, Any]] = {
    # As envs/local declares them (its `tables` output), GSIs included.
    "bandup-evaluations": key_schema(
        "bandup-evaluations",
        ("evaluation_id", "S"),
        ("user_id", "S"),
        indexes={"user_id-created_at-index": ("user_id", "created_at")},
        attributes={"created_at": "N"},
    ),
    "university": key_schema(
        "university",
        ("pk", "S"),
        ("sk", "S"),
        indexes={"studentID-index": ("studentID", "sk"), "entityType-courseDate-index": ("entityType", "courseDate")},
        attributes={"studentID": "S", "entityType": "S", "courseDate": "S"},
        ttl_attribute="expiresAt",
    ),
    "counters": key_schema("counters", ("counter_id", "N")),
    "blobs": key_schema("blobs", ("blob_id", "B")),
}


@pytest.fixture
def schemas() -> dict[str, dict[str, Any]]:
    """Contract name -> key_schema (no tables created): for validation-only tests."""
    return {name: dict(schema) for name, schema in SCHEMAS.items()}


@pytest.fixture
def factory(endpoint_url: str):
    """Zero-argument factory of DynamoDB clients for the session endpoint, with the loader's settings."""
    return aws.clients(endpoint_url, "us-east-1").for_bulk_writes().dynamodb


@pytest.fixture
def env_tables(factory) -> Callable[..., dict[str, dict[str, Any]]]:
    """Create the named contract tables under a fresh prefix; returns the `tables` dict (real names)."""

    def make(*names: str) -> dict[str, dict[str, Any]]:
        prefix = f"t{uuid.uuid4().hex[:8]}-"
        client = factory()
        tables = {}
        for name in names:
            schema = dict(SCHEMAS[name], name=prefix + name)
            create_table(client, schema)
            tables[prefix + name] = schema
        return tables

    return make


@pytest.fixture
def seed_tree(tmp_path: Path) -> Callable[..., Path]:
    """Write {relative path: rows (list -> .json array, str -> raw text)} plus environments.json."""

    def write(files: dict[str, Any], environments: dict[str, Any] | None = None) -> Path:
        root = tmp_path / "seed_data"
        root.mkdir(exist_ok=True)
        (root / "environments.json").write_text(json.dumps(environments or ENVIRONMENTS))
        for rel, content in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2))
        return root

    return write


@pytest.fixture
def scan(factory) -> Callable[[str], dict[tuple, dict[str, Any]]]:
    """Read a whole table back as plain rows, keyed by (hash, range) for easy comparison."""
    client = factory()

    def read(table: str) -> dict[tuple, dict[str, Any]]:
        keys = [k["AttributeName"] for k in client.describe_table(TableName=table)["Table"]["KeySchema"]]
        rows: dict[tuple, dict[str, Any]] = {}
        kwargs: dict[str, Any] = {"TableName": table}
        while True:
            page = client.scan(**kwargs)
            for item in page["Items"]:
                row = from_item(item)
                rows[tuple(str(row[k]) for k in keys)] = row
            if "LastEvaluatedKey" not in page:
                return rows
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    return read
