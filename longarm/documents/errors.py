"""Errors of the custody workflow, each with a message a user understands."""


class CustodyError(Exception):
    """A custody action that the rules refuse; `str(error)` is shown to the user as is."""


class CustodyPermissionError(CustodyError):
    """The actor's role does not keep passports, or the document is outside the actor's scope."""
