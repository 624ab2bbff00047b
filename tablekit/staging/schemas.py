"""Machine-readable schemas of the AWS provider: the pinned one (offline toolchain) and the current one.

Two sources, one shape (`ProviderSchema`):

- the **pinned** provider (hashicorp/aws 3.39.0, the offline test double) describes itself:
  `terraform providers schema -json` in a scratch root that requires exactly that version. The
  compat layer strips from staged copies what this schema does not know, so the list of removals is
  the provider's own word, never a hand-written list.
- the **current** provider (hashicorp/aws 6.66.0) cannot be installed here (no registry). Its
  schema comes from the npm package `@cdktn/provider-aws` 25.7.0, generated from that provider
  release: every `lib/<resource>/index.js` spells out the Terraform names of its arguments and
  nested blocks (`synthesizeHclAttributes`, with `isBlock`) and its readable attributes (getters).
  The package carries no deprecation messages (its only `@deprecated` tags warn that write-only
  arguments read back as null), so deprecations come from `REFERENCE_DEPRECATIONS` below.

Both are cached as normalized JSON under build/provider-schemas/, keyed by provider version (and
by the package's integrity for the npm source), so a run pays for a schema once.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tablekit.paths import BUILD
from tablekit.staging.reference_package import ReferencePin, fetch_reference_package, reference_pin

SCHEMA_CACHE = BUILD / "provider-schemas"
# Schemas already read in this process (cache file => schema): every staged copy needs one.
_LOADED: dict[Path, ProviderSchema] = {}
# Bump when the extraction below changes, so caches written by an older extractor are not reused.
EXTRACTOR_VERSION = 2
PROVIDER_SOURCE = "registry.terraform.io/hashicorp/aws"


@dataclass
class Attribute:
    settable: bool
    deprecated: str | None = None  # the deprecation message, None when current


@dataclass
class Block:
    """One schema block: its attributes and nested block types (like Terraform's own JSON)."""

    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: dict[str, Block] = field(default_factory=dict)
    deprecated: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "attributes": {
                k: ({"settable": a.settable} | ({"deprecated": a.deprecated} if a.deprecated else {}))
                for k, a in sorted(self.attributes.items())
            },
            "blocks": {k: b.to_json() for k, b in sorted(self.blocks.items())},
        }
        if self.deprecated:
            out["deprecated"] = self.deprecated
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Block:
        return cls(
            attributes={k: Attribute(v["settable"], v.get("deprecated")) for k, v in data["attributes"].items()},
            blocks={k: cls.from_json(v) for k, v in data["blocks"].items()},
            deprecated=data.get("deprecated"),
        )


@dataclass
class ProviderSchema:
    """What one provider release accepts: provider block, resource types and data sources."""

    version: str
    source: str  # where the schema was read from, for messages
    provider: Block
    resources: dict[str, Block]
    data_sources: dict[str, Block]

    @property
    def label(self) -> str:
        return f"hashicorp/aws {self.version}"

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "source": self.source,
            "provider": self.provider.to_json(),
            "resources": {k: v.to_json() for k, v in sorted(self.resources.items())},
            "data_sources": {k: v.to_json() for k, v in sorted(self.data_sources.items())},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProviderSchema:
        return cls(
            version=data["version"],
            source=data["source"],
            provider=Block.from_json(data["provider"]),
            resources={k: Block.from_json(v) for k, v in data["resources"].items()},
            data_sources={k: Block.from_json(v) for k, v in data["data_sources"].items()},
        )

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_json(), separators=(",", ":"), sort_keys=True))
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, path: Path) -> ProviderSchema:
        return cls.from_json(json.loads(path.read_text()))


# --- the pinned provider: its own `terraform providers schema -json` ---------------------------------


def _terraform_block(data: dict[str, Any]) -> Block:
    """Terraform's schema JSON block -> Block (settable = optional or required)."""
    block = Block(deprecated="deprecated by the provider" if data.get("deprecated") else None)
    for name, attr in data.get("attributes", {}).items():
        settable = bool(attr.get("optional") or attr.get("required"))
        block.attributes[name] = Attribute(settable, "deprecated by the provider" if attr.get("deprecated") else None)
    for name, nested in data.get("block_types", {}).items():
        block.blocks[name] = _terraform_block(nested.get("block", {}))
    return block


def from_terraform_json(data: dict[str, Any], version: str) -> ProviderSchema:
    """Normalize `terraform providers schema -json` output for the AWS provider."""
    schemas = data.get("provider_schemas", {})
    aws = schemas.get(PROVIDER_SOURCE)
    if aws is None:
        raise ValueError(f"no {PROVIDER_SOURCE} in the provider schema output (found: {', '.join(schemas) or 'none'})")
    return ProviderSchema(
        version=version,
        source="terraform providers schema -json",
        provider=_terraform_block(aws["provider"]["block"]),
        resources={k: _terraform_block(v["block"]) for k, v in aws.get("resource_schemas", {}).items()},
        data_sources={k: _terraform_block(v["block"]) for k, v in aws.get("data_source_schemas", {}).items()},
    )


def pinned(version: str | None = None) -> ProviderSchema:
    """Schema of the pinned offline provider, computed once per version with that provider itself."""
    from tablekit.terraform.runner import Terraform
    from tablekit.terraform.toolchain import PROVIDER_VERSION

    version = version or PROVIDER_VERSION
    cache = SCHEMA_CACHE / f"hashicorp-aws-{version}.json"
    if cache in _LOADED:
        return _LOADED[cache]
    if cache.exists():
        _LOADED[cache] = ProviderSchema.load(cache)
        return _LOADED[cache]
    scratch = SCHEMA_CACHE / f"root-{version}"
    scratch.mkdir(parents=True, exist_ok=True)
    (scratch / "main.tf").write_text(
        "# Generated by tablekit.staging.schemas: the smallest root that installs the pinned provider.\n"
        'terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n'
        f'      version = "= {version}"\n    }}\n  }}\n}}\n'
    )
    tf = Terraform(scratch, env={"TF_DATA_DIR": str(scratch / ".terraform")})
    tf.init(backend=False)
    shown = tf.run(["providers", "schema", "-json"]).stdout
    schema = from_terraform_json(json.loads(shown), version)
    schema.save(cache)
    _LOADED[cache] = schema
    return schema


# --- the current provider: @cdktn/provider-aws ---------------------------------------------------

# Deprecations of hashicorp/aws 6.66.0 that matter to resource types this collection uses or may
# reach for, with the provider's own messages. The npm package does not carry them (see the module
# docstring); each entry is the provider's `Deprecated`/`DeprecationMessage` of that argument.
REFERENCE_DEPRECATIONS: dict[tuple[str, str], str] = {
    ("data.aws_region", "name"): "name is deprecated. Use region instead.",
    ("aws_iam_role", "inline_policy"): "inline_policy is deprecated. Use the aws_iam_role_policy resource instead.",
    ("aws_iam_role", "managed_policy_arns"): (
        "managed_policy_arns is deprecated. Use the aws_iam_role_policy_attachment resource instead."
    ),
    (
        "aws_s3_bucket",
        "acceleration_status",
    ): "acceleration_status is deprecated. Use the aws_s3_bucket_accelerate_configuration resource instead.",
    ("aws_s3_bucket", "acl"): "acl is deprecated. Use the aws_s3_bucket_acl resource instead.",
    (
        "aws_s3_bucket",
        "cors_rule",
    ): "cors_rule is deprecated. Use the aws_s3_bucket_cors_configuration resource instead.",
    ("aws_s3_bucket", "grant"): "grant is deprecated. Use the aws_s3_bucket_acl resource instead.",
    (
        "aws_s3_bucket",
        "lifecycle_rule",
    ): "lifecycle_rule is deprecated. Use the aws_s3_bucket_lifecycle_configuration resource instead.",
    ("aws_s3_bucket", "logging"): "logging is deprecated. Use the aws_s3_bucket_logging resource instead.",
    (
        "aws_s3_bucket",
        "object_lock_configuration",
    ): "object_lock_configuration is deprecated. Use the aws_s3_bucket_object_lock_configuration resource instead.",
    ("aws_s3_bucket", "policy"): "policy is deprecated. Use the aws_s3_bucket_policy resource instead.",
    (
        "aws_s3_bucket",
        "replication_configuration",
    ): "replication_configuration is deprecated. Use the aws_s3_bucket_replication_configuration resource instead.",
    (
        "aws_s3_bucket",
        "request_payer",
    ): "request_payer is deprecated. Use the aws_s3_bucket_request_payment_configuration resource instead.",
    (
        "aws_s3_bucket",
        "server_side_encryption_configuration",
    ): (
        "server_side_encryption_configuration is deprecated. "
        "Use the aws_s3_bucket_server_side_encryption_configuration resource instead."
    ),
    ("aws_s3_bucket", "versioning"): "versioning is deprecated. Use the aws_s3_bucket_versioning resource instead.",
    (
        "aws_s3_bucket",
        "website",
    ): "website is deprecated. Use the aws_s3_bucket_website_configuration resource instead.",
}

_CLASS = re.compile(r"^class \w+ extends cdktn\.(TerraformResource|TerraformDataSource|TerraformProvider) \{", re.M)
_TYPE = re.compile(r'static tfResourceType = "([a-z0-9_]+)";')
_FUNC = re.compile(r"^function (\w+)ToHclTerraform\(struct\) \{", re.M)
_ATTRS = re.compile(r"const attrs = \{(.*?)\n\s*\};", re.S)
_ENTRY = re.compile(r"^\s+([a-z0-9_]+): \{\s*\n\s*value: (.*?),\s*\n\s*isBlock: (true|false),", re.M)
_CHILD = re.compile(r"(?<![.\w])(\w+)ToHclTerraform\b")
_GETTER = re.compile(r"^    get (\w+)\(\) \{", re.M)
_DEPRECATED_TAG = re.compile(r"@deprecated ([^\n]*)")


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _cdktn_block(entries: str, functions: dict[str, str], depth: int = 0) -> Block:
    """Block from the body of one `const attrs = {...}` (recursing into nested block functions)."""
    block = Block()
    for name, value, is_block in _ENTRY.findall(entries):
        if is_block == "true":
            child = _CHILD.search(value)
            body = functions.get(child.group(1), "") if child else ""
            block.blocks[name] = _cdktn_block(body, functions, depth + 1) if depth < 12 else Block()
        else:
            block.attributes[name] = Attribute(True)
    return block


def parse_cdktn_module(js: str) -> tuple[str, str, Block] | None:
    """(kind, type, block) of one lib/<x>/index.js: kind is resource, data or provider."""
    cls = _CLASS.search(js)
    kind_match = _TYPE.search(js, cls.start()) if cls else None
    if not cls or not kind_match:
        return None
    kind = {"TerraformResource": "resource", "TerraformDataSource": "data", "TerraformProvider": "provider"}[
        cls.group(1)
    ]
    functions: dict[str, str] = {}
    for m in _FUNC.finditer(js):
        attrs = _ATTRS.search(js, m.end())
        if attrs:
            functions[m.group(1)] = attrs.group(1)
    main = js[cls.start() :]
    attrs = _ATTRS.search(main, main.find("synthesizeHclAttributes()"))
    block = _cdktn_block(attrs.group(1) if attrs else "", functions)
    # Readable attributes (arn, stream_arn, ...) are getters named in camelCase; skip the ones that
    # are arguments or blocks already (their snake_case spelling is known exactly).
    known = {re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), n) for n in (*block.attributes, *block.blocks)}
    for getter in _GETTER.findall(main):
        if not getter.endswith("Input") and getter not in known:
            block.attributes.setdefault(_snake(getter), Attribute(False))
    return kind, kind_match.group(1), block


def reference_cache(pin: ReferencePin) -> Path:
    """Where the schema extracted from `pin` is cached (the extractor's version is part of the key)."""
    digest = hashlib.sha256(f"{pin.integrity} {EXTRACTOR_VERSION}".encode()).hexdigest()[:12]
    return SCHEMA_CACHE / f"hashicorp-aws-{pin.provider_version}-cdktn-{pin.version}-{digest}.json"


def extract_reference(tarball: Path, pin: ReferencePin) -> ProviderSchema:
    """Read every lib/*/index.js of the package tarball into one ProviderSchema (no unpacking to disk)."""
    resources: dict[str, Block] = {}
    data_sources: dict[str, Block] = {}
    provider = Block()
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive:
            parts = member.name.split("/")
            if not (member.isfile() and len(parts) == 4 and parts[1] == "lib" and parts[3] == "index.js"):
                continue
            handle = archive.extractfile(member)
            if handle is None:
                continue
            parsed = parse_cdktn_module(io.TextIOWrapper(handle, encoding="utf-8").read())
            if parsed is None:
                continue
            kind, name, block = parsed
            if kind == "provider":
                provider = block
            elif kind == "resource":
                resources[name] = block
            else:
                data_sources[name] = block
    if not resources or not provider.attributes:
        raise ValueError(f"{tarball.name} holds no provider schema: is it {pin.spec}?")
    for (owner, attr), message in REFERENCE_DEPRECATIONS.items():
        table, kind = (data_sources, owner[5:]) if owner.startswith("data.") else (resources, owner)
        owner_block = table.get(kind)
        if owner_block is None:
            continue
        if attr in owner_block.attributes:
            owner_block.attributes[attr].deprecated = message
        elif attr in owner_block.blocks:
            owner_block.blocks[attr].deprecated = message
    return ProviderSchema(pin.provider_version, pin.spec, provider, resources, data_sources)


def deprecation_tags(tarball: Path) -> dict[str, int]:
    """Every `@deprecated` JSDoc text in the package's type declarations, with its count.

    The schema proof asserts what they are (write-only getters only), so a future pin whose
    generator starts carrying the provider's deprecations is noticed instead of ignored.
    """
    found: dict[str, int] = {}
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive:
            if not (member.isfile() and member.name.endswith("/index.d.ts")):
                continue
            handle = archive.extractfile(member)
            if handle is None:
                continue
            for text in _DEPRECATED_TAG.findall(handle.read().decode("utf-8")):
                found[text.strip()] = found.get(text.strip(), 0) + 1
    return found


def reference(pin: ReferencePin | None = None) -> ProviderSchema:
    """Schema of the current provider from the pinned npm package (fetched by the bootstrap)."""
    pin = pin or reference_pin()
    cache = reference_cache(pin)
    if cache not in _LOADED:
        if cache.exists():
            _LOADED[cache] = ProviderSchema.load(cache)
        else:
            schema = extract_reference(fetch_reference_package(pin), pin)
            schema.save(cache)
            _LOADED[cache] = schema
    return _LOADED[cache]
