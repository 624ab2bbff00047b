"""`upgrade-check`: plan this tree against the real state of a previous release, and refuse data loss.

Why: a plan from empty state can never show a delete, so it cannot catch what actually destroys
tables -- a key-schema change (replacement), a renamed resource or module, a `count` -> `for_each`
refactor without its migration. Those only show up when the new code is planned against state that
an older release created. So for each env this check

1. exports REF's tree from git (modules/, envs/, seed_data/, lambda_function/) into a scratch
   directory, starts a fresh local endpoint, applies REF's env there and loads REF's seed data;
2. records, per table, an item count and a content hash (`tablekit.upgrade.snapshot`);
3. applies the migrations the releases after REF ship (`tablekit.upgrade.migrations`, dry-run list first);
4. plans this tree against that state and classifies every destroy and replacement
   (`judge`): a data-bearing resource (`DATA_BEARING`) or an address change without a migration
   fails the check unless a reviewed entry of the allow file (`upgrade-allow.toml`) names it with a
   reason;
5. when nothing fails, applies the plan and checks that every seeded item is still there.

dev and prod run on the simulated account (tablekit.envs.account: their real S3 backend, with a state
bucket and lock table on the run's endpoint, and their own provider blocks aimed at it), so they
need no AWS account. The endpoint cannot create global-table replicas, so prod's REF is applied
without the university replica; the plan that is judged still contains the replica (an in-place
addition against that state), and the plan that is applied leaves it out. Each env gets its own
endpoint (the envs share table names) and its own data directory.

The plan is made with `-refresh=false`: the state was written by an apply on the same endpoint
moments before, so refreshing would only re-read what was just created (and surface the
endpoint's own quirks) at the cost of one read per resource.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from tablekit import envs
from tablekit.endpoint.probes import free_port
from tablekit.endpoint.server import Endpoint
from tablekit.envs import account
from tablekit.errors import UserError
from tablekit.paths import BUILD, ENV_NAMES
from tablekit.staging import copies
from tablekit.terraform import hclscan
from tablekit.terraform.plan import Counts, Plan
from tablekit.terraform.processes import end_groups
from tablekit.terraform.runner import Terraform
from tablekit.upgrade import git, migrations, releases, snapshot
from tablekit.upgrade.allowlist import ALLOW_FILE, AllowEntry, read_allow
from tablekit.upgrade.verdicts import Finding, Verdict, judge

# What REF's tree contributes: the code that built its state, its seed data, its Lambda source.
REF_PATHS = ("modules", "envs", "seed_data", "lambda_function")
# Files whose uncommitted changes would make the check describe a tree that is not a commit.
CHECKED_PATHS = ("modules", "envs", "seed_data", "lambda_function", "migrations", "CHANGELOG.md", ALLOW_FILE)

_OVERRIDE = copies.override_file("upgrade")


# ------------------------------------------------------------------------------------------------
# Progress
# ------------------------------------------------------------------------------------------------

console = Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else 200)
_PRINT = threading.Lock()


def _say(text: str) -> None:
    with _PRINT:
        console.print(text)


@contextmanager
def _step(env: str, name: str, timings: dict[str, float], key: str) -> Iterator[dict[str, str]]:
    """One line when a step starts and one with its time when it ends (safe from several threads);
    the time is kept under `key` (the same in every env, for the summary and the benchmark)."""
    info = {"detail": ""}
    _say(escape(f"… [{env}] {name}"))
    began = time.monotonic()
    yield info
    elapsed = time.monotonic() - began
    timings[key] = round(elapsed, 1)
    detail = f" {info['detail']}" if info["detail"] else ""
    _say(f"[green]✓[/] {escape(f'[{env}] {name}')} [dim]({elapsed:.1f}s)[/]{escape(detail)}")


# ------------------------------------------------------------------------------------------------
# One env
# ------------------------------------------------------------------------------------------------


@dataclass
class EnvResult:
    env: str
    coverage: str
    migrations: list[migrations.Step] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)
    findings: list[Finding] = field(default_factory=list)
    items: list[snapshot.ItemCheck] = field(default_factory=list)
    applied: bool = False
    seeded: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.verdict == Verdict.FAIL]

    @property
    def lost(self) -> list[snapshot.ItemCheck]:
        return [check for check in self.items if not check.ok]

    @property
    def passed(self) -> bool:
        return not self.failures and not self.lost and self.applied


COVERAGE = {
    "local": "REF's envs/local applied and seeded, migrated, planned, applied, every item checked",
    "dev": (
        "simulated account (real S3 backend and providers on the endpoint): REF's envs/dev applied and seeded with "
        "alarms on, migrated, planned, applied, every item checked"
    ),
    "prod": (
        "simulated account: REF's envs/prod applied and seeded without the university replica and the IELTS backup "
        "selection (the endpoint can create neither), migrated; the judged plan includes both (additions "
        "against that state, so changes to them are not covered); applied without them, every item checked"
    ),
}


# The endpoint knows AWS-managed IAM policies only when asked (prod attaches the AWS Backup one).
ENDPOINT_SETTINGS = {"MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}
# Resource types the local endpoint cannot create, turned off in the staged copy that is *applied*
# (never in the plan that is judged), with why.
ENDPOINT_GAPS: dict[str, str] = {
    "aws_backup_selection": "the endpoint does not implement AWS Backup selections",
}


def _blocks(directory: Path, kind: str) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """(label, second label or "", body) of every `kind` block in a directory's own .tf files."""
    for label, body in hclscan.hcl2_blocks(copies.own_tf_files(directory), kind):
        if kind != "resource":
            yield label, "", body
            continue
        for name, inner in body.items():
            yield label, name.strip('"'), inner if isinstance(inner, Mapping) else {}


def write_no_replica_override(workdir: Path) -> bool:
    """Override file that turns replicas off in the staged env (the endpoint cannot create them)."""
    modules = [name for name, _, body in _blocks(workdir, "module") if "replica_regions" in body]
    if not modules:
        return False
    blocks = "".join(
        f'module "{name}" {{\n  replica_regions      = []\n  replica_kms_key_arns = {{}}\n}}\n' for name in modules
    )
    header = "# Generated by tablekit upgrade-check: the local endpoint cannot create global-table replicas.\n"
    (workdir / _OVERRIDE).write_text(header + blocks)
    return True


def write_gap_overrides(stage_root: Path) -> list[str]:
    """Override files that turn off every ENDPOINT_GAPS resource of the staged modules; what was turned off."""
    turned_off: list[str] = []
    modules = stage_root / "modules"
    for module in sorted(p for p in modules.iterdir() if p.is_dir()) if modules.is_dir() else []:
        blocks = []
        for kind, name, body in _blocks(module, "resource"):
            if kind not in ENDPOINT_GAPS:
                continue
            repeat = "for_each = {}" if "for_each" in body else "count = 0"
            blocks.append(f'resource "{kind}" "{name}" {{\n  {repeat}\n}}\n')
            turned_off.append(f"modules/{module.name}: {kind}.{name} ({ENDPOINT_GAPS[kind]})")
        if blocks:
            header = "# Generated by tablekit upgrade-check: resources the local endpoint cannot create.\n"
            (module / _OVERRIDE).write_text(header + "".join(blocks))
    return turned_off


def remove_overrides(stage_root: Path) -> None:
    copies.remove_overrides(stage_root, "upgrade")


class EnvRun:
    """The upgrade of one env, simulated on its own endpoint: REF's state, then this tree's plan and apply."""

    def __init__(
        self,
        env: str,
        ref_tree: Path,
        head_tree: Path,
        data_dir: Path,
        ref_label: str,
        migration_files: Sequence[migrations.MigrationFile] = (),
        allow: Sequence[AllowEntry] = (),
        ref_lambda_zip: Path | None = None,
    ) -> None:
        self.env = env
        self.ref_lambda_zip = ref_lambda_zip
        self.ref_tree = ref_tree
        self.head_tree = head_tree
        self.data_dir = data_dir
        self.ref_label = ref_label
        self.migration_files = list(migration_files)
        self.allow = list(allow)
        self.endpoint = Endpoint(port=free_port(), state_dir=data_dir / "endpoint", environment=ENDPOINT_SETTINGS)
        self.result = EnvResult(env=env, coverage=COVERAGE.get(env, ""))
        self.before: dict[str, snapshot.TableSnapshot] = {}
        self._plan_file = data_dir / "upgrade.tfplan"
        self._apply_plan_file = self._plan_file
        self.plan: Plan | None = None
        self._head: tuple[envs.EnvContext, Terraform] | None = None
        self._backend_file: Path | None = None
        self.aborted = threading.Event()

    # -- contexts --------------------------------------------------------------------------------

    def _context(self, source_root: Path, variables: Mapping[str, object] | None = None) -> envs.EnvContext:
        # The tree's own safe example inputs (prod's alarm topic): example.tfvars, or offline.tfvars
        # in releases up to v0.1.0, which named it after the override the simulated account replaced.
        env_dir = source_root / "envs" / self.env
        examples = [env_dir / name for name in ("example.tfvars", "offline.tfvars") if (env_dir / name).is_file()]
        return envs.context(
            self.env,
            endpoint_url=self.endpoint.url,
            data_dir=self.data_dir,
            account_name=account.SIMULATED if self.env != "local" else None,
            backend_file=self._backend_file,
            variables=dict(variables or {}),
            var_files=examples[:1],
            source_root=source_root,
        )

    def _ref_variables(self) -> dict[str, object]:
        """REF's own stream-processor zip when its env takes one (its code is what ran in REF)."""
        variables_tf = self.ref_tree / "envs" / self.env / "variables.tf"
        if self.ref_lambda_zip is None or not variables_tf.exists():
            return {}
        if 'variable "lambda_zip_path"' not in variables_tf.read_text():
            return {}
        return {"lambda_zip_path": str(self.ref_lambda_zip)}

    def _head_run(self) -> tuple[envs.EnvContext, Terraform]:
        """This tree staged over REF's state (same data directory) and initialised, once."""
        if self._head is None:
            ctx = self._context(self.head_tree)
            self._head = (ctx, envs.init(ctx))
        return self._head

    def clients(self) -> Any:
        """Clients of the env's own endpoint account (dev and prod are separate accounts there)."""
        return self._context(self.head_tree).clients()

    # -- steps -----------------------------------------------------------------------------------

    def start(self) -> None:
        if self.data_dir.exists():
            shutil.rmtree(self.data_dir)
        self.data_dir.mkdir(parents=True)
        self.endpoint.start(timeout=60)
        if self.env != "local":
            self._backend_file = account.state_store(self.endpoint.url, self.env, self.data_dir / "account")

    def stop(self) -> None:
        self.endpoint.stop()

    def prepare(self) -> None:
        """Apply REF's env on the fresh endpoint, seed it with REF's data, snapshot every table."""
        timings = self.result.timings
        with _step(self.env, f"apply {self.ref_label} envs/{self.env}", timings, "apply REF") as info:
            ctx = self._context(self.ref_tree, self._ref_variables())
            tf = envs.init(ctx)
            write_no_replica_override(ctx.workdir)
            write_gap_overrides(ctx.stage_root)
            done = tf.apply(variables=ctx.tf_variables(), var_files=ctx.var_files)
            (self.data_dir / "ref-apply.log").write_text(done.stdout + done.stderr)
            outputs = tf.output()
            tables = outputs.get("tables") or {}
            info["detail"] = f"{len(tf.state_list())} resources, {len(tables)} tables"
        seed_root = self.ref_tree / "seed_data"
        if tables and (seed_root / "environments.json").exists():
            from tablekit.seed import load_env

            with _step(self.env, f"seed {self.ref_label} data", timings, "seed") as info:
                summary = load_env(dict(tables), ctx.clients(), env=self.env, seed_root=seed_root)
                self.result.seeded = summary.items
                info["detail"] = f"{summary.items} items into {len(summary.tables)} tables ({', '.join(summary.sets)})"
        with _step(self.env, "snapshot items", timings, "snapshot") as info:
            self.before = snapshot.take(self.clients())
            info["detail"] = f"{sum(s.items for s in self.before.values())} items in {len(self.before)} tables"

    def migrate(self, files: Sequence[migrations.MigrationFile] | None = None) -> list[migrations.Step]:
        """Apply the selected migrations to the REF state (dry-run list printed first)."""
        chosen = self.migration_files if files is None else list(files)
        with _step(self.env, "migrations", self.result.timings, "migrate") as info:
            _, tf = self._head_run()
            # This tree's `moved` blocks, as the double needs them (Terraform >= 1.1 does this itself).
            from_blocks = migrations.moved_moves(self.head_tree, self.env, tf.state_list())
            if from_blocks.moves:
                chosen = [*chosen, from_blocks]
            with _PRINT:
                steps = migrations.migrate(
                    tf, chosen, self.data_dir / "migrate-backups", label=self.env, console=console
                )
            moved = sum(1 for s in steps if s.outcome == migrations.Outcome.MOVE)
            info["detail"] = (
                f"{moved} moved, {len(steps) - moved} skipped ({', '.join(f.name for f in chosen) or 'none'})"
            )
        self.result.migrations = steps
        return steps

    def plan_head(self) -> Plan:
        """Plan this tree against the REF state and judge it."""
        with _step(self.env, "plan this tree against that state", self.result.timings, "plan") as info:
            ctx, tf = self._head_run()
            remove_overrides(ctx.stage_root)  # the judged plan is of the code as it is
            variables = ctx.tf_variables()
            plan = tf.plan(
                self._plan_file, variables, ctx.var_files, refresh=False, json_out=self.data_dir / "plan.json"
            )
            findings = judge(self.env, plan, self.allow)
            self._apply_plan_file = self._plan_file
            gaps = any(rc.type in ENDPOINT_GAPS for rc in plan.managed())
            replicas = write_no_replica_override(ctx.workdir)
            if gaps or replicas:
                write_gap_overrides(ctx.stage_root)
                # What can actually be applied here: the same plan minus what the endpoint cannot create.
                self._apply_plan_file = self.data_dir / "upgrade-applicable.tfplan"
                applicable = tf.plan(self._apply_plan_file, variables, ctx.var_files, refresh=False)
                seen = {f.address for f in findings}
                findings += [f for f in judge(self.env, applicable, self.allow) if f.address not in seen]
            self.plan = plan
            self.result.counts = plan.counts()
            self.result.findings = findings
            failing = sum(1 for f in findings if f.verdict == Verdict.FAIL)
            info["detail"] = f"{plan.counts().line()}; {failing} failing destroy/replace"
        return plan

    def apply_and_verify(self) -> list[snapshot.ItemCheck]:
        with _step(self.env, "apply this tree", self.result.timings, "apply") as info:
            _, tf = self._head_run()
            done = tf.apply(self._apply_plan_file)
            (self.data_dir / "apply.log").write_text(done.stdout + done.stderr)
            self.result.applied = True
            info["detail"] = self.result.counts.line()
        with _step(self.env, "check every seeded item", self.result.timings, "item check") as info:
            checks = snapshot.compare(self.before, snapshot.take(self.clients()))
            self.result.items = checks
            bad = [c for c in checks if not c.ok]
            info["detail"] = f"{len(checks) - len(bad)}/{len(checks)} tables intact"
        return checks

    def run(self) -> EnvResult:
        """The whole pipeline; applies only when the plan has no failing destroy/replace."""
        self.start()
        try:
            for step in (self.prepare, self.migrate, self.plan_head):
                self._check_aborted()
                step()
            if not self.result.failures:
                self._check_aborted()
                self.apply_and_verify()
        finally:
            self.stop()
        return self.result

    def _check_aborted(self) -> None:
        if self.aborted.is_set():
            raise KeyboardInterrupt(f"upgrade-check of {self.env} was interrupted")

    def abort(self) -> None:
        """From another thread: stop this env's run now (its terraform, its endpoint). The state
        is a throwaway simulation, so terraform is ended at once rather than asked to write it."""
        self.aborted.set()
        end_groups(self.data_dir / "tfdata" / "terraform-groups")
        self.stop()


# ------------------------------------------------------------------------------------------------
# The whole check
# ------------------------------------------------------------------------------------------------


@dataclass
class Report:
    source: releases.FromRef
    head: str
    results: list[EnvResult]
    stale: list[AllowEntry] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.stale and all(r.passed for r in self.results)


@dataclass(frozen=True)
class Prepared:
    """Everything resolved and validated before the first write."""

    repo: Path
    source: releases.FromRef
    head: str
    migration_files: tuple[migrations.MigrationFile, ...]
    allow: tuple[AllowEntry, ...]
    data_dir: Path


def prepare(
    repo: Path,
    from_ref: str,
    allow_file: Path | None = None,
    data_dir: Path | None = None,
    require_clean: bool = True,
) -> Prepared:
    """Resolve REF, read the CHANGELOG, migrations and allow file; every mistake is a UserError (exit 2)."""
    repo = git.toplevel(repo)
    if require_clean:
        dirty = git.changed_paths(repo, CHECKED_PATHS)
        if dirty:
            more = f" (and {len(dirty) - 1} more)" if len(dirty) > 1 else ""
            raise UserError(
                f"the working tree has uncommitted changes in {dirty[0]}{more}: commit or stash them first "
                f"(upgrade-check plans a commit, so its result must describe one)"
            )
    head = git.resolve(repo, "HEAD")
    if head is None:
        raise UserError(f"{repo} has no commits yet: commit the tree first")
    changelog = releases.read(repo)
    source = releases.resolve_from(repo, from_ref, head, changelog)
    if not git.is_ancestor(repo, source.commit, head):
        raise UserError(
            f"--from {from_ref} ({source.commit[:12]}) is not an ancestor of HEAD: an upgrade starts from an "
            f"older commit of this history (e.g. the merge base: git merge-base origin/main HEAD)"
        )
    files = migrations.select(repo, changelog, source.commit)
    if allow_file is None:
        default = repo / ALLOW_FILE
        allow = read_allow(default) if default.exists() else []
    else:
        allow = read_allow(allow_file)
    return Prepared(
        repo=repo,
        source=source,
        head=head,
        migration_files=tuple(files),
        allow=tuple(allow),
        data_dir=Path(data_dir) if data_dir else BUILD / "upgrade-check",
    )


def export_ref(prepared: Prepared) -> Path:
    tree = prepared.data_dir / "ref-tree"
    if tree.exists():
        shutil.rmtree(tree)
    return git.export(prepared.repo, prepared.source.commit, tree, REF_PATHS)


def ref_label(source: releases.FromRef) -> str:
    name = source.release.version if source.release else source.ref
    return f"{name} ({source.commit[:8]})" if name != source.commit[: len(name)] else source.commit[:12]


def build_lambdas(ref_tree: Path, out_dir: Path) -> Path | None:
    """Build this tree's and REF's stream-processor zips once, before env runs share them from threads."""
    from tablekit.staging.lambda_build import FUNCTIONS, build_all

    build_all()
    source = ref_tree / "lambda_function"
    if not all((source / package).is_dir() for package in FUNCTIONS.values()):
        return None
    return build_all(src_root=source, out_dir=out_dir)["university-stream"]


def _run_all(runs: Sequence[EnvRun], jobs: int) -> list[EnvResult]:
    """Run the env pipelines, `jobs` at a time (each has its own endpoint and data directory).

    Why threads: an env's pipeline spends much of its time waiting on terraform and the endpoint,
    so two or three envs side by side finish well before three in a row (bench/bench_upgrade.py).
    On Ctrl-C every env is aborted (its terraform ended, its endpoint stopped) before re-raising.
    """
    if jobs <= 1 or len(runs) == 1:
        return [run.run() for run in runs]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(run.run) for run in runs]
        try:
            wait(futures)
        except KeyboardInterrupt:
            for run in runs:
                run.abort()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    errors = [error for f in futures if (error := f.exception()) is not None]
    if errors:
        raise errors[0]
    return [f.result() for f in futures]


def run(prepared: Prepared, env_names: Sequence[str] = ENV_NAMES, jobs: int = len(ENV_NAMES)) -> Report:
    """Simulate the upgrade of every env in `env_names`, each on its own endpoint, `jobs` at a time."""
    started = time.monotonic()
    for env in env_names:
        if env not in ENV_NAMES:
            raise UserError(f"--envs: unknown environment {env!r}: choose from {', '.join(ENV_NAMES)}")
    if jobs < 1:
        raise UserError(f"--jobs {jobs}: run at least one env at a time")
    tree = export_ref(prepared)
    label = ref_label(prepared.source)
    ref_zip = build_lambdas(tree, prepared.data_dir / "ref-lambda")
    runs = [
        EnvRun(
            env,
            ref_tree=tree,
            head_tree=prepared.repo,
            data_dir=prepared.data_dir / env,
            ref_label=label,
            migration_files=prepared.migration_files,
            allow=prepared.allow,
            ref_lambda_zip=ref_zip,
        )
        for env in env_names
    ]
    results = _run_all(runs, jobs)
    report = Report(source=prepared.source, head=prepared.head, results=results)
    report.stale = stale_entries(prepared.allow, results)
    report.seconds = round(time.monotonic() - started, 1)
    return report


def stale_entries(allow: Sequence[AllowEntry], results: Sequence[EnvResult]) -> list[AllowEntry]:
    """Allow entries that matched no destroy/replace in any env they apply to (checked envs only)."""
    checked = {r.env for r in results}
    used = {f.allowed_by for r in results for f in r.findings if f.allowed_by is not None}
    return [e for e in allow if any(e.applies_to(env) for env in checked) and e not in used]
