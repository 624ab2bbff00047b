// More of the GitHub REST API for the simulated github-script steps (tests/workflows/runner.py):
// repository issues, issue labels and pull-request reviews, kept in the same store file as the
// issue comments. Every call checks what the real API would refuse that these workflows could
// hit: editing an issue of another author, removing a label that is not there.
module.exports = (github, store, save) => {
  store.issues = store.issues || [];
  store.labels = store.labels || {};
  store.reviews = store.reviews || {};
  const issue = (number) => {
    const found = store.issues.find((i) => i.number === number);
    if (!found) throw Object.assign(new Error(`no issue ${number}`), { status: 404 });
    return found;
  };
  Object.assign(github.rest.issues, {
    listForRepo: async ({ state = 'open', creator }) => ({
      data: store.issues.filter((i) => (state === 'all' || i.state === state) && (!creator || i.user.login === creator)),
    }),
    create: async ({ title, body }) => {
      const number = Math.max(0, ...store.issues.map((i) => i.number), 1000) + 1;
      const i = { number, title, body, state: 'open', user: { login: store.actor, type: 'Bot' } };
      store.issues.push(i); save(); return { data: i };
    },
    update: async ({ issue_number, ...fields }) => {
      const i = issue(issue_number);
      if (i.user.login !== store.actor) throw new Error(`issue ${issue_number} belongs to ${i.user.login}`);
      for (const key of ['title', 'body', 'state', 'state_reason']) if (key in fields) i[key] = fields[key];
      save(); return { data: i };
    },
    listLabelsOnIssue: async ({ issue_number }) => ({
      data: (store.labels[issue_number] || []).map((name) => ({ name })),
    }),
    addLabels: async ({ issue_number, labels }) => {
      const have = store.labels[issue_number] || [];
      store.labels[issue_number] = [...have, ...labels.filter((l) => !have.includes(l))];
      save(); return { data: store.labels[issue_number].map((name) => ({ name })) };
    },
    removeLabel: async ({ issue_number, name }) => {
      const have = store.labels[issue_number] || [];
      if (!have.includes(name)) throw Object.assign(new Error(`Label does not exist`), { status: 404 });
      store.labels[issue_number] = have.filter((l) => l !== name);
      save(); return { data: [] };
    },
  });
  github.rest.pulls = {
    listReviews: async ({ pull_number }) => ({ data: store.reviews[pull_number] || [] }),
  };
};
