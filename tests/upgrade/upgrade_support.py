"""A small git repository shaped like this one, for upgrade-check tests that must run in seconds.

It has the real modules/dynamodb-table, an envs/local root with three tables against the local
endpoint (two through a `for_each` module call, one through a `count` call, the shape refactors
change), seed data for every table, an empty CHANGELOG.md and no migrations. Tests clone it and
commit the change they want judged, so upgrade-check sees exactly what a pull request would give it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tablekit.paths import MODULES

PROVIDER = """
terraform {
  backend "local" {}
}

variable "endpoint_url" {
  description = "URL of the local endpoint."
  type        = string
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_get_ec2_platforms      = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  skip_requesting_account_id  = true

  endpoints {
    dynamodb               = var.endpoint_url
    sts                    = var.endpoint_url
    kms                    = var.endpoint_url
    cloudwatch             = var.endpoint_url
    applicationautoscaling = var.endpoint_url
  }
}
"""

USERS_KEY = '{ name = "userId", type = "S" }'

MAIN = """
locals {
  tables = {
    "upgrade-users"  = { hash_key = USERS_KEY }
    "upgrade-orders" = { hash_key = { name = "orderId", type = "S" }, range_key = { name = "createdAt", type = "N" } }
  }
}

module "table" {
  source   = "../../modules/dynamodb-table"
  for_each = local.tables

  name   = each.key
  schema = each.value
}

module "legacy" {
  source = "../../modules/dynamodb-table"
  count  = 1

  name   = "upgrade-legacy"
  schema = { hash_key = { name = "id", type = "S" } }
}

output "tables" {
  description = "Real table name => key schema (read by the seed loader)."
  value = merge(
    { for k, m in module.table : k => m.key_schema },
    { for m in module.legacy : m.key_schema.name => m.key_schema },
  )
}
"""

# After a count -> for_each refactor: the legacy table joins the for_each map.
MAIN_FOR_EACH = """
locals {
  tables = {
    "upgrade-users"  = { hash_key = USERS_KEY }
    "upgrade-orders" = { hash_key = { name = "orderId", type = "S" }, range_key = { name = "createdAt", type = "N" } }
    "upgrade-legacy" = { hash_key = { name = "id", type = "S" } }
  }
}

module "table" {
  source   = "../../modules/dynamodb-table"
  for_each = local.tables

  name   = each.key
  schema = each.value
}

output "tables" {
  description = "Real table name => key schema (read by the seed loader)."
  value       = { for k, m in module.table : k => m.key_schema }
}
"""

SEEDS = {
    "upgrade-users": [{"userId": "u-1", "email": "a@example.com"}, {"userId": "u-2", "email": "b@example.com"}],
    "upgrade-orders": [
        {"orderId": "o-1", "createdAt": 1733644800, "total": 12},
        {"orderId": "o-2", "createdAt": 1733731200, "total": 7},
        {"orderId": "o-3", "createdAt": 1733817600, "total": 3},
    ],
    "upgrade-legacy": [{"id": "l-1", "note": "kept since the first release"}],
}

CHANGELOG = "# Changelog\n\n## Unreleased\n\nNothing yet.\n"


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=tests", "-c", "user.email=tests@example.invalid", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def main_tf(template: str = MAIN, users_key: str = USERS_KEY) -> str:
    return template.replace("USERS_KEY", users_key)


def make_repo(path: Path) -> Path:
    """Write and commit the fixture repository (one commit on `main`)."""
    shutil.copytree(MODULES / "dynamodb-table", path / "modules" / "dynamodb-table")
    env = path / "envs" / "local"
    env.mkdir(parents=True)
    (env / "providers.tf").write_text(PROVIDER)
    (env / "main.tf").write_text(main_tf())
    seeds = path / "seed_data"
    (seeds / "fixture" / "demo").mkdir(parents=True)
    selection = {"sets": {"demo": {"allowed": ["local", "dev", "prod"]}}, "environments": {"local": ["demo"]}}
    (seeds / "environments.json").write_text(json.dumps(selection))
    for table, rows in SEEDS.items():
        (seeds / "fixture" / "demo" / f"{table}.json").write_text(json.dumps(rows))
    (path / "CHANGELOG.md").write_text(CHANGELOG)
    git(path, "init", "-q", "-b", "main")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "fixture: three tables")
    return path


def clone(base: Path, dest: Path) -> Path:
    subprocess.run(["git", "clone", "-q", str(base), str(dest)], check=True, capture_output=True, timeout=60)
    return dest


def commit(repo: Path, files: dict[str, str], message: str) -> str:
    """Write files (path relative to the repo => text) and commit them; returns the new commit."""
    for rel, text in files.items():
        target = repo / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")
