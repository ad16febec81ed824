import pytest

from tests.api import matrix

BASE = "/api/documents/"


def test_documents_refuse_anonymous(world, client_for):
    matrix.assert_anonymous_is_refused(client_for(None), BASE, "D-GD")


@pytest.mark.parametrize("role", ["auditor", "border_post"])
def test_documents_refuse_roles_that_read_no_people(world, make_user, client_for, role):
    matrix.assert_refused_without_permission(client_for(make_user(role, "CN-GD")), BASE, "D-GD")


def test_documents_show_own_jurisdiction_and_audit_list_and_view(world, gd_analyst, client_for):
    matrix.assert_own_record_is_listed_and_its_view_audited(
        client_for(gd_analyst), gd_analyst, BASE, "D-GD", "D-BJ", "documents.document")


def test_documents_of_another_jurisdiction_answer_404_like_missing(world, gd_analyst, client_for):
    matrix.assert_other_jurisdiction_is_404_like_missing(client_for(gd_analyst), BASE, "D-BJ")


def test_document_detail_has_its_custody_ledger_and_current_state(world, gd_analyst, client_for):
    detail = client_for(gd_analyst).get(f"{BASE}D-GD/").json()
    assert [(e["event_id"], e["action"]) for e in detail["custody_events"]] == [
        ("C-GD-1", "deposit"), ("C-GD-2", "release")]
    assert detail["custody_events"][0]["occurred_at"] == "2026-01-01T10:00:00+08:00"  # the offset it came with
    assert detail["custody_state"] == "released"


def test_document_without_custody_events_has_no_custody_state(world, gd_analyst, client_for):
    import datetime

    from longarm.documents.models import Document

    Document.objects.create(document_id="D-GD-NEW", official=world["GD"], doc_type="travel_permit", number="T1",
                            number_norm="T1", issuing_state="CHN", expires_on=datetime.date(2031, 1, 1))
    detail = client_for(gd_analyst).get(f"{BASE}D-GD-NEW/").json()
    assert (detail["custody_events"], detail["custody_state"]) == ([], None)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("number=egd-12345", ["D-GD"]),  # compared upper-cased without spaces and "-"
        ("number=EGD 123 45", ["D-GD"]),
        ("number=EGD", []),
        ("doc_type=passport&issuing_state=CHN", ["D-BJ", "D-GD"]),
        ("doc_type=travel_permit", []),
        ("official=BJ", ["D-BJ"]),
    ],
)
def test_documents_filter_by_normalised_number_type_and_state(world, make_user, client_for, query, expected):
    response = client_for(make_user("central_analyst")).get(f"{BASE}?{query}")
    assert [d["document_id"] for d in response.json()["results"]] == expected
