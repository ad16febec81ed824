import datetime

import pytest
from django.utils import timezone


@pytest.fixture
def make_document(db):
    """A passport of an official; override any field by keyword."""
    from longarm.documents.models import Document
    from longarm.engine.normalize import document_number_key

    counter = {"n": 0}

    def make(official, **fields):
        counter["n"] += 1
        values = {"document_id": f"D{counter['n']:05d}", "official": official, "doc_type": "passport",
                  "number": f"E{counter['n']:08d}", "issuing_state": "CHN",
                  "issued_on": datetime.date(2020, 1, 1), "expires_on": datetime.date(2030, 1, 1)}
        values.update(fields)
        values.setdefault("number_norm", document_number_key(values["number"]))
        return Document.objects.create(**values)

    return make


@pytest.fixture
def make_trip(db):
    """An approved trip of an official, upcoming by default."""
    from longarm.travel.models import Trip

    counter = {"n": 0}

    def make(official, **fields):
        counter["n"] += 1
        today = timezone.localdate()
        values = {"trip_id": f"T{counter['n']:05d}", "official": official, "purpose": "private",
                  "destinations": "THA", "depart_on": today + datetime.timedelta(days=3),
                  "return_on": today + datetime.timedelta(days=10), "status": "approved"}
        values.update(fields)
        return Trip.objects.create(**values)

    return make


@pytest.fixture
def ledger(db):
    """Append an imported custody event directly, as the importer would."""
    from longarm.documents.models import CustodyEvent

    counter = {"n": 0}

    def add(document, action, occurred_at):
        counter["n"] += 1
        return CustodyEvent.objects.create(event_id=f"E{counter['n']:05d}", document=document, action=action,
                                           occurred_at=occurred_at)

    return add
