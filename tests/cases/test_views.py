"""The pursuit pages: the case list, a case's page, its actions and opening a case from an alert."""

import datetime as dt

import pytest
from django.urls import reverse

from longarm.audit.models import AuditEntry
from longarm.cases.models import Case, CaseStatus
from tests.cases.test_services import make_alert  # noqa: F401  (a fixture)

PASSWORD = "correct horse battery staple"


@pytest.fixture
def case(open_case):
    return open_case(located_in=["CAN"])


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.mark.django_db
class TestCaseList:
    def test_anonymous_is_sent_to_login(self, client):
        response = client.get(reverse("cases:list"))
        assert response.status_code == 302 and "/login" in response["Location"]

    def test_role_without_pursuit_gets_403(self, signed_in, make_user):
        assert signed_in(make_user("personnel_officer", "CN-GD")).get(reverse("cases:list")).status_code == 403

    def test_officer_sees_own_jurisdiction_only(self, signed_in, officer, case, open_case, make_user):
        other = open_case(jurisdiction="CN-BJ", family_name="WANG", actor=make_user("central_analyst"))
        response = signed_in(officer).get(reverse("cases:list"))
        assert response.status_code == 200
        assert case.pk in response.text and other.pk not in response.text

    def test_filters_and_search(self, signed_in, officer, case, open_case):
        open_case(family_name="ZHAO")
        response = signed_in(officer).get(reverse("cases:list"), {"q": "zhao", "status": "at_large"})
        assert "ZHAO" in response.text and case.pk not in response.text


@pytest.mark.django_db
class TestCaseDetail:
    def test_anonymous_is_sent_to_login(self, client, case):
        response = client.get(reverse("cases:detail", args=[case.pk]))
        assert response.status_code == 302

    def test_role_without_pursuit_gets_403(self, signed_in, make_user, case):
        response = signed_in(make_user("auditor")).get(reverse("cases:detail", args=[case.pk]))
        assert response.status_code == 403

    def test_own_case_is_shown_and_audited(self, signed_in, officer, case):
        response = signed_in(officer).get(reverse("cases:detail", args=[case.pk]))
        assert response.status_code == 200
        assert "embezzlement of public funds" in response.text
        assert "No agreement with Canada is in force" in response.text
        assert AuditEntry.objects.filter(action="view", actor=officer).exists()

    def test_other_jurisdictions_case_is_404(self, signed_in, make_user, case):
        response = signed_in(make_user("pursuit_officer", "CN-BJ")).get(reverse("cases:detail", args=[case.pk]))
        assert response.status_code == 404


@pytest.mark.django_db
class TestCaseActions:
    def test_record_return(self, signed_in, officer, case):
        response = signed_in(officer).post(reverse("cases:act", args=[case.pk, "return"]), {
            "return-returned_on": "2020-05-01", "return-returned_from": "can",
            "return-return_avenue": "extradition"})
        assert response.status_code == 302
        case.refresh_from_db()
        assert case.status == CaseStatus.RETURNED and case.returned_from == "CAN"

    def test_refusal_is_shown(self, signed_in, officer, case):
        response = signed_in(officer).post(reverse("cases:act", args=[case.pk, "return"]), {
            "return-returned_on": "2010-05-01", "return-returned_from": "CAN",
            "return-return_avenue": "extradition"})
        assert response.status_code == 400 and "before the subject fled" in response.text
        assert Case.objects.get(pk=case.pk).status == CaseStatus.LOCATED

    def test_close_with_reason(self, signed_in, officer, case):
        client = signed_in(officer)
        client.post(reverse("cases:act", args=[case.pk, "close"]), {"close-reason": "tried in absentia"})
        assert Case.objects.get(pk=case.pk).closed_reason == "tried in absentia"

    def test_other_jurisdiction_cannot_act(self, signed_in, make_user, case):
        response = signed_in(make_user("pursuit_officer", "CN-BJ")).post(
            reverse("cases:act", args=[case.pk, "death"]), {"death-died_on": dt.date(2020, 1, 1).isoformat()})
        assert response.status_code == 404

    def test_anonymous_cannot_act(self, client, case):
        assert client.post(reverse("cases:act", args=[case.pk, "close"]), {"close-reason": "x"}).status_code == 302


@pytest.mark.django_db
class TestOpenFromAlert:
    def test_button_on_missing_alert_opens_case(self, signed_in, officer, make_official, make_alert):
        alert = make_alert(make_official(), code="MISSING")
        client = signed_in(officer)
        assert "Open a case" in client.get(reverse("alerts:detail", args=[alert.pk])).text
        response = client.post(reverse("cases:open-from-alert", args=[alert.pk]))
        case = Case.objects.get(source_alert=str(alert.pk))
        assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[case.pk])

    def test_no_button_on_other_alerts(self, signed_in, officer, make_official, make_alert):
        alert = make_alert(make_official(), code="INVALID_MRZ", ref="D1")
        assert "Open a case" not in signed_in(officer).get(reverse("alerts:detail", args=[alert.pk])).text

    def test_anonymous_and_other_jurisdiction(self, client, signed_in, make_user, make_official, make_alert):
        alert = make_alert(make_official(), code="MISSING")
        assert client.post(reverse("cases:open-from-alert", args=[alert.pk])).status_code == 302
        other = signed_in(make_user("pursuit_officer", "CN-BJ"))
        assert other.post(reverse("cases:open-from-alert", args=[alert.pk])).status_code == 404
        assert not Case.objects.exists()

    def test_role_without_pursuit_gets_403(self, signed_in, make_user, make_official, make_alert):
        alert = make_alert(make_official(), code="MISSING")
        response = signed_in(make_user("personnel_officer", "CN-GD")).post(
            reverse("cases:open-from-alert", args=[alert.pk]))
        assert response.status_code == 403
