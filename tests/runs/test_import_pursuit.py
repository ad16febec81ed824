"""`longarm import` of the pursuit kinds: cases, recoveries, fx_rates, treaties, with the same guarantees."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from longarm.cases.models import Case, CaseStatus, Recovery
from longarm.reports.models import FxRate
from longarm.runs.imports import import_files, plan_files
from longarm.runs.services import system_user
from longarm.treaties.models import Treaty

CASES = (
    "case_id,official_id,family_name,given_name,category,jurisdiction,offences,amount_involved,amount_currency,"
    "fled_on,located_in,red_notice_on,priority_list,status,returned_on,returned_from,return_avenue\n"
    "K1,O00001,ZHANG,XIAOMING,official,CN-GD,bribery,1500000.50,CNY,2014-03-01,USA;CAN,2015-04-22,true,"
    "returned,2017-11-16,USA,extradition\n"
    "K2,,LI,HUA,other,CN-BJ,embezzlement,,,2016-01-01,HKG,,,located,,,\n"
)
RECOVERIES = (
    "recovery_id,case_id,recovered_on,amount,currency,from_country,avenue\n"
    "R1,K1,2018-01-10,250000.00,USD,USA,returned_by_foreign_state\n"
    "R2,,2018-02-01,1000,EUR,FRA,confiscation\n"
)
FX = "currency,on,rate\nUSD,2018-01-01,6.5123\nEUR,2018-01-01,7.8\n"
TREATIES = ("country,kind,status,signed_on,in_force_on\n"
            "FRA,extradition,in_force,2007-03-20,2015-07-17\n"
            "USA,mutual_legal_assistance,in_force,2000-06-19,2001-03-08\n")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def actor(db):
    return system_user()


@pytest.fixture
def official(make_official):
    return make_official()


def test_pursuit_kinds_come_after_officials_and_cases_before_recoveries(tmp_path):
    paths = [write(tmp_path, name, "x\n") for name in ("treaties.csv", "recoveries.csv", "fx_rates.csv", "cases.csv",
                                                        "officials.csv")]
    kinds = [kind for _, kind in plan_files(paths)]
    assert kinds.index("officials") < kinds.index("cases") < kinds.index("recoveries")
    assert set(kinds) == {"officials", "cases", "recoveries", "fx_rates", "treaties"}


def test_good_pursuit_files_are_imported_and_a_second_import_changes_nothing(actor, official, tmp_path):
    paths = [write(tmp_path, "cases.csv", CASES), write(tmp_path, "recoveries.csv", RECOVERIES),
             write(tmp_path, "fx_rates.csv", FX), write(tmp_path, "treaties.csv", TREATIES)]
    result = import_files(paths=paths, actor=actor)
    assert result.ok, [str(e) for f in result.files for e in f.errors]
    returned = Case.objects.get(pk="K1")
    assert returned.status == CaseStatus.RETURNED and returned.returned_from == "USA"
    assert returned.amount_involved == Decimal("1500000.50") and returned.located_in_list == ["USA", "CAN"]
    assert returned.priority_list is True and returned.official_id == official.pk
    assert returned.created_at is not None and returned.source == "import"
    assert Case.objects.get(pk="K2").priority_list is False
    assert Recovery.objects.get(pk="R1").amount == Decimal("250000.00")
    assert Recovery.objects.get(pk="R2").case is None
    assert FxRate.objects.get(currency="USD", on=dt.date(2018, 1, 1)).rate == Decimal("6.5123")
    assert Treaty.objects.count() == 2
    again = import_files(paths=paths, actor=actor)
    assert again.ok and all(f.inserted == 0 and f.updated == 0 for f in again.files)


def test_fx_rates_and_treaties_are_updated_by_their_natural_key(actor, tmp_path):
    import_files(paths=[write(tmp_path, "fx_rates.csv", FX), write(tmp_path, "treaties.csv", TREATIES)], actor=actor)
    changed = import_files(paths=[
        write(tmp_path, "fx_rates.csv", "currency,on,rate\nUSD,2018-01-01,6.6\n"),
        write(tmp_path, "treaties.csv", "country,kind,status\nFRA,extradition,signed\n")], actor=actor)
    assert changed.ok and [f.updated for f in changed.files] == [1, 1]
    assert FxRate.objects.get(currency="USD").rate == Decimal("6.6")
    assert FxRate.objects.count() == 2 and Treaty.objects.get(country="FRA").status == "signed"


def test_a_returned_case_without_date_country_or_avenue_is_refused_with_every_reason(actor, official, tmp_path):
    bad = CASES.replace("returned,2017-11-16,USA,extradition", "returned,,,")
    result = import_files(paths=[write(tmp_path, "cases.csv", bad)], actor=actor)
    reasons = {(e.line, e.column, e.reason) for e in result.files[0].errors}
    assert reasons == {(2, "returned_on", "required when status is returned"),
                       (2, "returned_from", "required when status is returned"),
                       (2, "return_avenue", "required when status is returned")}
    assert not Case.objects.exists()


def test_case_amount_without_currency_and_unknown_official_are_invalid(actor, official, tmp_path):
    bad = CASES.replace("1500000.50,CNY", "1500000.50,").replace("K2,,LI", "K2,O99999,LI")
    result = import_files(paths=[write(tmp_path, "cases.csv", bad)], actor=actor)
    assert [(e.line, e.column) for e in result.files[0].errors] == [(2, "amount_currency"), (3, "official_id")]
    assert not Case.objects.exists()


def test_recovery_with_unknown_case_non_positive_amount_or_bad_currency_is_invalid(actor, tmp_path):
    bad = ("recovery_id,case_id,recovered_on,amount,currency,from_country,avenue\n"
           "R1,NOPE,2018-01-10,10,USD,USA,confiscation\n"
           "R2,,2018-01-10,0.00,USD,USA,confiscation\n"
           "R3,,2018-01-10,-5,USD,USA,confiscation\n"
           "R4,,2018-01-10,5,XXY,USA,confiscation\n"
           "R5,,2018-01-10,5,USD,USA,gift\n")
    result = import_files(paths=[write(tmp_path, "recoveries.csv", bad)], actor=actor)
    errors = {(e.line, e.column): e.reason for e in result.files[0].errors}
    assert set(errors) == {(2, "case_id"), (3, "amount"), (4, "amount"), (5, "currency"), (6, "avenue")}
    assert errors[(3, "amount")] == "must be more than zero"
    assert not Recovery.objects.exists()


def test_fx_rate_given_twice_for_one_date_or_not_positive_is_invalid(actor, tmp_path):
    bad = "currency,on,rate\nUSD,2018-01-01,6.5\nUSD,2018-01-01,6.6\nEUR,2018-01-01,0\nGBP,2018-13-01,9\n"
    result = import_files(paths=[write(tmp_path, "fx_rates.csv", bad)], actor=actor)
    errors = {(e.line, e.column): e.reason for e in result.files[0].errors}
    assert set(errors) == {(3, "on"), (4, "rate"), (5, "on")}
    assert "duplicate currency+on USD;2018-01-01" in errors[(3, "on")]
    assert not FxRate.objects.exists()


def test_treaty_in_force_before_signature_or_unknown_kind_is_invalid(actor, tmp_path):
    bad = ("country,kind,status,signed_on,in_force_on\n"
           "FRA,extradition,in_force,2015-07-17,2007-03-20\n"
           "USA,friendship,in_force,,\n"
           "ZZZ,extradition,signed,,\n")
    result = import_files(paths=[write(tmp_path, "treaties.csv", bad)], actor=actor)
    assert [(e.line, e.column) for e in result.files[0].errors] == [(2, "in_force_on"), (3, "kind"), (4, "country")]
    assert not Treaty.objects.exists()


def test_partial_import_of_recoveries_writes_the_good_rows_and_rejects_the_bad(actor, tmp_path):
    text = RECOVERIES.replace("R1,K1", "R1,NOPE")
    result = import_files(paths=[write(tmp_path, "recoveries.csv", text)], actor=actor, partial=True)
    assert result.ok and result.files[0].rejected == 1
    assert list(Recovery.objects.values_list("pk", flat=True)) == ["R2"]
    assert "unknown case_id NOPE" in result.files[0].rejects_path.read_text()
