"""One line, not a traceback, when the local endpoint stops answering in the middle of a command.

The local endpoint is a process on the laptop: it is stopped (`just down`), crashes, or is killed
while `setup`, `seed` or `teardown` runs. What the user then needs is which step was cut short
and how to carry on, not 100 lines of botocore or provider retries. Every failure is judged the
same way, whatever exception carried it: if the endpoint no longer answers, the endpoint going
away is the cause. An interrupt (Ctrl-C) gets the same resume hint.

    with resume.guard(url, "setup"):
        with steps.step("load seed data"):  # tablekit.lifecycle.steps.Steps
            ...

Resuming is always "start the endpoint, run the same command again": the local setup reconciles
whatever an interrupted run left (``tablekit.lifecycle.converge``), so no manual clean-up is ever needed.
"""

from __future__ import annotations

import _thread
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from tablekit.endpoint.probes import dynamodb_answers
from tablekit.errors import OperationFailed, UserError
from tablekit.lifecycle.steps import current, forget_current


class EndpointGone(OperationFailed):
    """The local endpoint stopped answering during a command; the message says how to resume."""


@contextmanager
def guard(endpoint_url: str | None, command: str) -> Iterator[None]:
    """Turn any failure while the endpoint is gone, and any interrupt, into one line with the way on."""
    forget_current()
    try:
        yield
    except (UserError, EndpointGone):
        raise
    except KeyboardInterrupt:
        where = current()
        if endpoint_url is not None and not dynamodb_answers(endpoint_url):
            raise EndpointGone(_gone(endpoint_url, command, where)) from None
        raise KeyboardInterrupt(
            f"{command} stopped{f' during {where!r}' if where else ''}; run `./just {command}` again to carry on "
            "(it reconciles whatever this run left)"
        ) from None
    except Exception:
        if endpoint_url is None or dynamodb_answers(endpoint_url):
            raise
        raise EndpointGone(_gone(endpoint_url, command, current())) from None
    finally:
        forget_current()


def _gone(endpoint_url: str, command: str, where: str | None) -> str:
    return (
        f"the local endpoint at {endpoint_url} stopped answering during {command}"
        f"{f' ({where})' if where else ''}, so that step did not finish: start it with `./just up` and run "
        f"`./just {command}` again (it reconciles whatever this run left)"
    )


@contextmanager
def watch(endpoint_url: str | None, every: float = 2.0, misses: int = 2) -> Iterator[None]:
    """Interrupt the main thread when the endpoint stops answering (`misses` probes in a row).

    Why: a Terraform run against an endpoint that went away does not fail, it retries every call
    for minutes (the provider's default retries). Interrupting takes the runner's clean path (stop
    terraform, end its group) and `guard` then reports the endpoint, not the interrupt.
    """
    if endpoint_url is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    done = threading.Event()

    def probe() -> None:
        missed = 0
        while not done.wait(every):
            missed = 0 if dynamodb_answers(endpoint_url) else missed + 1
            if missed >= misses:
                _thread.interrupt_main()
                return

    thread = threading.Thread(target=probe, name="endpoint-watch", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join(timeout=every + 2)
