"""Provider blocks for the local endpoint, generated for the AWS provider actually in use.

The same intent (every service this collection talks to aimed at the local endpoint, fake
credentials) is spelled differently by provider generations: 3.39 names the path-style switch
`s3_force_path_style` and the endpoints `cloudwatchlogs`/`applicationautoscaling`, 6.x
`s3_use_path_style`, `logs` and `appautoscaling`, and rejects `skip_get_ec2_platforms`. So blocks
are generated from the provider's own schema instead of being written down twice:

- each endpoint uses the first of its spellings the provider knows;
- the start-up flags are added only where that provider needs them: the 3.x/4.x generation (the
  schemas that still have `skip_get_ec2_platforms`) probes EC2, STS and the instance-metadata
  service on every start and spends about 22 s per provider process against a local endpoint
  without them. Current providers ask STS for the account ID, which the local endpoint answers
  at once, so they get no skips and plan with a real-looking account.

`envs/local/providers.tf` is this module's output for the current provider (a test keeps it so);
test fixtures and offline plans get the block for the provider in use.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from tablekit.staging.schemas import Block, ProviderSchema

# Logical service => endpoint spellings, preferred first. Every service a module here talks to.
SERVICES: tuple[tuple[str, ...], ...] = (
    ("dynamodb",),
    ("iam",),
    ("lambda",),
    ("sqs",),
    ("sns",),
    ("cloudwatch",),
    ("logs", "cloudwatchlogs"),
    ("kms",),
    ("sts",),
    ("s3",),
    ("appautoscaling", "applicationautoscaling"),
    ("backup",),
)
PATH_STYLE = ("s3_use_path_style", "s3_force_path_style")
# Why each start-up flag exists; used only for providers of the generation that needs them.
START_UP_FLAGS = {
    "skip_credentials_validation": "no STS GetCallerIdentity with the fake credentials",
    "skip_get_ec2_platforms": "no EC2 DescribeAccountAttributes probe",
    "skip_metadata_api_check": "no instance-metadata probe (seconds of timeouts off EC2)",
    "skip_region_validation": "no check of the region against the provider's built-in list",
    "skip_requesting_account_id": "no account-ID lookup through STS/IAM",
}
GENERATION_MARKER = "skip_get_ec2_platforms"


def needs_start_up_flags(schema: ProviderSchema) -> bool:
    """True for providers whose start-up probes make every plan against the endpoint ~22 s slower."""
    return GENERATION_MARKER in schema.provider.attributes


def endpoint_names(schema: ProviderSchema) -> list[str]:
    """The endpoint argument of every service in SERVICES, spelled the way this provider spells it."""
    endpoints = schema.provider.blocks.get("endpoints", Block())
    names = []
    for spellings in SERVICES:
        known = [s for s in spellings if s in endpoints.attributes and not endpoints.attributes[s].deprecated]
        if not known:
            raise ValueError(f"{schema.label} has no endpoint argument for {spellings[0]}")
        names.append(known[0])
    return names


def _hcl_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def local_provider_hcl(
    schema: ProviderSchema,
    endpoint: str,
    region: str | None = "us-east-1",
    alias: str | None = None,
    expressions: bool = False,
    comment: str | None = None,
    credentials: Mapping[str, str] | None = None,
) -> str:
    """An aws provider block aiming every service at the local endpoint, for this provider.

    endpoint/region are literal values, or HCL expressions (e.g. var.endpoint_url) with
    expressions=True. region=None leaves the region out, which in an override file keeps the
    original block's region. `credentials` (access_key, secret_key and optionally token) replaces
    the fixed test keys; `{}` writes no keys at all (the simulated account passes each env's keys
    in the Terraform process environment, so no file and no plan records them).
    """

    def value(v: str) -> str:
        return v if expressions else _hcl_string(v)

    settings: list[tuple[str, str]] = []
    if alias:
        settings.append(("alias", _hcl_string(alias)))
    if region is not None:
        settings.append(("region", value(region)))
    keys = dict(credentials) if credentials is not None else {"access_key": "test", "secret_key": "test"}
    settings += [(name, _hcl_string(keys[name])) for name in ("access_key", "secret_key", "token") if name in keys]
    path_style = next(p for p in PATH_STYLE if p in schema.provider.attributes)
    settings.append((path_style, "true"))
    if needs_start_up_flags(schema):
        settings += [(flag, "true") for flag in sorted(START_UP_FLAGS) if flag in schema.provider.attributes]
    width = max(len(k) for k, _ in settings)
    names = endpoint_names(schema)
    ep_width = max(len(n) for n in names)
    lines = [f"# {line}".rstrip() for line in (comment or "").splitlines()]
    lines.append('provider "aws" {')
    lines += [f"  {k:<{width}} = {v}" for k, v in settings]
    lines += ["", "  endpoints {"]
    lines += [f"    {n:<{ep_width}} = {value(endpoint)}" for n in names]
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


def endpoint_provider_hcl(endpoint_url: str, region: str | None = "us-east-1", alias: str | None = None) -> str:
    """local_provider_hcl for the provider in use: the block scratch roots and override files get."""
    return local_provider_hcl(in_use(), endpoint_url, region=region, alias=alias)


def in_use() -> ProviderSchema:
    """Schema of the provider generated provider blocks are written for: the pinned double's (only
    local and the simulated account generate provider blocks; a real account runs the env's own)."""
    from tablekit.staging import schemas

    return schemas.pinned()


ENVS_LOCAL_COMMENT = (
    "Generated by tablekit.staging.providers for hashicorp/aws {version} (tests keep it so): every service the\n"
    "families use points at the local endpoint (moto's server), with fake credentials. Pinned-provider\n"
    "runs replace this block with the one generated for that provider (plus its start-up flags)."
)


def envs_local_providers_tf(schema: ProviderSchema) -> str:
    """The committed text of envs/local/providers.tf, for the current provider."""
    return local_provider_hcl(
        schema,
        "var.endpoint_url",
        region="var.region",
        expressions=True,
        comment=ENVS_LOCAL_COMMENT.format(version=schema.version),
    )


GENERATED_MARKER = "# Generated by tablekit.staging.providers"
# The marker of releases before the package split: upgrade-check stages their envs/local too.
EARLIER_MARKERS = ("# Generated by tablekit.providers",)


def regenerate(root: Path, schema: ProviderSchema) -> list[Path]:
    """Rewrite every generated providers.tf below a staged root for the provider in use."""
    rewritten = []
    for path in sorted(root.rglob("providers.tf")):
        if path.read_text().startswith((GENERATED_MARKER, *EARLIER_MARKERS)):
            path.write_text(envs_local_providers_tf(schema))
            rewritten.append(path)
    return rewritten
