"""Users, their role and their jurisdiction: what decides which people a user may see."""

from django.contrib.auth.models import AbstractUser
from django.db import models

from longarm.geo import validate_subdivision


class Role(models.TextChoices):
    OFFICIAL = "official", "Official"
    PERSONNEL_OFFICER = "personnel_officer", "Personnel officer"
    PROVINCIAL_ANALYST = "provincial_analyst", "Provincial analyst"
    CENTRAL_ANALYST = "central_analyst", "Central analyst"
    PURSUIT_OFFICER = "pursuit_officer", "Pursuit officer"
    AUDITOR = "auditor", "Auditor"
    ADMINISTRATOR = "administrator", "Administrator"
    BORDER_POST = "border_post", "Border post (system)"
    SYSTEM = "system", "System (batch jobs)"


# Roles that see every jurisdiction. Everyone else is held to their own.
NATIONAL_ROLES = frozenset({Role.CENTRAL_ANALYST, Role.ADMINISTRATOR, Role.SYSTEM})
# Roles that are held to one jurisdiction and must have one.
PROVINCIAL_ROLES = frozenset({Role.PERSONNEL_OFFICER, Role.PROVINCIAL_ANALYST, Role.PURSUIT_OFFICER})
# Roles that read people's records at all (the auditor reads the audit log,
# a border post only asks the border check).
PERSON_READING_ROLES = NATIONAL_ROLES | PROVINCIAL_ROLES | {Role.OFFICIAL}


class User(AbstractUser):
    """A member of staff, an official using self-service, or a system client.

    The role and jurisdiction decide every query for people (see
    `longarm.accounts.scoping`); a provincial role without a jurisdiction sees
    nothing rather than everything.
    """

    role = models.CharField(max_length=32, choices=Role.choices, default=Role.OFFICIAL)
    jurisdiction = models.CharField(
        max_length=8, blank=True, validators=[validate_subdivision], help_text="ISO 3166-2 subdivision, e.g. CN-GD"
    )
    organization = models.CharField(
        max_length=200, blank=True, help_text="For a personnel officer: the unit whose officials they keep"
    )
    official = models.OneToOneField(
        "registry.Official",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="user_account",
        help_text="For the official role: the official this login belongs to",
    )

    @property
    def is_national(self) -> bool:
        return self.role in NATIONAL_ROLES

    def __str__(self) -> str:
        return self.username
