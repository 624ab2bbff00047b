"""An endpoint that dies mid-command: one line naming what was interrupted and how to resume.

Before, `seed` printed a 113-line traceback and setup a provider error per resource. Now the
command says which step stopped and that running it again (after `./just up`) carries on; the next
setup then converges from whatever the cut-short apply left.
"""

from __future__ import annotations

import pytest
from lifecycle_support import holdings, new_endpoint, scratch_tmpdir, university_tree

from tablekit import cli
from tablekit.lifecycle import local_env, resume
from tablekit.lifecycle.steps import Steps
from tablekit.terraform import runner

# The calls in flight when the endpoint dies must end with the run, as a provider Terraform launched
# does; a shared provider would go on retrying them into the restarted endpoint.
pytestmark = pytest.mark.launched_provider


@pytest.mark.apply
@pytest.mark.slow
def test_endpoint_stopped_during_apply_then_setup_resumes(tmp_path, monkeypatch):
    # The provider retries every call to a dead endpoint for minutes, so terraform never stops
    # within the runner's grace and is always ended when it expires (test_terraform_runner holds
    # that path): a shorter grace changes only how long this test waits for it.
    monkeypatch.setattr(runner, "GRACE_SECONDS", 3.0)
    monkeypatch.setenv("TMPDIR", str(scratch_tmpdir(tmp_path)))
    endpoint = new_endpoint(tmp_path / "endpoint")
    data = tmp_path / "env"
    tree = university_tree(tmp_path / "tree")  # the university family alone: stream, function, aggregates
    created = 0

    def stop_endpoint(line: str) -> None:
        nonlocal created
        created += "Creation complete" in line
        if created == 5 and endpoint.status()["healthy"]:
            endpoint.stop()

    try:
        with pytest.raises(resume.EndpointGone) as caught:
            local_env.setup(
                "local", endpoint=endpoint, data_dir=data, quiet=True, source_root=tree, on_apply_line=stop_endpoint
            )
        message = str(caught.value)
        assert "\n" not in message
        assert f"the local endpoint at {endpoint.url} stopped answering during setup (apply envs/local)" in message
        assert "`./just up`" in message and "`./just setup` again" in message

        endpoint.start(timeout=60)
        result = local_env.setup("local", endpoint=endpoint, data_dir=data, quiet=True, source_root=tree)
        assert holdings(endpoint.url, result.tables)["items"]["university"] > 0
        assert local_env.status(port=endpoint.port, data_dir=data).agrees
    finally:
        endpoint.stop()


def test_cli_prints_one_line_when_the_endpoint_is_gone(tmp_path, capsys, monkeypatch):
    endpoint = new_endpoint(tmp_path / "endpoint")
    endpoint.stop()

    def seed_step(*args: object, **kwargs: object) -> object:
        with resume.guard(endpoint.url, "seed"), Steps("seed").step("load seed data"):
            from tablekit import aws

            return aws.clients(endpoint.url).client("dynamodb").list_tables()

    monkeypatch.setattr(local_env, "status", seed_step)
    assert cli.main(["status", "--port", str(endpoint.port)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    # The step's progress line, then the failure as one line: no traceback, no botocore retries.
    assert err[0] == "… load seed data", err
    assert len(err) == 2 and "stopped answering during seed (load seed data)" in err[1], err
