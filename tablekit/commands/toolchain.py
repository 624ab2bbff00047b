"""`tablekit toolchain install|info`: prepare and show the offline Terraform toolchain."""

from __future__ import annotations

import argparse
import sys

from tablekit.errors import UserError
from tablekit.reference_package import fetch_reference_package, reference_pin
from tablekit.toolchain import DEFAULT, ONLINE_ENV, PROVIDER_VERSION, online


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
    if online():
        print(f"{ONLINE_ENV}=1: using terraform from PATH and the registry; no provider mirror to install")
        return 0
    config = DEFAULT.install()
    print(f"hashicorp/aws {PROVIDER_VERSION} mirrored; CLI config at {config.relative_to(DEFAULT.root.parent.parent)}")
    return 0


def _info(args: argparse.Namespace) -> int:
    print(f"terraform : {DEFAULT.terraform_bin()}")
    print(f"mode      : {'online (registry)' if online() else 'offline mirror'}")
    if not online():
        print(f"cli config: {DEFAULT.cli_config}")
        print(f"mirror    : {DEFAULT.mirror}")
    return 0


def _tf(args: argparse.Namespace) -> int:
    """Run the project's terraform (offline mirror config) with any arguments, in the current directory."""
    from pathlib import Path

    from tablekit.terraform import Terraform

    return Terraform(Path.cwd()).passthrough(args.args)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tf = sub.add_parser("tf", help="run the project's terraform with the offline CLI config: tablekit tf -- fmt")
    tf.add_argument("args", nargs=argparse.REMAINDER, help="terraform arguments")
    tf.set_defaults(func=_tf)

    parser = sub.add_parser("toolchain", help="prepare/show the offline Terraform toolchain")
    actions = parser.add_subparsers(dest="action", required=True)
    actions.add_parser("install", help="mirror the provider and write the CLI config").set_defaults(func=_install)
    actions.add_parser("info", help="show which terraform and config are used").set_defaults(func=_info)
