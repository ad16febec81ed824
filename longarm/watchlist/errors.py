"""Errors of the exit-control workflow, each with a message the user can act on."""


class WatchlistError(Exception):
    """A watch-list change that the rules do not allow; nothing was changed."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class WatchlistPermissionDenied(WatchlistError):
    """The actor's role may not make this change (the entry itself is visible to them)."""
