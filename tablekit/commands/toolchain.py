"""`tablekit toolchain install|info`: prepare the offline double, show both toolchains.

`install` mirrors the double's provider unless TABLEKIT_NO_OFFLINE_MIRROR=1: the workflow jobs
that hold a real account's role set it, since they never run the double (tablekit.terraform.toolchain).
"""

from __future__ import annotations

import argparse
import os
import sys

from tablekit.errors import UserError
from tablekit.staging.reference_package import fetch_reference_package, reference_pin
from tablekit.terraform import toolchain
from tablekit.terraform.toolchain import DEFAULT, PROVIDER_VERSION

NO_MIRROR_ENV = "TABLEKIT_NO_OFFLINE_MIRROR"


def _install(args: argparse.Namespace) -> int:
    import time

    pin = reference_pin()
    started = time.perf_counter()
    try:
        tarball = fetch_reference_package(pin)
    except UserError as error:
        # Only the schema proof needs it: say so loudly, keep the rest of the bootstrap working.
        print(f"WARNING: {error}; the schema proof (tests/compat) fails until it is fetched", file=sys.stderr)
    else:
        print(
            f"{pin.spec} (schema of hashicorp/aws {pin.provider_version}) in build/reference/: "
            f"{tarball.stat().st_size / 1e6:.1f} MB, {time.perf_counter() - started:.1f} s"
        )
    if os.environ.get(NO_MIRROR_ENV, "") not in ("", "0"):
        print(f"{NO_MIRROR_ENV}: no offline mirror (this machine runs a real account's Terraform from PATH)")
        return 0
    config = DEFAULT.install()
    print(f"hashicorp/aws {PROVIDER_VERSION} mirrored; CLI config at {config.relative_to(DEFAULT.root.parent.parent)}")
    return 0


def _info(args: argparse.Namespace) -> int:
    print("local and the simulated account (the offline double):")
    print(f"  terraform : {DEFAULT.terraform_bin()} ({toolchain.TERRAFORM_VERSION}, hashicorp/aws {PROVIDER_VERSION})")
    print(f"  cli config: {DEFAULT.cli_config}")
    print(f"  mirror    : {DEFAULT.mirror}")
    print(f"a real account (--account aws): Terraform >= {toolchain.floor()} from PATH, the registry")
    try:
        real = toolchain.require_real()
    except UserError as error:
        print(f"  terraform : none usable ({error})")
    else:
        print(f"  terraform : {real.binary} ({real.version})")
    return 0


def _tf(args: argparse.Namespace) -> int:
    """Run the double's terraform (offline mirror config) with any arguments, in the current directory."""
    from pathlib import Path

    from tablekit.terraform.runner import Terraform

    return Terraform(Path.cwd()).passthrough(args.args)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tf = sub.add_parser("tf", help="run the offline double's terraform with its CLI config: tablekit tf -- fmt")
    tf.add_argument("args", nargs=argparse.REMAINDER, help="terraform arguments")
    tf.set_defaults(func=_tf)

    parser = sub.add_parser("toolchain", help="prepare the offline double; show both toolchains")
    actions = parser.add_subparsers(dest="action", required=True)
    actions.add_parser("install", help="mirror the provider and write the CLI config").set_defaults(func=_install)
    actions.add_parser("info", help="show which terraform and config are used").set_defaults(func=_info)
