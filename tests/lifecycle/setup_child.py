"""Run `setup local` and interrupt it after N resources were created (the kill tests' child process).

usage: setup_child.py PORT ENDPOINT_STATE_DIR DATA_DIR N SIGNAL [SOURCE_ROOT [VARIABLES_JSON]]

SIGNAL: KILL (the harness dies at once, as with a closed laptop or `kill -9`), INT (one Ctrl-C),
INT2 (Ctrl-C, and Ctrl-C again a second later, during the grace period), HUP (the terminal closed),
KILLALL (terraform, its providers and the harness all SIGKILLed at once: a power cut; terraform
cannot write the state, so what it created is on the endpoint but not in the state).
SOURCE_ROOT (default: the repository) and VARIABLES_JSON are lifecycle.setup's source_root and
variables. The hook runs on every apply line (``tablekit.terraform.runner.Terraform.stream``'s on_line).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from pathlib import Path

from tablekit.endpoint.server import Endpoint
from tablekit.lifecycle import local_env


def main() -> int:
    port, state_dir, data_dir, after, how = sys.argv[1:6]
    source_root = Path(sys.argv[6]) if len(sys.argv) > 6 else None
    variables = json.loads(sys.argv[7]) if len(sys.argv) > 7 else None
    created = 0

    def hook(line: str) -> None:
        nonlocal created
        if "Creation complete" not in line:
            return
        created += 1
        if created != int(after):
            return
        print(f"child: interrupting with {how} after {created} resources", file=sys.stderr, flush=True)
        if how == "KILLALL":
            for record in (Path(data_dir) / "tfdata" / "terraform-groups").glob("[0-9]*"):
                os.killpg(int(record.name), signal.SIGKILL)
            os.kill(os.getpid(), signal.SIGKILL)
        elif how == "INT2":
            os.kill(os.getpid(), signal.SIGINT)
            threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT)).start()
        else:
            os.kill(os.getpid(), getattr(signal, f"SIG{how}"))

    endpoint = Endpoint(port=int(port), state_dir=Path(state_dir))
    try:
        local_env.setup(
            "local",
            endpoint=endpoint,
            data_dir=Path(data_dir),
            quiet=True,
            on_apply_line=hook,
            source_root=source_root,
            variables=variables,
        )
    except KeyboardInterrupt as exc:
        print(f"interrupted: {exc}", file=sys.stderr)
        return 130
    print("child: setup finished without being interrupted", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
