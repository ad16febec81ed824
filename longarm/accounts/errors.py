"""Errors of the account services, each with a message a user can act on."""


class AccountError(Exception):
    """A user account could not be created or changed; `message` says why, in plain words."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
