"""`{% load access %}` then `{% if user|may:"officials" %}`: the nav and pages ask the same table as the views."""

from django import template

from longarm.access import may as user_may
from longarm.access import scope_sentence as user_scope_sentence

register = template.Library()


@register.filter
def may(user, feature: str) -> bool:
    """Whether `user` may use `feature` (see `longarm.access.FEATURE_ROLES`)."""
    return user_may(user, feature)


@register.filter
def scope_sentence(user) -> str:
    """One sentence saying whose records `user` sees."""
    return user_scope_sentence(user)
