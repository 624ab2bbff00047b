# Recipes are the project's interface. Run them through ./just (it bootstraps the venv first).
set shell := ["bash", "-euo", "pipefail", "-c"]

venv := justfile_directory() / ".venv/bin"
tk := venv / "tablekit"

# Recipes of the commands that can reach an account ([no-exit-message], `@`) print only what tablekit
# prints: a mistake stays one line (docs/cli.md), e.g. a real account without a current Terraform.

# list recipes
default:
    @{{venv}}/just --justfile {{justfile()}} --list --unsorted

# create an environment: local = endpoint + reconcile + apply + seed data + stream aggregates (the main job);
# `./just setup --recreate TABLE` recreates one local table with its seed data
setup *ARGS:
    {{tk}} setup {{ARGS}}

# destroy an environment; dev/prod need the env name again as confirmation: just teardown prod prod
[no-exit-message]
teardown ENV="local" CONFIRM="":
    @{{tk}} teardown {{ENV}} {{ if CONFIRM != "" { "--confirm " + CONFIRM } else { "" } }}

# run the whole test suite on every core (pytest-xdist; one local endpoint per worker; a file's tests stay on one worker so module fixtures run once): ./just test -n 0 runs it serially
test *ARGS:
    {{venv}}/pytest -n auto --dist loadfile {{ARGS}}

# the edit-test loop: every test that needs no apply and takes at most ~2 s (not marked apply or slow), on every core
test-fast *ARGS:
    {{venv}}/pytest -n auto --dist loadfile -m "not apply and not slow" {{ARGS}}

# plan an environment into a saved plan file (dev/prod: add --account simulated for the local endpoint)
[no-exit-message]
plan ENV *ARGS:
    @{{tk}} plan {{ENV}} {{ARGS}}

# apply exactly the saved plan file the last `plan` of the env wrote
[no-exit-message]
apply ENV *ARGS:
    @{{tk}} apply {{ENV}} {{ARGS}}

# format Terraform and Python in place
fmt:
    {{tk}} tf fmt -recursive modules
    {{tk}} tf fmt -recursive envs
    {{venv}}/ruff format tablekit tests bench lambda_function
    {{venv}}/ruff check --fix tablekit tests bench lambda_function

# validate every module and env offline
validate:
    {{venv}}/pytest -q tests/modules/test_terraform_static.py

# write the env's table-name map for application code (json or .env)
[no-exit-message]
app-config ENV="local" OUT="":
    @{{tk}} app-config {{ENV}} {{ if OUT != "" { "--out " + OUT } else { "" } }}

# start the local AWS endpoint (moto server)
up:
    {{tk}} endpoint start

# stop the local AWS endpoint (only if this project started it)
down:
    {{tk}} endpoint stop

# does the local state agree with the endpoint? (endpoint health, tracked vs present; exit 1 when not)
status *ARGS:
    {{tk}} status {{ARGS}}

# Recipe files owned by each capability; a missing file is simply skipped.
import? 'recipes/seed.just'
import? 'recipes/university.just'
import? 'recipes/governance.just'
import? 'recipes/operations.just'
import? 'recipes/queries.just'
