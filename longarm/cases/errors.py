"""Errors of the pursuit workflow, each with a message a user understands."""


class CaseError(Exception):
    """A change to a case, measure or recovery that the rules refuse; nothing was changed."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class CasePermissionError(CaseError):
    """The actor's role does not pursue fugitives, or the case is outside the actor's jurisdiction."""
