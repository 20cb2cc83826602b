"""Errors a user can act on. Front ends print the message (no traceback) and exit non-zero."""


class UserError(Exception):
    """Bad input or a missing prerequisite; the message says what to do next."""

    exit_code = 2


class IndexMissing(UserError):
    pass


class IndexDamaged(UserError):
    pass


class IndexBusy(UserError):
    """Another process holds the index's writer lock. Front ends add how their user waits longer."""
