"""Environments (envs/local, envs/dev, envs/prod): where their files live and how Terraform runs them.

This face is the package's API for the rest of tablekit; the modules behind it hold the work:
`context` (one run's env, account, toolchain and data directory), `backend` (which account a run
reaches and its S3 backend), `runs` (stage, init, plan, apply, review, destroy), `account` (the
`aws`/`simulated` switch), `holdings` (what an account holds), `reconcile` (state against the
account before an apply) and `inputs` (required inputs before Terraform). Modules inside the
package import each other directly, never this face.

May import: `tablekit.terraform`, `tablekit.staging`, `tablekit.endpoint` and the shared leaves.
"""

from tablekit.envs.backend import ACCOUNT_OVERRIDE, backend_config, backend_file, require_account, require_toolchain
from tablekit.envs.context import DEFAULT_ENDPOINT, EnvContext, context, example_inputs, on_endpoint
from tablekit.envs.runs import (
    Review,
    apply,
    apply_saved,
    check_inputs,
    destroy,
    ensure_endpoint,
    init,
    keep_lock_file,
    lock_file_for,
    outputs,
    plan,
    review,
    saved_plan_files,
    stage,
)

__all__ = [
    "ACCOUNT_OVERRIDE", "DEFAULT_ENDPOINT", "EnvContext", "Review", "apply", "apply_saved", "backend_config",
    "backend_file", "check_inputs", "context", "destroy", "ensure_endpoint", "example_inputs", "init",
    "keep_lock_file", "lock_file_for", "on_endpoint", "outputs", "plan", "require_account", "require_toolchain",
    "review", "saved_plan_files", "stage",
]  # fmt: skip
