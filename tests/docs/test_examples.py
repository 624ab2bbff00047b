"""README commands and module usage examples are run or planned, so the docs cannot rot.

Each block says how it is proven with a `# doc-test:` line (see tests/docs/docs_support.py): shell
commands are checked (the recipe exists, `just --dry-run` expands it, and every `tablekit`
command it reaches parses with the real CLI parser) or executed in a scratch directory; HCL usage
examples are planned against the session's local endpoint, with the resources they reference
supplied by small fixture files (tests/docs/fixtures/), and the number of resources to add must
match the directive.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docs_support import SHELL, Block, commands, documented

from tablekit.cli import build_parser
from tablekit.paths import ROOT
from tablekit.staging.copies import scratch_root
from tablekit.staging.providers import endpoint_provider_hcl
from tablekit.terraform.plan import Action
from tablekit.terraform.runner import Terraform

BIN = Path(sys.executable).parent
FIXTURES = Path(__file__).parent / "fixtures"
COMMENT_FIXTURES = ROOT / "tests" / "review" / "fixtures" / "real"
BLOCKS = documented()
SHELL_BLOCKS = [b for b in BLOCKS if b.language in SHELL and b.mode in {"check", "run"}]
HCL_BLOCKS = [b for b in BLOCKS if b.language == "hcl" and b.mode == "plan"]
MODES = {"sh": {"check", "run", "skip"}, "hcl": {"plan", "skip"}}


def _ids(blocks: list[Block]) -> list[str]:
    return [b.where for b in blocks]


# --------------------------------------------------------------------------------------------
# every block is covered
# --------------------------------------------------------------------------------------------


def test_every_documented_block_says_how_it_is_proven() -> None:
    problems = []
    for block in BLOCKS:
        kind = "hcl" if block.language == "hcl" else "sh"
        if block.mode not in MODES[kind]:
            problems.append(
                f"{block.where}: end the {block.language} block with `# doc-test: "
                f"{'|'.join(sorted(MODES[kind]))}` (tests/docs/docs_support.py explains each)"
            )
        elif block.mode == "skip" and len(block.reason) < 10:
            problems.append(f"{block.where}: `# doc-test: skip` needs a reason a reviewer can judge")
        elif block.mode == "plan" and not block.options.get("resources", "").isdigit():
            problems.append(f"{block.where}: `# doc-test: plan` needs resources=N (the resources it adds)")
    assert not problems, "\n".join(problems)
    assert len(SHELL_BLOCKS) >= 3 and len(HCL_BLOCKS) >= 8, (len(SHELL_BLOCKS), len(HCL_BLOCKS))


def test_the_layout_names_every_module_and_top_level_folder() -> None:
    """docs/architecture.md holds the one layout table: a row per top-level folder, every module named.

    README.md and CONTRIBUTING.md link to it instead of keeping a table of their own."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    layout = text[text.index("## Layout") :]
    layout = layout[: layout.index("\n## ", 1)]
    missing = [
        m.name for m in sorted((ROOT / "modules").iterdir()) if m.is_dir() and f"`modules/{m.name}`" not in layout
    ]
    assert not missing, f"docs/architecture.md ## Layout has no row for: {', '.join(missing)}"
    listed = subprocess.run(
        ["git", "ls-files", "-z"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    folders = {name.split("/", 1)[0] for name in listed.split("\0") if "/" in name}
    rows = set(re.findall(r"^\| `([^`/]+)/` \|", layout, re.MULTILINE))
    assert folders <= rows, f"docs/architecture.md ## Layout has no row for: {', '.join(sorted(folders - rows))}/"
    assert rows <= folders | {"build"}, f"docs/architecture.md ## Layout names missing folders: {rows - folders}"
    for name in ("README.md", "CONTRIBUTING.md"):
        other = (ROOT / name).read_text()
        assert "docs/architecture.md#layout" in other, f"{name} must link to the layout in docs/architecture.md"
        assert not re.search(r"^\| (path|place|folder) \| (one )?job \|", other, re.MULTILINE), (
            f"{name} keeps a layout table of its own: link to docs/architecture.md#layout instead"
        )


# --------------------------------------------------------------------------------------------
# shell blocks
# --------------------------------------------------------------------------------------------


def _parse_tablekit(args: list[str], where: str) -> None:
    """Parse one tablekit command line with the real parser; never runs it."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            build_parser().parse_args(args)
        except SystemExit as exc:
            assert exc.code == 0, f"{where}: `tablekit {shlex.join(args)}` does not parse: {err.getvalue().strip()}"


def _check_just(args: list[str], where: str) -> None:
    """The recipe exists and expands; the tablekit commands it runs parse."""
    done = subprocess.run(
        [str(BIN / "just"), "--justfile", str(ROOT / "justfile"), "--dry-run", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, f"{where}: `just {shlex.join(args)}` does not expand: {done.stderr.strip()}"
    tk = str(BIN / "tablekit")
    expanded = [line for line in (done.stdout + done.stderr).splitlines() if line.strip().startswith(tk + " ")]
    for line in expanded:
        _parse_tablekit(shlex.split(line.strip())[1:], where)


# A checked command ends where the shell takes over: its redirection or the next command is not its argument.
SHELL_OPERATORS = {">", ">>", "<", "2>", "2>&1", "|", "&&", "||", ";"}


def _check_command(command: str, where: str) -> None:
    words = shlex.split(command, comments=True)
    cut = [i for i, word in enumerate(words) if word in SHELL_OPERATORS]
    if cut:
        words = words[: cut[0]]
    if words[0] in {"./just", "just"}:
        _check_just(words[1:], where)
    elif words[0] in {"tablekit", ".venv/bin/tablekit"}:
        _parse_tablekit(words[1:], where)
    elif words[0].startswith("python") and words[1:3] == ["-m", "tablekit"]:
        _parse_tablekit(words[3:], where)
    elif words[0].startswith("python") and len(words) > 2 and words[1] == "-m" and words[2].startswith("tablekit."):
        sub = words[2].rsplit(".", 1)[-1]
        _parse_tablekit([sub, *words[3:]], where)
    else:
        pytest.fail(f"{where}: `{words[0]}` is not a command this test can check: use `# doc-test: skip REASON`")


def _fixture_comment_plans(cwd: Path) -> None:
    """What the PR-comment example reads: two real plans, a failed plan's log, a checkov report."""
    plans = cwd / "build" / "plans"
    plans.mkdir(parents=True)
    shutil.copyfile(COMMENT_FIXTURES / "tf1.0-sensitive-create.json", plans / "local.json")
    shutil.copyfile(COMMENT_FIXTURES / "tf1.0-sensitive-replace.json", plans / "prod.json")
    (plans / "dev.log").write_text("Error: No valid credential sources found\n")
    report = cwd / "build" / "reports" / "checkov" / "plan-prod"
    report.mkdir(parents=True)
    shutil.copyfile(COMMENT_FIXTURES / "checkov-plan-results.json", report / "results.json")
    (cwd / "build" / "comment").mkdir(parents=True)


SHELL_FIXTURES = {"comment-plans": _fixture_comment_plans}


@pytest.mark.parametrize("block", SHELL_BLOCKS, ids=_ids(SHELL_BLOCKS))
def test_shell_block(block: Block, tmp_path: Path) -> None:
    if block.mode == "check":
        for command in commands(block.body):
            _check_command(command, block.where)
        return
    for name in block.fixtures:
        SHELL_FIXTURES[name](tmp_path)
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(ROOT),
        "RUN_URL": "https://github.com/tablekit/tablekit/actions/runs/1",
    }
    script = ["bash", "-euo", "pipefail", "-c", block.body]
    done = subprocess.run(script, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{block.where} failed:\n{done.stdout}\n{done.stderr}"
    for created in block.options.get("creates", "").split(","):
        if created:
            assert (tmp_path / created).stat().st_size > 0, f"{block.where}: {created} was not written"


# --------------------------------------------------------------------------------------------
# HCL usage examples
# --------------------------------------------------------------------------------------------

SOURCE = re.compile(r'source(\s*)=(\s*)"(?:\.\./\.\./modules|\.\.)/([\w-]+)"')


def _example_root(block: Block, dest: Path, endpoint_url: str) -> Path:
    """A scratch root with the example, its fixtures and a provider aimed at the endpoint."""
    # the examples are written from an env directory (../../modules/x) or a sibling module (../x)
    main_tf = SOURCE.sub(r'source\1=\2"../modules/\3"', block.body)
    files: dict[str, str] = {}
    for name in block.fixtures:
        if name == "replica-provider":
            files["replica_provider.tf"] = endpoint_provider_hcl(endpoint_url, region="us-west-2", alias="replica")
        elif name == "lambda-zip":
            from tablekit.staging.lambda_build import build_all

            zip_path = build_all()["university-stream"]
            files["lambda_zip.tf"] = f'variable "lambda_zip_path" {{\n  default = "{zip_path}"\n}}\n'
        else:
            files[f"{name}.tf"] = (FIXTURES / f"{name}.tf").read_text()
    return scratch_root(dest, main_tf, endpoint_url, files=files, name="example")


@pytest.mark.slow
@pytest.mark.parametrize("block", HCL_BLOCKS, ids=_ids(HCL_BLOCKS))
def test_hcl_example_plans(block: Block, tmp_path: Path, endpoint_url: str) -> None:
    root = _example_root(block, tmp_path, endpoint_url)
    tf = Terraform(root)
    tf.init()
    plan = tf.plan(root / "example.tfplan", refresh=False)
    fixture_text = "".join(p.read_text() for p in root.glob("*.tf") if p.name not in {"main.tf", "provider.tf"})
    from_fixtures = tuple(
        [f"{t}.{n}" for t, n in re.findall(r'^resource "(\S+)" "(\S+)"', fixture_text, re.M)]
        + [f"module.{n}." for n in re.findall(r'^module "(\S+)"', fixture_text, re.M)]
    )
    managed = [rc for rc in plan.resource_changes if rc.mode == "managed"]
    ours = [rc for rc in managed if not rc.address.startswith(from_fixtures)]
    expected = int(block.options["resources"])
    assert len(ours) == expected, (
        f"{block.where}: the example adds {len(ours)} resources (fixtures add {len(managed) - len(ours)}), "
        f"its directive says {expected}; first ones: " + ", ".join(rc.address for rc in ours[:5])
    )
    assert all(rc.action == Action.CREATE for rc in managed), f"{block.where}: a fresh plan must only add"
