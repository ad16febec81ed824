import datetime as dt

import pytest

from longarm.audit.models import AuditEntry
from longarm.cases.models import Case
from longarm.treaties.errors import TreatyError
from longarm.treaties.models import Treaty
from longarm.treaties.selectors import avenues_for, avenues_for_case, network_summary
from longarm.treaties.services import treaty_record

D = dt.date


@pytest.fixture
def network(db):
    Treaty.objects.create(country="FRA", kind="extradition", status="in_force", in_force_on=D(2015, 7, 17))
    Treaty.objects.create(country="FRA", kind="mutual_legal_assistance", status="in_force")
    Treaty.objects.create(country="CAN", kind="asset_sharing", status="in_force")
    Treaty.objects.create(country="CAN", kind="financial_intelligence", status="in_force")
    Treaty.objects.create(country="USA", kind="extradition", status="signed", signed_on=D(2001, 1, 1))
    Treaty.objects.create(country="AUS", kind="financial_intelligence", status="signed")


def test_avenues_list_what_agreements_in_force_open(network):
    avenues = avenues_for("FRA")
    assert [a.kind for a in avenues.opened] == ["extradition", "mutual_legal_assistance"]
    assert not avenues.none
    assert avenues.message.startswith("Agreements in force with France open: extradition of the fugitive;")


def test_no_agreement_says_plainly_that_deportation_or_voluntary_return_remain(network):
    avenues = avenues_for("NZL")
    assert avenues.none and avenues.opened == ()
    assert avenues.message == ("No agreement with New Zealand is in force: no treaty avenue is open, so "
                               "deportation or voluntary return are the remaining routes.")


def test_a_signed_treaty_not_in_force_opens_nothing_yet_and_says_so(network):
    avenues = avenues_for("USA")
    assert avenues.none and avenues.signed_only == ("extradition",)
    assert "remaining routes" in avenues.message and "Signed but not yet in force: extradition." in avenues.message


def test_avenues_for_case_covers_each_last_known_country(network):
    case = Case(located_in="FRA;NZL")
    assert [(a.country, a.none) for a in avenues_for_case(case)] == [("FRA", False), ("NZL", True)]


def test_network_summary_counts_agreements_countries_and_financial_intelligence(network):
    summary = network_summary()
    assert summary.text == "6 agreements with 4 countries; financial intelligence agreements with 2"
    assert summary.by_kind["extradition"] == 2 and summary.by_kind["asset_sharing"] == 1


def test_network_summary_of_an_empty_register(db):
    assert network_summary().text == "0 agreements with 0 countries; financial intelligence agreements with 0"


def test_treaty_record_creates_then_brings_into_force_with_audit(make_user):
    actor = make_user("central_analyst")
    treaty_record(country="ITA", kind="extradition", status="signed", signed_on=D(2010, 10, 7), actor=actor)
    treaty = treaty_record(country="ITA", kind="extradition", status="in_force", signed_on=D(2010, 10, 7),
                           in_force_on=D(2015, 12, 13), actor=actor)
    assert Treaty.objects.count() == 1 and treaty.status == "in_force"
    audit = AuditEntry.objects.filter(action="treaty.record").order_by("-seq").first()
    assert audit.detail["before"]["status"] == "signed" and audit.detail["after"]["status"] == "in_force"


@pytest.mark.parametrize(("fields", "message"), [
    ({"country": "XXX"}, "alpha-3"),
    ({"kind": "friendship"}, "kind must be"),
    ({"status": "ratified"}, "status must be"),
    ({"signed_on": D(2015, 1, 1), "in_force_on": D(2014, 1, 1)}, "before it is signed"),
])
def test_treaty_record_refuses_bad_input(make_user, fields, message):
    values = {"country": "ITA", "kind": "extradition", "status": "in_force", **fields}
    with pytest.raises(TreatyError, match=message):
        treaty_record(actor=make_user("administrator"), **values)
    assert not Treaty.objects.exists()


def test_treaty_in_force_cannot_go_back_to_signed(make_user):
    actor = make_user("administrator")
    treaty_record(country="ITA", kind="extradition", status="in_force", actor=actor)
    with pytest.raises(TreatyError, match="already in force"):
        treaty_record(country="ITA", kind="extradition", status="signed", actor=actor)


@pytest.mark.parametrize("role", ["pursuit_officer", "provincial_analyst", "auditor"])
def test_only_central_staff_keep_the_register(make_user, role):
    with pytest.raises(TreatyError, match="Only central analysts"):
        treaty_record(country="ITA", kind="extradition", status="in_force", actor=make_user(role, "CN-GD"))
