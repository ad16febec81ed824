"""Which parts of the web UI each role may use: the one table the nav, the home page and the views share.

A feature a role may not use is not shown in the nav, and its pages answer
403 (anonymous users are sent to the login page first). Which *rows* a user
then sees is decided elsewhere, by `longarm.accounts.scoping`. To add a page
for a new feature: add a line to `FEATURE_ROLES`, decorate its views with
`feature_required("<feature>")`, and add one line to `templates/nav.html`.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse

from longarm.accounts.models import NATIONAL_ROLES, PERSON_READING_ROLES, PROVINCIAL_ROLES, Role

ANALYST_ROLES = frozenset({Role.PROVINCIAL_ANALYST, Role.CENTRAL_ANALYST})

FEATURE_ROLES: dict[str, frozenset[str]] = {
    # The registry: officials, their relatives, documents, trips and crossings.
    "officials": frozenset(PERSON_READING_ROLES - {Role.SYSTEM}),
    # Staff who search across many officials (an official only sees their own record).
    "officials_search": frozenset((NATIONAL_ROLES | PROVINCIAL_ROLES) - {Role.SYSTEM}),
    # The audit log: who saw and changed what.
    "audit": frozenset({Role.AUDITOR, Role.ADMINISTRATOR}),
    # Batch runs (imports, reconciliation, scoring): parameters, counts and logs.
    "runs": frozenset(ANALYST_ROLES | {Role.ADMINISTRATOR, Role.AUDITOR}),
    # The pursuit: fugitive cases, the recoveries statistics and the treaty network.
    "cases": frozenset(ANALYST_ROLES | {Role.PURSUIT_OFFICER, Role.ADMINISTRATOR}),
    # The Django admin site.
    "admin": frozenset({Role.ADMINISTRATOR}),
    # Travel control: officials request, personnel officers decide, analysts and admins read.
    "travel": frozenset(ANALYST_ROLES | {Role.OFFICIAL, Role.PERSONNEL_OFFICER, Role.ADMINISTRATOR}),
    # The document vault: custody of travel documents.
    "vault": frozenset({Role.PERSONNEL_OFFICER, Role.ADMINISTRATOR}),
    # The watch list: exit bans and alerts on officials.
    "watchlist": frozenset(ANALYST_ROLES | {Role.ADMINISTRATOR}),
    # Identity resolution's review queue: the same staff as the alert desk (analysts judge, others read).
    "identity": frozenset((NATIONAL_ROLES | PROVINCIAL_ROLES) - {Role.SYSTEM}),
}


def may(user, feature: str) -> bool:
    """True when `user` is signed in, active, and their role may use `feature` (superusers may use all)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.role in FEATURE_ROLES[feature]


def feature_required(feature: str):
    """Decorate a view: anonymous users go to login, users whose role may not use `feature` get 403.

    An htmx request whose session has expired gets an `HX-Redirect` to the
    login page, so the whole page changes instead of a fragment turning into a
    login form.
    """
    if feature not in FEATURE_ROLES:
        raise KeyError(f"unknown feature {feature!r}; add it to FEATURE_ROLES")

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                response = redirect_to_login(request.get_full_path())
                if request.headers.get("HX-Request") == "true":
                    redirect = HttpResponse(status=204)
                    redirect["HX-Redirect"] = response["Location"]
                    return redirect
                return response
            if not may(request.user, feature):
                raise PermissionDenied(f"Your role may not use {feature}.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def scope_sentence(user) -> str:
    """One sentence telling the user whose records they see, following the rules of `accounts.scoping`."""
    if not user.is_authenticated:
        return ""
    if user.is_superuser or user.role in NATIONAL_ROLES:
        return "You see officials of every jurisdiction."
    if user.role == Role.PERSONNEL_OFFICER:
        if user.jurisdiction and user.organization:
            return f"You see the officials of {user.organization} in {user.jurisdiction}."
        if user.jurisdiction:
            return f"You see the officials of {user.jurisdiction}."
        return "Your account has no jurisdiction yet, so you see no officials; ask an administrator to set one."
    if user.role in PROVINCIAL_ROLES:
        if user.jurisdiction:
            return f"You see the officials of {user.jurisdiction} only."
        return "Your account has no jurisdiction yet, so you see no officials; ask an administrator to set one."
    if user.role == Role.OFFICIAL:
        if user.official_id:
            return "You see your own record only."
        return "Your account is not yet linked to your registry entry; ask your personnel officer."
    return "Your role reads no person's record."
