"""The border check: is this traveller an official under an exit control in force today?

A border post asks by document (number and issuing state), by machine
readable zone, or by identity (name, date of birth, sex). The traveller is
matched as in the spec's "belongs to": a registered document of an official,
or the same date of birth, sex and normalised full name (family and given
name may be swapped). Any matched official with an entry in force makes a
hit: at a border a second look costs less than a missed exit ban. The answer
says hit or not, the measure, and the entry's reference, nothing about the
person.
"""

import datetime
from dataclasses import dataclass
from enum import StrEnum

from longarm.documents.models import Document
from longarm.documents.mrz import mrz_parse
from longarm.engine.normalize import document_number_key, name_key
from longarm.registry.models import Official
from longarm.watchlist.models import Measure
from longarm.watchlist.selectors import watchlist_effective_on


class QueryKind(StrEnum):
    DOCUMENT = "document"
    MRZ = "mrz"
    IDENTITY = "identity"


class BorderCheckError(ValueError):
    """The question cannot be asked as sent (an unreadable MRZ, say); the message says why."""


@dataclass(frozen=True)
class Traveller:
    """What the border post read: a document, an identity, or both (from an MRZ)."""

    kind: QueryKind
    document_number: str = ""
    issuing_state: str = ""
    family_name: str = ""
    given_name: str = ""
    date_of_birth: datetime.date | None = None
    sex: str = ""
    mrz_problems: int = 0


@dataclass(frozen=True)
class BorderCheckAnswer:
    """Hit or not, the measure (exit ban before alert) and the entry id as the reference to quote."""

    hit: bool
    measure: str | None = None
    reference: str | None = None


# An exit ban outranks an alert when one traveller has both.
_MEASURE_RANK = {Measure.EXIT_BAN: 0, Measure.ALERT_ONLY: 1}


def traveller_from_mrz(mrz: str) -> Traveller:
    """Read the document and identity fields of a zone. A zone whose check digits fail is still
    checked with what it says: a wrong digit must not be a way past an exit ban."""
    zone = mrz_parse(mrz)
    if not zone.format:
        raise BorderCheckError("; ".join(str(problem) for problem in zone.problems))
    return Traveller(kind=QueryKind.MRZ, document_number=zone.document_number,
                     issuing_state=zone.issuing_country or zone.issuing_state,
                     family_name=zone.family_name, given_name=zone.given_name,
                     date_of_birth=zone.birth_date, sex=zone.sex, mrz_problems=len(zone.problems))


def matching_official_ids(traveller: Traveller) -> list[str]:
    """Officials the traveller may be: by registered document, and by identity when one was read.

    One indexed look-up each ((issuing_state, number_norm) on documents, name_key on officials),
    joined by UNION, so that an OR across tables never turns into a scan.
    """
    lookups = []
    if traveller.document_number and traveller.issuing_state:
        lookups.append(Document.objects.filter(issuing_state=traveller.issuing_state,
                                               number_norm=document_number_key(traveller.document_number))
                       .order_by().values_list("official_id"))
    if traveller.family_name and traveller.date_of_birth and traveller.sex:
        keys = sorted({name_key(traveller.family_name, traveller.given_name),
                       name_key(traveller.given_name, traveller.family_name)})
        lookups.append(Official.objects.filter(name_key__in=keys, date_of_birth=traveller.date_of_birth,
                                               sex=traveller.sex).order_by().values_list("official_id"))
    if not lookups:
        return []
    query = lookups[0].union(*lookups[1:]).order_by() if len(lookups) > 1 else lookups[0]
    return [official_id for (official_id,) in query]


def border_check(*, traveller: Traveller, today: datetime.date) -> BorderCheckAnswer:
    """The answer for one traveller on `today` (the local date at the border)."""
    official_ids = matching_official_ids(traveller)
    if not official_ids:
        return BorderCheckAnswer(hit=False)
    entries = watchlist_effective_on(today).filter(official_id__in=official_ids).values_list("entry_id", "measure")
    found = sorted(entries, key=lambda row: (_MEASURE_RANK.get(row[1], 9), row[0]))
    if not found:
        return BorderCheckAnswer(hit=False)
    entry_id, measure = found[0]
    return BorderCheckAnswer(hit=True, measure=measure, reference=entry_id)
