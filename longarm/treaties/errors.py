"""Errors of the treaty register."""


class TreatyError(Exception):
    """A change to the treaty register that the rules refuse; nothing was changed."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
