"""Domain errors of the alert services, worded for the user who caused them."""


class AlertError(Exception):
    """A change of an alert that its life cycle does not allow."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
