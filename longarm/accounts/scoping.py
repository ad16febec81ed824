"""The one place that decides which people a user may see.

Every model that holds data about people declares a `Scope` saying how its
rows reach a jurisdiction, an organization and an official. Views, APIs,
exports and search all start from `Model.objects.visible_to(user)`; a row that
is not visible looks exactly like a row that does not exist (404).
"""

from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.http import Http404

from longarm.accounts.models import NATIONAL_ROLES, PROVINCIAL_ROLES, Role

NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Scope:
    """How a row reaches the things a user's access is defined by.

    `jurisdictions`: lookups to subdivision codes; a row is in a user's
    jurisdiction when any of them equals it (an alert is seen by its home
    province and by the province where the crossing happened).
    `organization`: lookup to the employing unit, for personnel officers.
    `official`: lookup to the official's primary key, for self-service.
    """

    jurisdictions: tuple[str, ...]
    organization: str | None = None
    official: str | None = None


def scope_q(scope: Scope, user) -> Q:
    """The filter that keeps exactly the rows `user` may see."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    role = user.role
    if role in NATIONAL_ROLES or user.is_superuser:
        return Q()
    if role == Role.OFFICIAL:
        if scope.official is None or user.official_id is None:
            return NOTHING
        return Q(**{scope.official: user.official_id})
    if role in PROVINCIAL_ROLES:
        if not user.jurisdiction or not scope.jurisdictions:
            return NOTHING
        q = Q()
        for lookup in scope.jurisdictions:
            q |= Q(**{lookup: user.jurisdiction})
        if role == Role.PERSONNEL_OFFICER and user.organization and scope.organization:
            q &= Q(**{scope.organization: user.organization})
        return q
    return NOTHING


class ScopedQuerySet(models.QuerySet):
    """A queryset whose model declares `scope`; `visible_to` applies it."""

    def visible_to(self, user):
        return self.filter(scope_q(self.model.scope, user))

    def get_visible(self, user, **lookup):
        """Fetch one row the user may see, or raise 404 for 'not yours' and 'not there' alike."""
        try:
            return self.visible_to(user).get(**lookup)
        except (self.model.DoesNotExist, ValueError):
            raise Http404(f"No {self.model._meta.verbose_name} matches the given query.") from None
