"""The small CSV world (tests/fixtures/world) in the database, for the alert tests.

Rows go in through the ORM with the same derived columns the importer writes
(name_key, number_norm, UTC instant + offset + local date), so these tests do
not depend on the importer.
"""

import csv
import datetime
from pathlib import Path

import pytest

from longarm.engine.normalize import document_number_key, name_key

WORLD = Path(__file__).resolve().parents[1] / "fixtures" / "world"
AS_OF = datetime.date(2024, 12, 31)


def _rows(name: str):
    with open(WORLD / f"{name}.csv", newline="", encoding="utf-8-sig") as handle:
        yield from csv.DictReader(handle)


def _date(text: str):
    return datetime.date.fromisoformat(text) if text else None


def _moment(text: str):
    moment = datetime.datetime.fromisoformat(text)
    offset = int(moment.utcoffset().total_seconds() // 60)
    return moment.astimezone(datetime.UTC), offset, moment.date()


def load_world(rows=_rows, skip: set[str] = frozenset()) -> None:
    from longarm.border.models import Crossing
    from longarm.documents.models import CustodyEvent, Document
    from longarm.registry.models import Official, Relative
    from longarm.travel.models import Trip
    from longarm.watchlist.models import WatchlistEntry

    Official.objects.bulk_create(Official(
        official_id=r["official_id"], family_name=r["family_name"], given_name=r["given_name"],
        native_name=r["native_name"], sex=r["sex"], date_of_birth=_date(r["date_of_birth"]),
        national_id=r["national_id"], organization=r["organization"], position=r["position"], rank=r["rank"],
        jurisdiction=r["jurisdiction"], status=r["status"], sensitive_post=r["sensitive_post"] == "true",
        name_key=name_key(r["family_name"], r["given_name"])) for r in rows("officials"))
    Relative.objects.bulk_create(Relative(
        relative_id=r["relative_id"], official_id=r["official_id"], relation=r["relation"],
        family_name=r["family_name"], given_name=r["given_name"], date_of_birth=_date(r["date_of_birth"]),
        residence_country=r["residence_country"], residence_status=r["residence_status"],
        nationalities=r["nationalities"]) for r in rows("relatives"))
    Document.objects.bulk_create(Document(
        document_id=r["document_id"], official_id=r["official_id"], doc_type=r["doc_type"], number=r["number"],
        number_norm=document_number_key(r["number"]), issuing_state=r["issuing_state"],
        issued_on=_date(r["issued_on"]), expires_on=_date(r["expires_on"]), mrz=r["mrz"]) for r in rows("documents"))
    events = []
    for r in rows("custody"):
        at, offset, _ = _moment(r["occurred_at"])
        events.append(CustodyEvent(event_id=r["event_id"], document_id=r["document_id"], action=r["action"],
                                   occurred_at=at, utc_offset=offset))
    CustodyEvent.objects.bulk_create(events)
    Trip.objects.bulk_create(Trip(
        trip_id=r["trip_id"], official_id=r["official_id"], document_id=r["document_id"] or None,
        purpose=r["purpose"], destinations=r["destinations"], depart_on=_date(r["depart_on"]),
        return_on=_date(r["return_on"]), status=r["status"], decided_on=_date(r["decided_on"]))
        for r in rows("trips"))
    WatchlistEntry.objects.bulk_create(WatchlistEntry(
        entry_id=r["entry_id"], official_id=r["official_id"], measure=r["measure"], legal_basis=r["legal_basis"],
        authority=r["authority"], case_ref=r["case_ref"], starts_on=_date(r["starts_on"]),
        expires_on=_date(r["expires_on"])) for r in rows("watchlist"))
    crossings = []
    for r in rows("crossings"):
        if r["event_id"] in skip:
            continue
        at, offset, local = _moment(r["occurred_at"])
        crossings.append(Crossing(
            event_id=r["event_id"], direction=r["direction"], occurred_at=at, utc_offset=offset, local_date=local,
            port=r["port"], port_jurisdiction=r["port_jurisdiction"], doc_type=r["doc_type"],
            doc_number=r["doc_number"], doc_number_norm=document_number_key(r["doc_number"]),
            issuing_state=r["issuing_state"], family_name=r["family_name"], given_name=r["given_name"],
            date_of_birth=_date(r["date_of_birth"]), sex=r["sex"], nationality=r["nationality"],
            counterpart_country=r["counterpart_country"]))
    Crossing.objects.bulk_create(crossings)


@pytest.fixture
def world(db):
    load_world()


@pytest.fixture
def system(db):
    from longarm.runs.services import system_user

    return system_user()
