"""Creating users, changing their role, issuing API tokens: each validated and audited.

Who a user may see follows from their role and jurisdiction (see
`longarm.accounts.scoping`), so these are the writes that decide access. Only
an administrator (or the system actor, behind the command line) may make
them; a user may also issue their own API token.
"""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from rest_framework.authtoken.models import Token

from longarm.accounts.errors import AccountError
from longarm.accounts.models import PROVINCIAL_ROLES, Role, User
from longarm.audit.services import audit_record
from longarm.geo import subdivision_codes

ACCOUNT_MANAGERS = frozenset({Role.ADMINISTRATOR, Role.SYSTEM})


def _require_account_manager(actor) -> None:
    if actor is None or not actor.is_authenticated:
        raise AccountError("An actor is required to change user accounts.")
    if not (actor.role in ACCOUNT_MANAGERS or actor.is_superuser):
        raise AccountError("Only an administrator may create users or change their role.")


def _validate_access(*, role: str, jurisdiction: str, official, user: User | None) -> None:
    """The rules that keep access well defined.

    A provincial role needs a jurisdiction (without one it would see nothing);
    the official role needs the official it belongs to; a jurisdiction, when
    given, is an ISO 3166-2 subdivision code.
    """
    if role not in Role.values:
        raise AccountError(f"Unknown role {role!r}; choose one of: {', '.join(Role.values)}.")
    if jurisdiction and jurisdiction not in subdivision_codes():
        raise AccountError(f"{jurisdiction!r} is not an ISO 3166-2 subdivision code (e.g. CN-GD).")
    if role in PROVINCIAL_ROLES and not jurisdiction:
        raise AccountError(f"The role {role} needs a jurisdiction (e.g. CN-GD).")
    if role == Role.OFFICIAL:
        if official is None:
            raise AccountError("The official role needs the official this login belongs to.")
        taken = User.objects.filter(official=official)
        if user is not None:
            taken = taken.exclude(pk=user.pk)
        if taken.exists():
            raise AccountError(f"Official {official.pk} already has a user account.")


@transaction.atomic
def user_create(*, username: str, password: str | None, role: str, jurisdiction: str = "",
                organization: str = "", official=None, actor) -> User:
    """Create a user whose role and jurisdiction are valid; `password=None` leaves no usable password.

    The password must pass the installation's password validators. An
    official's login takes the official's jurisdiction unless one is given.
    """
    _require_account_manager(actor)
    username = (username or "").strip()
    if not username:
        raise AccountError("A username is required.")
    if User.objects.filter(username=username).exists():
        raise AccountError(f"The username {username!r} is taken.")
    if role == Role.OFFICIAL and official is not None and not jurisdiction:
        jurisdiction = official.jurisdiction
    _validate_access(role=role, jurisdiction=jurisdiction, official=official, user=None)
    user = User(username=username, role=role, jurisdiction=jurisdiction, organization=organization,
                official=official if role == Role.OFFICIAL else None)
    if password is None:
        user.set_unusable_password()
    else:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise AccountError(" ".join(error.messages)) from None
        user.set_password(password)
    user.save()
    audit_record(actor=actor, action="user.create", target=user,
                 detail={"username": username, "role": role, "jurisdiction": jurisdiction,
                         "organization": organization, "official": user.official_id})
    return user


@transaction.atomic
def user_set_role(*, user: User, role: str, jurisdiction: str, organization: str, actor) -> User:
    """Change what a user may see; the audit row keeps the access before and after."""
    _require_account_manager(actor)
    _validate_access(role=role, jurisdiction=jurisdiction, official=user.official, user=user)
    before = {"role": user.role, "jurisdiction": user.jurisdiction, "organization": user.organization}
    user.role = role
    user.jurisdiction = jurisdiction
    user.organization = organization
    user.save(update_fields=["role", "jurisdiction", "organization"])
    audit_record(actor=actor, action="user.set_role", target=user,
                 detail={"before": before,
                         "after": {"role": role, "jurisdiction": jurisdiction, "organization": organization}})
    return user


@transaction.atomic
def token_issue(*, user: User, actor) -> Token:
    """Issue a new API token for an active user, revoking the one they had.

    A user may issue their own token; an administrator or the system actor may
    issue anyone's. The token itself never goes into the audit log.
    """
    if actor is None or not actor.is_authenticated:
        raise AccountError("An actor is required to issue a token.")
    if actor.pk != user.pk:
        _require_account_manager(actor)
    if not user.is_active:
        raise AccountError(f"User {user.get_username()} is inactive; no token can be issued.")
    revoked = Token.objects.filter(user=user).delete()[0] > 0
    token = Token.objects.create(user=user)
    audit_record(actor=actor, action="token.issue", target=user, detail={"revoked_previous": revoked})
    return token
