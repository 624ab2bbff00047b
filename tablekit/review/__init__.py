"""Plan review: the PR comment, its masking, data-loss banner, policy results and drift issues.

Owns rendering plans for people (`comment`, `plandiff`, `markdown`), masking plan data at every
depth (`redact`, `redact_reports`), naming what destroys data (`dataloss`), checkov runs and
their reports (`policy`), and the nightly drift issue (`drift_issue`).

Security boundary: everything here that CI runs without the project's dependencies (`redact`,
`redact_reports`, `drift_issue`, `comment` through `tablekit.commands.comment`) imports only the
standard library, `tablekit.errors` and `tablekit.terraform.plan`.
"""
