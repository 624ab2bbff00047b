"""One exception type for user-facing errors: the CLI prints its message and exits 2, no traceback."""


class UserError(Exception):
    """An error the user can fix; the message names the field and the fix."""
