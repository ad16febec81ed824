"""Domain errors of identity resolution, worded for the user who caused them."""


class IdentityError(Exception):
    """A resolve run or a decision that the rules do not allow."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
