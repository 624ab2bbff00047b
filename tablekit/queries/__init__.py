"""Static checks of application DynamoDB calls against an env's declared tables (`check-queries`).

Why: `audit` proves the table *names* in application code exist, but the bugs the seeds show reach
production through the *queries*: a key condition on a sort key without its index (seed 000), an
unaliased reserved word and placeholders nobody defines (seed 001), index and key names that must
follow the module exactly (seed 004). This package finds every DynamoDB call in Python (the `ast`
module) and JavaScript/TypeScript (tree-sitter's grammars) source, resolves the table it names and
checks it against the env's `tables` output, the way DynamoDB itself would validate the request.

What it owns, one job per module:

- `schema`: the declared tables and indexes (the env's `tables`/`app_config` outputs);
- `model`: one found call, language-neutral (operation, table binding, parameters with positions);
- `expressions`: DynamoDB's expression language (tokens, conditions, names and placeholders);
- `reserved`: DynamoDB's 573 reserved words;
- `python_calls` / `js_calls`: finding calls in each language;
- `rules`: the checks, one finding per problem, each with its fix;
- `report`: findings as linter lines, a summary table and JSON;
- `source`: walking a source tree and dispatching each file to its finder;
- `verify`: executing fully literal calls on DynamoDB Local for its own verdict.

- `appcode`: file walking, syntax helpers, output values and name suggestions, shared with
  `tablekit.operations.audit` so both commands agree on what a reference is.

It may import the standard library, tree-sitter, `tablekit.errors`, and for `verify` only
`tablekit.endpoint.dynamodb_local`, `tablekit.endpoint.server` and `tablekit.aws`. It never plans or applies
an env: the command hands it the declared tables.
"""
