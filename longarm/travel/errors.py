"""Errors of the travel workflow, each with a message the user can act on."""


class TravelError(Exception):
    """A travel request or decision that the rules do not allow; nothing was changed."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TravelPermissionDenied(TravelError):
    """The actor's role or level may not take this step (the record itself is visible to them)."""


class TripBlocked(TravelError):
    """A pre-check blocks approval (an exit ban in force on the trip dates)."""
