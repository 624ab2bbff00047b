"""The exception types the CLI turns into one line and an exit code (see docs/cli.md), never a traceback.

- ``UserError`` (exit 2): usage or bad input; the message names the field and the fix.
- ``OperationFailed`` (exit 1): the input was fine, the operation ran and failed (a Terraform run
  that exited non-zero, a gate that found problems); the message says what failed and where.
"""


class UserError(Exception):
    """An error the user can fix; the message names the field and the fix."""


class OperationFailed(Exception):
    """The operation ran and failed; the message says what failed and where to look."""
