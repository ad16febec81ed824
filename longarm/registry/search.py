"""Finding officials by what a user types: a name in either order, a native name, or an id.

One function, used by the web UI and the API alike, so that a search finds
the same people wherever it is made. It narrows a queryset it is given and
never widens it: callers pass `Official.objects.visible_to(user)`.
"""

from django.db.models import Q, QuerySet

from longarm.engine.normalize import name_key


def _name_key_candidates(text: str) -> list[str]:
    """The normalised full name as typed, and with its words rotated.

    "XIAOMING ZHANG" and "ZHANG XIAOMING" both give ZHANGXIAOMING; a
    three-word name is tried at every split, so a two-word family name
    ("OUYANG" or "SIMA QIAN") is found whichever way round it was typed.
    """
    words = text.split()
    keys = [name_key(" ".join(words[split:]), " ".join(words[:split])) for split in range(len(words))]
    return list(dict.fromkeys(key for key in keys if key))


def officials_search(queryset: QuerySet, q: str) -> QuerySet:
    """Officials of `queryset` that match `q`; an empty `q` matches everything.

    Matches: the romanised full name in either order (normalised as the spec
    says, exactly or as a prefix); the family name or given name alone
    (case-insensitive); the native-script name containing `q` (only when `q`
    holds non-Latin characters, so a romanised query never scans native names);
    the official_id or national_id exactly.
    """
    text = (q or "").strip()
    if not text:
        return queryset
    condition = Q(official_id=text) | Q(national_id=text)
    for key in _name_key_candidates(text):
        condition |= Q(name_key__startswith=key)
    if " " not in text:
        condition |= Q(family_name__iexact=text) | Q(given_name__iexact=text)
    if not text.isascii():
        condition |= Q(native_name__contains=text)
    return queryset.filter(condition)
