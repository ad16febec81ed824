"""Custody state at a moment (the last event at or before it) and local times of ledger entries."""

import datetime

from longarm.documents.models import CustodyEvent, Document
from longarm.documents.selectors import (
    custody_state_at, document_custody_state, documents_with_custody, local_moment,
)


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


def ledger(make_official):
    official = make_official()
    document = Document.objects.create(document_id="D1", official=official, doc_type="passport", number="E1",
                                       number_norm="E1", issuing_state="CHN", expires_on=datetime.date(2030, 1, 1))
    for event_id, action, moment in [("E1", "deposit", "2012-01-01T00:00:00+00:00"),
                                     ("E2", "release", "2012-10-01T00:00:00+00:00"),
                                     ("E3", "lost", "2012-11-01T00:00:00+00:00")]:
        CustodyEvent.objects.create(event_id=event_id, document=document, action=action, occurred_at=at(moment),
                                    utc_offset=480)
    return official, document


def test_custody_state_is_set_by_the_last_event_at_or_before_the_moment(make_official):
    _, document = ledger(make_official)
    events = list(CustodyEvent.objects.filter(document=document).order_by("-event_id"))  # order must not matter
    assert custody_state_at(events, at("2011-12-31T23:59:59+00:00")) is None
    assert custody_state_at(events, at("2012-01-01T00:00:00+00:00")) == "held"
    assert custody_state_at(events, at("2012-10-15T00:00:00+00:00")) == "released"
    assert custody_state_at(events, at("2013-01-01T00:00:00+00:00")) == "lost"
    assert document_custody_state(document=document, at=at("2012-10-01T00:00:00+00:00")) == "released"
    assert document_custody_state(document=document, at=at("2011-01-01T00:00:00+00:00")) is None


def test_local_moment_reads_the_time_in_the_records_own_offset():
    moment = local_moment(at("2012-09-30T23:30:00+00:00"), 480)
    assert (moment.date(), moment.hour, moment.utcoffset()) == (datetime.date(2012, 10, 1), 7,
                                                                 datetime.timedelta(hours=8))


def test_documents_with_custody_are_scoped_and_carry_their_ledger(make_official, make_user):
    official, _ = ledger(make_official)
    [item] = documents_with_custody(user=make_user("provincial_analyst", "CN-GD"), official=official,
                                    at=at("2012-10-15T00:00:00+00:00"))
    assert item.state == "released" and [e.event_id for e in item.events] == ["E1", "E2", "E3"]
    assert item.events[0].local_at.hour == 8
    assert documents_with_custody(user=make_user("provincial_analyst", "CN-BJ"), official=official) == []
