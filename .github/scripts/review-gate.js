// The `destroys-data review` check: fails while the pull request carries the `destroys-data`
// label and fewer than two people approve its latest state. GitHub cannot tie required approvals
// to a label, so this check (made required in branch protection) does.
//
// Called by github-script from pr.yml (after the plan comment set or removed the label) and from
// review-gate.yml (on labeled, unlabeled and review events). Reads only: labels and reviews.
module.exports = async ({ github, context, core }) => {
  const LABEL = 'destroys-data';
  const REQUIRED = 2;
  const { owner, repo } = context.repo;
  const pr = context.payload.pull_request;
  // Fresh labels, not the event's: the plan comment job may have changed them since.
  const labels = await github.paginate(github.rest.issues.listLabelsOnIssue, {
    owner, repo, issue_number: pr.number, per_page: 100,
  });
  if (!labels.some((l) => l.name === LABEL)) {
    core.info(`no ${LABEL} label: nothing to hold`);
    return;
  }
  const reviews = await github.paginate(github.rest.pulls.listReviews, {
    owner, repo, pull_number: pr.number, per_page: 100,
  });
  // Each reviewer's latest approving or blocking review counts (comments do not change it); an
  // approval of an older commit counts only if GitHub keeps it (branch protection decides that).
  const latest = new Map();
  for (const r of reviews) {
    if (!r.user || !['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED'].includes(r.state)) continue;
    latest.set(r.user.login, r.state);
  }
  const approvers = [...latest].filter(([, state]) => state === 'APPROVED').map(([login]) => login);
  if (approvers.length < REQUIRED) {
    core.setFailed(
      `the ${LABEL} label is set (applying this loses data): ${REQUIRED} approvals needed, ` +
      `${approvers.length} given${approvers.length ? ` (${approvers.join(', ')})` : ''}`,
    );
    return;
  }
  core.info(`${LABEL}: approved by ${approvers.join(', ')}`);
};
