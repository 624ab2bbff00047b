"""A real account runs the real toolchain (issue 20), proven without a network.

A recording stand-in for `terraform` goes first on PATH: a small script that logs its arguments,
its environment and the files it is given, answers `terraform version -json` with a current
version and every other command with canned output. Each real-account command then shows that

- the committed .tf files reach Terraform byte for byte (nothing stripped, relaxed or pinned);
- no offline CLI config (TF_CLI_CONFIG_FILE) and no provider mirror is set;
- the backend config is the user's own file;
- PR plans pass -lock=false; apply passes exactly the saved plan file, and init gets exactly the
  lock file the plan's init wrote (-lockfile=readonly);
- `python3.8` (the double's pinned runtime) appears nowhere.

And with no current Terraform on PATH (none at all, or the venv's 1.0.3) a real-account command
stops before anything is staged: one line, exit 2, naming the version and how to install it.
The boto3 side of commands that also read the account (adopt, seed, stream) is aimed at the
session's moto server with AWS_ENDPOINT_URL: only Terraform is under test here.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tablekit.paths import ROOT
from tablekit.staging import compat, modern_only
from tablekit.terraform import toolchain

CURRENT = "1.16.3"
PLAN_BYTES = b"saved plan written by the recording stand-in\n"
LOCK_TEXT = '# stand-in lock file\nprovider "registry.terraform.io/hashicorp/aws" {\n  version = "6.66.0"\n}\n'
OUTPUTS = {
    "tables": {"university": "university"},
    "app_config": {"UNIVERSITY_TABLE": "university"},
    "university": {"table_name": "university"},
    "state_backend": {
        "bucket_name": "user-state",
        "bucket_arn": "arn:aws:s3:::user-state",
        "lock_table_name": "user-locks",
        "lock_table_arn": "arn:aws:dynamodb:us-east-1:111111111111:table/user-locks",
        "backend_hcl": {"dev": 'bucket = "user-state"\n', "prod": 'bucket = "user-state"\n'},
    },
}
PLAN_JSON = {
    "format_version": "1.2",
    "terraform_version": CURRENT,
    "planned_values": {"root_module": {}},
    "resource_changes": [],
    "configuration": {"root_module": {}},
}

STAND_IN = r'''#!{python}
"""Recording stand-in for terraform (tests/operations/test_real_toolchain.py)."""
import hashlib, json, os, sys
from pathlib import Path

LOG = {log!r}
CANNED = json.loads({canned!r})
args = sys.argv[1:]
cwd = Path.cwd()


def tree(root):
    out = {{}}
    for path in sorted(root.rglob("*")):
        inside = ".terraform" not in path.relative_to(root).parts[:-1]
        if path.is_file() and inside and path.suffix in (".tf", ".hcl", ".tfvars", ".json"):
            out[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


stage = next((p for p in [cwd, *cwd.parents] if (p / "modules").is_dir()), cwd)
given = {{}}
for arg in args:
    value = arg.split("=", 1)[1] if arg.startswith(("-backend-config=", "-var-file=")) else arg
    path = Path(value) if os.path.isabs(value) else cwd / value
    if path.is_file():
        given[value] = path.read_text(errors="replace")
lock = cwd / ".terraform.lock.hcl"
entry = {{
    "argv": args,
    "cwd": str(cwd),
    "stage": str(stage),
    "env": dict(os.environ),
    "files": tree(stage),
    "given": given,
    "lock_at_start": lock.read_text() if lock.is_file() else None,
    "texts": "".join(p.read_text(errors="replace") for p in stage.rglob("*.tf")),
}}
with open(LOG, "a") as log:
    log.write(json.dumps(entry) + "\n")

command = args[0] if args else ""
if command == "version":
    print(json.dumps({{"terraform_version": CANNED["version"], "platform": "linux_amd64"}}))
elif command == "init":
    if not lock.is_file():
        lock.write_text(CANNED["lock"])
    print("Terraform has been successfully initialized!")
elif command == "plan":
    out = next(a.split("=", 1)[1] for a in args if a.startswith("-out="))
    Path(out).write_bytes(CANNED["plan_bytes"].encode())
    print("Plan: 0 to add, 0 to change, 0 to destroy.")
elif command == "show":
    print(json.dumps(CANNED["plan_json"]))
elif command == "output":
    print(json.dumps({{k: {{"value": v, "type": "any", "sensitive": False}} for k, v in CANNED["outputs"].items()}}))
elif command == "apply":
    print("Apply complete! Resources: 0 added, 0 changed, 0 destroyed.")
elif command == "destroy":
    print("Destroy complete! Resources: 0 destroyed.")
elif command == "state" and args[1:2] == ["pull"]:
    print("{{}}")
'''


def _stand_in(bin_dir: Path, log: Path, version: str = CURRENT) -> Path:
    bin_dir.mkdir(parents=True, exist_ok=True)
    canned = json.dumps(
        {
            "version": version,
            "lock": LOCK_TEXT,
            "plan_bytes": PLAN_BYTES.decode(),
            "plan_json": PLAN_JSON,
            "outputs": OUTPUTS,
        }
    )
    script = bin_dir / "terraform"
    script.write_text(STAND_IN.format(python=sys.executable, log=str(log), canned=canned))
    script.chmod(0o755)
    return script


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _committed(env: str) -> dict[str, str]:
    """sha256 of every committed .tf file a run of `env` stages (modules/ and envs/<env>)."""
    found = {}
    for tree in ("modules", f"envs/{env}"):
        for path in sorted((ROOT / tree).rglob("*.tf")):
            found[path.relative_to(ROOT).as_posix()] = _sha(path)
    return found


@pytest.fixture
def account(tmp_path: Path, endpoint_url: str) -> dict[str, Any]:
    """A fake real account: the user's backend.hcl, credentials, an isolated build dir, no venv on PATH."""
    backend = tmp_path / "user-backend.hcl"
    backend.write_text(
        'bucket = "user-state"\nkey = "prod/terraform.tfstate"\nregion = "us-east-1"\ndynamodb_table = "user-locks"\n'
    )
    log = tmp_path / "terraform-calls.jsonl"
    bin_dir = tmp_path / "bin"
    _stand_in(bin_dir, log)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TABLEKIT_", "PYTEST_", "TF_"))}
    env.update(
        PATH=os.pathsep.join([str(bin_dir), "/usr/bin", "/bin"]),
        TABLEKIT_BUILD_DIR=str(tmp_path / "build"),
        TABLEKIT_BACKEND_CONFIG=str(backend),
        TABLEKIT_ACCOUNT="aws",
        AWS_ACCESS_KEY_ID="fake",
        AWS_SECRET_ACCESS_KEY="fake",
        AWS_REGION="us-east-1",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_ENDPOINT_URL=endpoint_url,  # boto3 only: the stand-in is the only Terraform
    )
    return {"env": env, "log": log, "backend": backend, "tmp": tmp_path, "bin": bin_dir}


def _tablekit(account: dict[str, Any], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tablekit", *args],
        cwd=ROOT,
        env=account["env"],
        capture_output=True,
        text=True,
        timeout=300,
    )


def _calls(account: dict[str, Any]) -> list[dict[str, Any]]:
    log: Path = account["log"]
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


def _assert_real_path(calls: list[dict[str, Any]], env: str, backend: Path | None) -> None:
    """What every real-account run must show in the stand-in's log."""
    runs = [c for c in calls if c["argv"][:1] != ["version"]]
    assert runs, "terraform never ran"
    committed = _committed(env)
    mirror = str(toolchain.DEFAULT.root)
    for call in runs:
        assert "TF_CLI_CONFIG_FILE" not in call["env"], f"offline CLI config set for {call['argv']}"
        assert all(mirror not in value for value in call["env"].values()), f"mirror reachable in {call['argv']}"
        staged = {rel: sha for rel, sha in call["files"].items() if rel.endswith(".tf")}
        for rel, sha in committed.items():
            assert staged.get(rel) == sha, f"{rel} did not reach terraform byte for byte ({call['argv'][0]})"
        assert set(staged) <= set(committed), f"files the repository does not have: {set(staged) - set(committed)}"
        assert "python3.8" not in call["texts"] and "python3.8" not in json.dumps(call["argv"])
        assert "python3.8" not in json.dumps(call["given"])
    inits = [c for c in runs if c["argv"][0] == "init"]
    assert inits, "no init"
    if backend is not None:
        for call in inits:
            configs = [a.split("=", 1)[1] for a in call["argv"] if a.startswith("-backend-config=")]
            assert configs == [str(backend.resolve())], f"the backend config is not only the user's: {configs}"


@pytest.mark.slow
def test_no_terraform_on_path_stops_before_anything_is_staged(account: dict[str, Any]) -> None:
    account["env"]["PATH"] = "/usr/bin:/bin"
    if any(Path(d, "terraform").exists() for d in ("/usr/bin", "/bin")):
        pytest.skip("this machine has a terraform in /usr/bin")
    proc = _tablekit(account, "plan", "prod", "--account", "aws", "--var-file", "envs/prod/example.tfvars")
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert f">= {toolchain.floor()}" in lines[0] and "developer.hashicorp.com/terraform/install" in lines[0]
    assert not (account["tmp"] / "build" / "envs").exists(), "something was staged"


@pytest.mark.slow
def test_the_just_recipe_says_it_in_one_line_too(account: dict[str, Any]) -> None:
    """`./just plan prod --account aws` (what ./just hands to the pinned just after its bootstrap)."""
    account["env"]["PATH"] = "/usr/bin:/bin"
    if any(Path(d, "terraform").exists() for d in ("/usr/bin", "/bin")):
        pytest.skip("this machine has a terraform in /usr/bin")
    just = [str(Path(sys.executable).parent / "just"), "--justfile", str(ROOT / "justfile")]
    proc = subprocess.run(
        [
            *just,
            "--working-directory",
            str(ROOT),
            "plan",
            "prod",
            "--account",
            "aws",
            "--var-file",
            "envs/prod/example.tfvars",
        ],
        env=account["env"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()] and "Terraform >= " in proc.stderr, proc.stderr
    assert not (account["tmp"] / "build" / "envs").exists(), "something was staged"


@pytest.mark.slow
def test_the_venvs_bundled_terraform_is_refused(account: dict[str, Any]) -> None:
    bundled = Path(toolchain.DEFAULT.terraform_bin())
    old = account["tmp"] / "old-bin"
    old.mkdir()
    (old / "terraform").symlink_to(bundled)
    account["env"]["PATH"] = os.pathsep.join([str(old), "/usr/bin", "/bin"])
    proc = _tablekit(account, "plan", "prod", "--account", "aws", "--var-file", "envs/prod/example.tfvars")
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and f"Terraform {toolchain.TERRAFORM_VERSION}" in lines[0], proc.stderr
    assert f">= {toolchain.floor()}" in lines[0]
    assert not (account["tmp"] / "build" / "envs").exists(), "something was staged"


@pytest.mark.slow
def test_an_old_terraform_is_refused_and_retired_online_variable_changes_nothing(account: dict[str, Any]) -> None:
    _stand_in(account["bin"], account["log"], version="1.0.11")
    account["env"]["TABLEKIT_ONLINE"] = "0"
    proc = _tablekit(account, "app-config", "prod", "--account", "aws")
    assert proc.returncode == 2
    assert "TABLEKIT_ONLINE is retired" in proc.stderr and "Terraform 1.0.11" in proc.stderr
    assert [c["argv"] for c in _calls(account)] == [["version", "-json"]], "only the version was asked"


@pytest.mark.slow
def test_pr_plan_runs_the_committed_code_with_the_users_backend_and_no_lock(account: dict[str, Any]) -> None:
    out = account["tmp"] / "prod.json"
    proc = _tablekit(
        account,
        "plan",
        "prod",
        "--account",
        "aws",
        "--no-lock",
        "--var-file",
        "envs/prod/example.tfvars",
        "--out",
        str(out),
        "--json",
    )
    assert proc.returncode == 0, proc.stderr
    assert "adapted the staged copy" not in proc.stderr and "removed" not in proc.stderr
    calls = _calls(account)
    _assert_real_path(calls, "prod", account["backend"])
    plans = [c for c in calls if c["argv"][0] == "plan"]
    assert len(plans) == 1 and "-lock=false" in plans[0]["argv"]
    result = json.loads(proc.stdout)
    assert result["account"] == "aws" and Path(result["lock_file"]).read_text() == LOCK_TEXT


@pytest.mark.slow
def test_apply_passes_exactly_the_saved_plan_and_its_lock_file(account: dict[str, Any]) -> None:
    proc = _tablekit(account, "plan", "prod", "--account", "aws", "--var-file", "envs/prod/example.tfvars", "--json")
    assert proc.returncode == 0, proc.stderr
    planned = json.loads(proc.stdout)
    saved, lock = Path(planned["saved_plan"]), Path(planned["lock_file"])
    lock.write_text(LOCK_TEXT + "# the plan job's own lock file\n")  # apply must use exactly this one
    account["log"].unlink()
    proc = _tablekit(
        account, "apply", "prod", "--account", "aws", "--saved-plan", str(saved), "--sha256", planned["sha256"]
    )
    assert proc.returncode == 0, proc.stderr
    calls = _calls(account)
    _assert_real_path(calls, "prod", account["backend"])
    init = next(c for c in calls if c["argv"][0] == "init")
    assert "-lockfile=readonly" in init["argv"] and init["lock_at_start"] == lock.read_text()
    applies = [c for c in calls if c["argv"][0] == "apply"]
    assert len(applies) == 1
    assert applies[0]["argv"][-1] == str(saved.resolve()) and not any(a.startswith("-var") for a in applies[0]["argv"])
    assert "-auto-approve" not in applies[0]["argv"]

    lock.unlink()
    proc = _tablekit(account, "apply", "prod", "--account", "aws", "--saved-plan", str(saved))
    assert proc.returncode == 2 and "no lock file" in proc.stderr, proc.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    ("command", "may_fail_after_terraform"),
    [
        (
            ["teardown", "prod", "--confirm", "prod", "--account", "aws", "--var-file", "envs/prod/example.tfvars"],
            False,
        ),
        (["adopt", "prod", "--dry-run", "--var-file", "envs/prod/example.tfvars"], False),
        (["migrate", "prod", "--dry-run"], False),
        (["migrate", "prod"], False),
        (["seed", "prod", "--dry-run", "--quiet"], True),
        (["app-config", "prod", "--account", "aws"], False),
        (["audit", "prod", "--source", "lambda_function"], True),
        (["stream", "prod", "--once"], True),
    ],
    ids=lambda v: v[0] if isinstance(v, list) else "",
)
def test_every_real_account_command_runs_the_committed_code(
    account: dict[str, Any], command: list[str], may_fail_after_terraform: bool
) -> None:
    proc = _tablekit(account, *command)
    if not may_fail_after_terraform:
        assert proc.returncode == 0, proc.stderr
    assert "Terraform 1.0.3" not in proc.stderr and "no `terraform`" not in proc.stderr
    assert "adapted the staged copy" not in proc.stderr
    _assert_real_path(_calls(account), "prod", account["backend"])


@pytest.mark.slow
def test_bootstrap_state_applies_the_committed_module(account: dict[str, Any]) -> None:
    out_dir = account["tmp"] / "backends"
    proc = _tablekit(
        account,
        "state",
        "bootstrap",
        "--bucket",
        "user-state",
        "--table",
        "user-locks",
        "--region",
        "us-east-1",
        "--out-dir",
        str(out_dir),
    )
    assert proc.returncode == 0, proc.stderr
    calls = [c for c in _calls(account) if c["argv"][:1] != ["version"]]
    assert calls and all("TF_CLI_CONFIG_FILE" not in c["env"] for c in calls)
    module = ROOT / "modules" / "state-backend"
    for call in calls:
        staged = {rel: sha for rel, sha in call["files"].items() if rel.startswith("stage/modules/state-backend/")}
        assert staged == {
            f"stage/{p.relative_to(ROOT).as_posix()}": _sha(p)
            for p in module.rglob("*")
            if p.suffix in (".tf", ".json", ".hcl")
        }
        assert "python3.8" not in call["texts"]
    assert (out_dir / "prod" / "backend.hcl").is_file()


def test_the_double_still_pins_the_runtime_for_local_and_the_simulated_account() -> None:
    """What the stand-in must never see is exactly what the double gets (so the checks above bite)."""
    assert compat.PINNED_VARIABLES == {"lambda_runtime": "python3.8"}
    assert toolchain.for_account("simulated").double and toolchain.for_account("local").double
    assert not toolchain.for_account("aws").double


def test_the_readmes_command_table_names_only_commands_proven_here() -> None:
    source = Path(__file__).read_text()
    spelled = {"bootstrap-state": '"state",\n        "bootstrap"', "audit ENV": '["audit", "prod"'}
    for command in modern_only.REAL_ACCOUNT_COMMANDS:
        assert spelled.get(command, f'"{command}"') in source, f"{command} has no stand-in case here"
