"""A case as FollowTheMoney entities, for investigation tools (Aleph, yente, OpenAleph …).

The subject is a `Person`; their declared family (when the subject is a
registered official) are `Person`s linked by `Family`; the money and property
recovered in the case are `Asset`s linked to the subject by `Ownership`; the
amount involved is a `Asset` too, as the proceeds sought. Ids are derived from
longarm's ids with a namespace, so a second export gives the same ids.
"""

import json
from collections.abc import Iterator

import pycountry
from followthemoney import model
from followthemoney.proxy import EntityProxy

from longarm.cases.models import Case, CaseStatus

NAMESPACE = "longarm"
FTM_GENDER = {"M": "male", "F": "female", "X": "other"}


def _alpha2(code: str) -> str | None:
    country = pycountry.countries.get(alpha_3=code) if code else None
    return country.alpha_2.lower() if country else None


def _entity(schema: str, *key: str) -> EntityProxy:
    entity = model.make_entity(schema)
    entity.make_id(NAMESPACE, schema, *key)
    return entity


def _person(*, key: tuple[str, ...], family_name: str, given_name: str, native_name: str = "",
            date_of_birth=None, sex: str = "") -> EntityProxy:
    person = _entity("Person", *key)
    person.add("name", f"{given_name} {family_name}")
    person.add("firstName", given_name)
    person.add("lastName", family_name)
    if native_name:
        person.add("alias", native_name)
    if date_of_birth:
        person.add("birthDate", date_of_birth.isoformat())
    if sex in FTM_GENDER:
        person.add("gender", FTM_GENDER[sex])
    return person


def case_entities(case: Case) -> list[EntityProxy]:
    """The case's subject, family and assets as FtM entity proxies, the subject first."""
    subject = _person(key=("case", case.pk), family_name=case.family_name, given_name=case.given_name,
                      native_name=case.native_name, date_of_birth=case.date_of_birth, sex=case.sex)
    subject.add("notes", f"Fugitive case {case.pk}: {case.offences}")
    subject.add("status", case.get_status_display())
    subject.add("topics", "crime.fin")
    if case.status in (CaseStatus.AT_LARGE, CaseStatus.LOCATED, CaseStatus.DETAINED_ABROAD):
        subject.add("topics", "wanted")
    for code in case.located_in_list:
        subject.add("country", _alpha2(code))
    if case.official_id:
        subject.add("idNumber", case.official_id)
        official = case.official
        subject.add("position", official.position)
    entities = [subject]
    if case.official_id:
        for relative in case.official.relatives.all().order_by("relative_id"):
            person = _person(key=("relative", relative.pk), family_name=relative.family_name,
                             given_name=relative.given_name, native_name=relative.native_name,
                             date_of_birth=relative.date_of_birth)
            person.add("country", _alpha2(relative.residence_country))
            for code in relative.nationality_list:
                person.add("nationality", _alpha2(code))
            family = _entity("Family", case.pk, relative.pk)
            family.add("person", subject.id)
            family.add("relative", person.id)
            family.add("relationship", relative.get_relation_display())
            entities += [person, family]
    if case.amount_involved is not None:
        proceeds = _entity("Asset", case.pk, "amount_involved")
        proceeds.add("name", f"Proceeds sought in case {case.pk}")
        proceeds.add("amount", str(case.amount_involved))
        proceeds.add("currency", case.amount_currency)
        entities.append(proceeds)
    for recovery in case.recoveries.all().order_by("recovered_on", "recovery_id"):
        asset = _entity("Asset", "recovery", recovery.pk)
        asset.add("name", recovery.description or f"Recovery {recovery.pk}")
        asset.add("amount", str(recovery.amount))
        asset.add("currency", recovery.currency)
        asset.add("country", _alpha2(recovery.from_country))
        ownership = _entity("Ownership", case.pk, recovery.pk)
        ownership.add("owner", subject.id)
        ownership.add("asset", asset.id)
        ownership.add("date", recovery.recovered_on.isoformat())
        ownership.add("summary", f"Recovered ({recovery.get_avenue_display()}) on {recovery.recovered_on.isoformat()}")
        entities += [asset, ownership]
    return entities


def case_ftm_lines(case: Case) -> Iterator[str]:
    """The entities as FtM JSON lines (the format `ftm` and Aleph read)."""
    for entity in case_entities(case):
        yield json.dumps(entity.to_dict(), ensure_ascii=False, sort_keys=True)
