"""The pinned npm package the current AWS provider's schema is read from, fetched and verified.

`@cdktn/provider-aws` is generated from a hashicorp/aws release; its `lib/<resource>/index.js`
files list each resource's arguments, which makes it a machine-readable schema of the provider the
modules target (tablekit.staging.schemas reads it). The bootstrap runs `npm pack` into build/reference/
once; the tarball is checked against the integrity pinned in pyproject.toml
([tool.tablekit.reference-schema]) every time it is used, so a different package is refused.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

from tablekit.errors import UserError
from tablekit.paths import BUILD, ROOT


@dataclass(frozen=True)
class ReferencePin:
    """The pinned npm package the current provider's schema comes from (pyproject.toml)."""

    package: str  # e.g. "@cdktn/provider-aws"
    version: str  # package version, e.g. "25.7.0"
    provider_version: str  # hashicorp/aws release it was generated from, e.g. "6.66.0"
    integrity: str  # npm's "sha512-<base64>"

    @property
    def spec(self) -> str:
        return f"{self.package}@{self.version}"

    @property
    def tarball(self) -> Path:
        return BUILD / "reference" / f"{self.package.lstrip('@').replace('/', '-')}-{self.version}.tgz"


def integrity_of(path: Path) -> str:
    """npm's integrity string (sha512, base64) of a file."""
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def reference_pin() -> ReferencePin:
    """The npm package pinned in pyproject.toml ([tool.tablekit.reference-schema])."""
    table = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["tablekit"]["reference-schema"]
    package, _, version = table["package"].rpartition("@")
    return ReferencePin(package, version, table["provider-version"], table["integrity"])


def fetch_reference_package(pin: ReferencePin | None = None) -> Path:
    """`npm pack` the pinned package into build/reference/ unless it is there; check its integrity."""
    pin = pin or reference_pin()
    tarball = pin.tarball
    if tarball.exists() and integrity_of(tarball) == pin.integrity:
        return tarball
    npm = shutil.which("npm")
    if not npm:
        raise UserError(
            f"npm is needed to fetch {pin.spec} (the current AWS provider's schema for the schema proof): "
            "install Node.js with npm and rerun `./just`"
        )
    tarball.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [npm, "pack", pin.spec, "--pack-destination", str(tarball.parent), "--silent"],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0 or not tarball.exists():
        raise UserError(f"`npm pack {pin.spec}` failed: {(proc.stderr or proc.stdout).strip()[-500:]}")
    if integrity_of(tarball) != pin.integrity:
        tarball.unlink()
        raise UserError(f"{pin.spec} does not match the integrity pinned in pyproject.toml: refusing to use it")
    return tarball
