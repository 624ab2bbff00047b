"""`tablekit docs [--check] [MODULE_DIR...]`: inputs/outputs tables in modules/*/README.md.

Without --check the READMEs are rewritten between the BEGIN_TF_DOCS/END_TF_DOCS markers (a
README without markers gets the section appended; a missing README is created). With --check
nothing is written and the exit code is 1 when any README is stale (CI and pre-commit use this).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tablekit.errors import UserError
from tablekit.operations import module_docs
from tablekit.paths import MODULES, ROOT


def _show(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _run(args: argparse.Namespace) -> int:
    modules = [Path(m) for m in args.modules] if args.modules else module_docs.module_dirs(MODULES)
    for module in modules:
        if not module.is_dir():
            raise UserError(f"{module}: not a module directory")
    stale = module_docs.sync(modules, check=args.check)
    if args.check:
        if stale:
            print("stale module READMEs (run `just docs` and commit the result):")
            for readme in stale:
                print(f"  {_show(readme)}")
            return 1
        print(f"module READMEs up to date ({len(modules)} modules)")
        return 0
    for readme in stale:
        print(f"updated {_show(readme)}")
    if not stale:
        print(f"module READMEs already up to date ({len(modules)} modules)")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "docs", help="generate/check the inputs/outputs tables of module READMEs", description=__doc__
    )
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when a README is stale")
    parser.add_argument("modules", nargs="*", help="module directories (default: every modules/* directory)")
    parser.set_defaults(func=_run)
