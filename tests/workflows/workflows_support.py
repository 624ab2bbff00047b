"""Run the jobs of a GitHub workflow file here, step by step, as a runner would (test-side only).

Why: the workflows are the path to production, and a YAML file that only passes a schema check
can still plan the wrong env, upload a secret, or apply a fresh plan instead of the reviewed one.
This runner executes each job's `run:` steps in order with bash (`-eo pipefail`, as GitHub's
default shell), with the `GITHUB_*` variables, `GITHUB_ENV` / `GITHUB_OUTPUT` /
`GITHUB_STEP_SUMMARY` files, step and job outputs, `needs`, matrices and `if:` conditions a runner
would handle. `uses:` steps are replaced by local equivalents:

- checkout: the workspace is this repository; the job's scratch area (build/ci) starts empty,
  so nothing a job did not download can leak from an earlier job;
- setup-python: `python` on PATH is this interpreter (the steps use only the standard library);
- configure-aws-credentials: the simulated account (`TABLEKIT_ACCOUNT=simulated`) for the rest
  of the job, as the real action exports credentials for the rest of the job;
- ./.github/actions/setup-terraform (a real account's pinned current Terraform): THE OFFLINE
  DOUBLE instead. The simulated account always runs the double (tablekit.terraform.toolchain.for_account),
  so nothing is installed; the substitution is printed and logged ("SUBSTITUTED ..."), and the
  static checks of tests/governance/test_real_account_jobs.py prove the real job has the step;
- upload/download-artifact: copies into an artifact store, with retention and names recorded;
- github-script: the step's own script, run with node against an in-memory issue-comment API;
- codeql-action/upload-sarif: the SARIF file copied into the store (code scanning, by category).

A failing step raises StepFailed naming the workflow, job and step.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

from tablekit.paths import ROOT

SCRATCH = Path("build/ci")  # the jobs' scratch area, relative to the workspace
BOT = "github-actions[bot]"
GITHUB_API = Path(__file__).with_name("github_api.js")  # issues, labels, reviews for github-script


class StepFailed(AssertionError):
    """A step of a simulated job failed."""


# -- expressions --------------------------------------------------------------------------------

_TOKEN = re.compile(r"\s*(?:(\d+)|'((?:[^']|'')*)'|(==|!=|&&|\|\||!|\(|\)|,)|([A-Za-z_][\w.-]*(?:\[\*\])?))")


class Expr:
    """A small evaluator of GitHub expressions: contexts, literals, == != && || !, and the status
    and hashFiles functions (what these workflows use; anything else fails loudly)."""

    def __init__(self, text: str, contexts: Mapping[str, Any], status: Mapping[str, bool], workspace: Path):
        self.tokens: list[tuple[str, Any]] = []
        text, pos = text.strip(), 0
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            if not match or match.end() == pos:
                raise ValueError(f"cannot read expression {text!r} at {text[pos:]!r}")
            pos = match.end()
            number, string, op, name = match.groups()
            if number is not None:
                self.tokens.append(("lit", int(number)))
            elif string is not None:
                self.tokens.append(("lit", string.replace("''", "'")))
            elif op is not None:
                self.tokens.append(("op", op))
            elif name is not None:
                self.tokens.append(("name", name))
        self.contexts, self.status, self.workspace, self.i = contexts, status, workspace, 0

    def value(self) -> Any:
        result = self._or()
        if self.i != len(self.tokens):
            raise ValueError(f"unexpected {self.tokens[self.i]}")
        return result

    def _peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def _take(self, op: str) -> bool:
        if self._peek() == ("op", op):
            self.i += 1
            return True
        return False

    def _or(self) -> Any:
        left = self._and()
        while self._take("||"):
            right = self._and()
            left = left or right
        return left

    def _and(self) -> Any:
        left = self._cmp()
        while self._take("&&"):
            right = self._cmp()
            left = left and right
        return left

    def _cmp(self) -> Any:
        left = self._unary()
        while True:
            if self._take("=="):
                left = _loose(left) == _loose(self._unary())
            elif self._take("!="):
                left = _loose(left) != _loose(self._unary())
            else:
                return left

    def _unary(self) -> Any:
        if self._take("!"):
            return not self._unary()
        if self._take("("):
            inner = self._or()
            assert self._take(")"), "missing )"
            return inner
        kind, token = self.tokens[self.i]
        self.i += 1
        if kind == "lit":
            return token
        if self._take("("):
            args = []
            while not self._take(")"):
                args.append(self._or())
                self._take(",")
            return self._call(token, args)
        if token in ("true", "false"):
            return token == "true"
        value: Any = self.contexts
        for part in token.split("."):
            value = value.get(part, "") if isinstance(value, Mapping) else ""
        return value

    def _call(self, name: str, args: list[Any]) -> Any:
        if name in self.status:
            return self.status[name]
        if name == "hashFiles":
            return "x" if any(any(self.workspace.glob(str(a))) for a in args) else ""
        raise ValueError(f"expression function {name}() is not simulated")


def _loose(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def evaluate(text: Any, contexts: Mapping[str, Any], status: Mapping[str, bool], workspace: Path) -> Any:
    """A value with `${{ }}` parts substituted (a whole-expression value keeps its type)."""
    if not isinstance(text, str):
        return text
    whole = re.fullmatch(r"\s*\$\{\{((?:(?!\}\}).)*)\}\}\s*", text, re.S)
    if whole:
        return Expr(whole.group(1), contexts, status, workspace).value()

    def one(match: re.Match[str]) -> str:
        value = Expr(match.group(1), contexts, status, workspace).value()
        return "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)

    return re.sub(r"\$\{\{(.*?)\}\}", one, text, flags=re.S)


def condition(text: Any, contexts: Mapping[str, Any], status: Mapping[str, bool], workspace: Path) -> bool:
    if text is None:
        return bool(status["success"])
    raw = str(text).strip()
    inner = raw[3:-2] if raw.startswith("${{") else raw
    uses_status = any(f"{name}()" in inner for name in status)
    result = bool(Expr(inner, contexts, status, workspace).value())
    return result if uses_status else result and bool(status["success"])


# -- the fake GitHub pieces ---------------------------------------------------------------------


@dataclass
class Artifact:
    name: str
    path: Path
    retention_days: int | None


@dataclass
class Github:
    """Everything outside the workspace a run touches: artifacts, PR comments, job summaries."""

    store: Path
    comments: list[dict[str, Any]] = field(default_factory=list)
    issues: list[dict[str, Any]] = field(default_factory=list)  # repository issues (github_api.js)
    labels: dict[str, list[str]] = field(default_factory=dict)  # issue/PR number -> label names
    reviews: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # PR number -> reviews
    artifacts: dict[str, Artifact] = field(default_factory=dict)
    summaries: dict[str, str] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)  # "workflow / job / step" of every step run
    code_scanning: dict[str, Path] = field(default_factory=dict)  # SARIF uploaded, by category
    substitutions: list[str] = field(default_factory=list)  # what the simulation ran instead of a real action


NODE_HARNESS = r"""
const fs = require('fs');
const [scriptFile, storeFile, payloadFile] = process.argv.slice(2);
const store = JSON.parse(fs.readFileSync(storeFile, 'utf8'));
const payload = JSON.parse(fs.readFileSync(payloadFile, 'utf8'));
const save = () => fs.writeFileSync(storeFile, JSON.stringify(store));
const issues = {
  listComments: async ({ issue_number }) => ({ data: store.comments.filter((c) => c.issue_number === issue_number) }),
  updateComment: async ({ comment_id, body }) => {
    const c = store.comments.find((x) => x.id === comment_id);
    if (!c) throw new Error(`no comment ${comment_id}`);
    if (c.user.login !== store.actor) throw new Error(`comment ${comment_id} belongs to ${c.user.login}`);
    c.body = body; save(); return { data: c };
  },
  createComment: async ({ issue_number, body }) => {
    const c = { id: store.next_id++, issue_number, body, user: { login: store.actor, type: 'Bot' } };
    store.comments.push(c); save(); return { data: c };
  },
};
const github = { rest: { issues }, paginate: async (fn, args) => (await fn(args)).data };
if (process.argv[5]) require(process.argv[5])(github, store, save);  // issues, labels, reviews
const [owner, repo] = payload.repository.split('/');
const context = { repo: { owner, repo }, payload: payload.event };
const core = {
  info: (m) => console.log(m),
  setFailed: (m) => { console.error(`::error::${m}`); process.exitCode = 1; },
  warning: (m) => console.log(`::warning::${m}`),
};
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
// As github-script does: a relative require() is resolved from the workspace, not from this file.
const requireFromWorkspace = (p) => require(/^\.\.?\//.test(p) ? require('path').resolve(process.cwd(), p) : p);
new AsyncFunction('require', 'github', 'context', 'core', fs.readFileSync(scriptFile, 'utf8'))(
  requireFromWorkspace, github, context, core,
).catch((e) => { console.error(e); process.exitCode = 1; });
"""


# -- the runner ----------------------------------------------------------------------------------


@dataclass
class Run:
    """One workflow run: the event, repository variables and secrets, the workspace and base env."""

    github: Github
    event_name: str
    event: dict[str, Any]
    variables: dict[str, str]
    secrets: dict[str, str]
    env: dict[str, str]  # the process environment every step starts from
    workspace: Path = ROOT
    sha: str = ""
    ref: str = "refs/heads/main"
    repository: str = "example/tablekit"
    run_id: int = 1
    results: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    created: list[Path] = field(default_factory=list)  # directories a job made outside build/

    def github_context(self) -> dict[str, Any]:
        return {
            "event_name": self.event_name,
            "event": self.event,
            "sha": self.sha,
            "ref": self.ref,
            "repository": self.repository,
            "run_id": str(self.run_id),
            "server_url": "https://github.example",
            "workspace": str(self.workspace),
        }


def load(path: Path) -> dict[str, Any]:
    return dict(yaml.safe_load(path.read_text()))


def _order(jobs: Mapping[str, Any]) -> list[str]:
    done: list[str] = []
    while len(done) < len(jobs):
        # needs outside the selection count as met (their results come from earlier runs, or "skipped")
        ready = [n for n, job in jobs.items() if n not in done and set(_needs(job)) & set(jobs) <= set(done)]
        if not ready:
            raise ValueError(f"jobs with unmet needs: {sorted(set(jobs) - set(done))}")
        done.extend(ready[:1])
    return done


def _needs(job: Mapping[str, Any]) -> list[str]:
    needs = job.get("needs", [])
    return [needs] if isinstance(needs, str) else list(needs)


def run_workflow(path: Path, run: Run, only: set[str] | None = None) -> dict[str, str]:
    """Run the workflow's jobs (those in `only`, all by default) in dependency order; job -> result."""
    doc = load(path) if isinstance(path, Path) else dict(path)
    name = Path(path).name if isinstance(path, Path) else "workflow"
    jobs = {k: v for k, v in doc["jobs"].items() if only is None or k in only}
    for job_name in _order(jobs):
        run.results[job_name] = _run_job(name, doc, job_name, jobs[job_name], run)
    return dict(run.results)


def _run_job(workflow: str, doc: Mapping[str, Any], name: str, job: Mapping[str, Any], run: Run) -> str:
    needs = {n: {"result": run.results.get(n, "skipped"), "outputs": run.outputs.get(n, {})} for n in _needs(job)}
    needs_ok = all(n["result"] == "success" for n in needs.values())
    status = {"success": needs_ok, "failure": any(n["result"] == "failure" for n in needs.values())}
    status |= {"always": True, "cancelled": False}
    base = {"github": run.github_context(), "vars": run.variables, "secrets": run.secrets, "needs": needs}
    base["env"] = dict(doc.get("env", {}))
    if not condition(job.get("if"), base, status, run.workspace):
        return "skipped"
    matrix = job.get("strategy", {}).get("matrix", {})
    combos = [{}] if not matrix else [{key: value} for key, values in matrix.items() for value in values]
    results = []
    for combo in combos:
        contexts = dict(base, matrix=combo)
        label = f"{name} ({', '.join(map(str, combo.values()))})" if combo else name
        results.append(_run_steps(workflow, label, name, job, contexts, run))
    return "failure" if "failure" in results else "success"


def _run_steps(workflow: str, label: str, name: str, job: Mapping[str, Any], contexts: dict[str, Any], run: Run) -> str:
    workspace = run.workspace
    shutil.rmtree(workspace / SCRATCH, ignore_errors=True)  # a fresh runner: nothing left from other jobs
    tmp = Path(tempfile.mkdtemp(prefix="runner-"))
    files = {k: tmp / k.lower() for k in ("GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_PATH")}
    for f in files.values():
        f.touch()
    (tmp / "bin").mkdir()
    status = {"success": True, "failure": False, "always": True, "cancelled": False}
    static = {"always": True, "cancelled": False}
    job_env = {
        **{
            k: str(evaluate(v, contexts, static | {"success": True, "failure": False}, workspace))
            for k, v in contexts["env"].items()
        },
    }
    contexts["env"] = job_env
    job_env.update(
        {
            k: str(evaluate(v, contexts, static | {"success": True, "failure": False}, workspace))
            for k, v in job.get("env", {}).items()
        }
    )
    contexts["runner"] = {"temp": str(tmp), "os": "Linux"}
    steps: dict[str, Any] = {}
    contexts["steps"] = steps
    exported: dict[str, str] = {}
    path_prefix: list[str] = []
    failed_step: str | None = None
    for index, step in enumerate(job.get("steps", [])):
        step_name = step.get("name") or step.get("uses") or f"step {index + 1}"
        step_name = str(evaluate(step_name, contexts, status, workspace))
        if not condition(step.get("if"), contexts, status, workspace):
            continue
        run.github.log.append(f"{workflow} / {label} / {step_name}")
        env = dict(run.env)
        env.update(exported)
        env.update(job_env)
        env.update({k: str(evaluate(v, contexts, status, workspace)) for k, v in step.get("env", {}).items()})
        env.update(_github_env(run, files, workspace))
        env["PATH"] = os.pathsep.join([*path_prefix, env.get("PATH", os.defpath)])
        files["GITHUB_OUTPUT"].write_text("")  # each step's outputs are its own
        if "uses" in step:
            ok, detail = _uses(step, contexts, status, run, env, exported, path_prefix, tmp)
        else:
            script = str(step["run"])
            proc = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                cwd=workspace,
                env=env,
                capture_output=True,
                text=True,
            )
            ok, detail = proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
            exported.update(_read_env_file(files["GITHUB_ENV"]))
            files["GITHUB_ENV"].write_text("")
        if step.get("id"):
            steps[step["id"]] = {
                "outputs": _read_outputs(files["GITHUB_OUTPUT"]),
                "outcome": "success" if ok else "failure",
            }
        if not ok:
            failed_step = failed_step or step_name
            status = {"success": False, "failure": True, "always": True, "cancelled": False}
            run.github.log.append(f"FAILED {workflow} / {label} / {step_name}: {detail.strip()[-1500:]}")
    run.github.summaries[label] = run.github.summaries.get(label, "") + files["GITHUB_STEP_SUMMARY"].read_text()
    outputs = {k: str(evaluate(v, contexts, status, workspace)) for k, v in job.get("outputs", {}).items()}
    run.outputs.setdefault(name, {}).update(outputs)
    shutil.rmtree(tmp, ignore_errors=True)
    while run.created:
        shutil.rmtree(run.created.pop(), ignore_errors=True)
    if failed_step:
        run.github.log.append(f"job {label} failed at step {failed_step!r}")
        return "failure"
    return "success"


def _github_env(run: Run, files: Mapping[str, Path], workspace: Path) -> dict[str, str]:
    return {
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": run.event_name,
        "GITHUB_SHA": run.sha,
        "GITHUB_REF": run.ref,
        "GITHUB_REPOSITORY": run.repository,
        "GITHUB_RUN_ID": str(run.run_id),
        "GITHUB_SERVER_URL": "https://github.example",
        "GITHUB_WORKSPACE": str(workspace),
        **{k: str(v) for k, v in files.items()},
    }


def _read_env_file(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def _read_outputs(path: Path) -> dict[str, str]:
    return _read_env_file(path)


def _uses(
    step: Mapping[str, Any],
    contexts: Mapping[str, Any],
    status: Mapping[str, bool],
    run: Run,
    env: dict[str, str],
    exported: dict[str, str],
    path_prefix: list[str],
    tmp: Path,
) -> tuple[bool, str]:
    action = str(step["uses"]).split("@", 1)[0]
    inputs = {k: evaluate(v, contexts, status, run.workspace) for k, v in step.get("with", {}).items()}
    workspace = run.workspace
    if action == "actions/checkout":
        return True, "workspace is the repository"
    if action == "actions/setup-python":
        shim = tmp / "bin" / "python"
        shim.symlink_to(sys.executable)
        path_prefix.insert(0, str(shim.parent))
        return True, f"python -> {sys.executable}"
    if action == "aws-actions/configure-aws-credentials":
        exported["TABLEKIT_ACCOUNT"] = "simulated"
        exported["AWS_REGION"] = str(inputs.get("aws-region") or "us-east-1")
        return True, f"simulated account instead of {inputs.get('role-to-assume')}"
    if action == SETUP_TERRAFORM:
        return _setup_terraform(run)
    if action == "actions/upload-artifact":
        name = str(inputs["name"])
        source = workspace / str(inputs["path"])
        target = run.github.store / "artifacts" / name
        shutil.rmtree(target, ignore_errors=True)
        if not source.exists():
            if inputs.get("if-no-files-found") == "ignore":
                return True, "no files"
            return False, f"upload-artifact: {source} does not exist"
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            target.mkdir(parents=True)
            shutil.copy2(source, target / source.name)
        retention = inputs.get("retention-days")
        run.github.artifacts[name] = Artifact(name, target, int(retention) if retention is not None else None)
        return True, f"uploaded {name}"
    if action == "actions/download-artifact":
        dest = workspace / str(inputs.get("path", "."))
        if not dest.exists() and not dest.resolve().is_relative_to(workspace / "build"):
            run.created.append(dest)  # removed when the job ends: the workspace is the repository
        dest.mkdir(parents=True, exist_ok=True)
        names = (
            [str(inputs["name"])]
            if inputs.get("name")
            else fnmatch.filter(run.github.artifacts, str(inputs["pattern"]))
        )
        for name in names:
            if name not in run.github.artifacts:
                return False, f"download-artifact: no artifact {name}"
            into = dest if inputs.get("merge-multiple") or inputs.get("name") else dest / name
            shutil.copytree(run.github.artifacts[name].path, into, dirs_exist_ok=True)
        return True, f"downloaded {names}"
    if action == "actions/github-script":
        return _github_script(str(inputs["script"]), run, env, tmp)
    if action == "github/codeql-action/upload-sarif":
        sarif = workspace / str(inputs["sarif_file"])
        if not sarif.is_file():
            return False, f"upload-sarif: {sarif} does not exist"
        target = run.github.store / "code-scanning" / f"{inputs.get('category', 'default')}.sarif"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(sarif, target)
        run.github.code_scanning[str(inputs.get("category", "default"))] = target
        return True, f"code scanning <- {sarif.name}"
    return False, f"no local equivalent for {action}"


SETUP_TERRAFORM = "./.github/actions/setup-terraform"


def _setup_terraform(run: Run) -> tuple[bool, str]:
    """The real account's Terraform is replaced by the offline double here: say so, every time."""
    from tablekit.terraform.toolchain import PROVIDER_VERSION, TERRAFORM_VERSION

    action = yaml.safe_load((run.workspace / SETUP_TERRAFORM / "action.yml").read_text())
    wanted = next(
        str(step["with"]["terraform_version"])
        for step in action["runs"]["steps"]
        if str(step.get("uses", "")).startswith("hashicorp/setup-terraform@")
    )
    line = (
        f"SUBSTITUTED {SETUP_TERRAFORM}: Terraform {wanted} from the registry would run on the real account; "
        f"the simulated account runs the offline double (Terraform {TERRAFORM_VERSION}, hashicorp/aws "
        f"{PROVIDER_VERSION}) instead"
    )
    print(line, flush=True)
    run.github.log.append(line)
    run.github.substitutions.append(line)
    return True, line


def _github_script(script: str, run: Run, env: dict[str, str], tmp: Path) -> tuple[bool, str]:
    store = tmp / "comments.json"
    next_id = max([c["id"] for c in run.github.comments] or [0]) + 1
    api = {"issues": run.github.issues, "labels": run.github.labels, "reviews": run.github.reviews}
    store.write_text(json.dumps({"comments": run.github.comments, "next_id": next_id, "actor": BOT, **api}))
    payload = tmp / "payload.json"
    payload.write_text(json.dumps({"repository": run.repository, "event": run.event}))
    (tmp / "script.js").write_text(script)
    (tmp / "harness.js").write_text(NODE_HARNESS)
    proc = subprocess.run(
        ["node", str(tmp / "harness.js"), str(tmp / "script.js"), str(store), str(payload), str(GITHUB_API)],
        cwd=run.workspace,
        env=env,
        capture_output=True,
        text=True,
    )
    saved = json.loads(store.read_text())
    run.github.comments[:] = saved["comments"]
    run.github.issues[:] = saved.get("issues", [])
    run.github.labels.clear()
    run.github.labels.update(saved.get("labels", {}))
    return proc.returncode == 0, proc.stdout + proc.stderr
