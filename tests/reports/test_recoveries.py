"""The recoveries report on hand-made cases at the edges of the period."""

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from longarm.cases.models import Case, Operation, Recovery
from longarm.reports.errors import MissingRateError, ReportError
from longarm.reports.models import FxRate
from longarm.reports.recoveries import KEYS, Period, cases_behind, recoveries_report
from longarm.runs.models import Run, RunStatus

D = dt.date
YEAR = Period(D(2018, 1, 1), D(2018, 12, 31))


def case(case_id, *, returned_on=None, returned_from="", category="official", red_notice_on=None,
         priority_list=False, status=None):
    returned = returned_on is not None
    return Case.objects.create(
        case_id=case_id, family_name="F" + case_id, given_name="G", category=category, jurisdiction="CN-GD",
        offences="bribery", status=status or ("returned" if returned else "at_large"), returned_on=returned_on,
        returned_from=returned_from, return_avenue="extradition" if returned else "", red_notice_on=red_notice_on,
        priority_list=priority_list)


def recovery(recovery_id, on, amount, currency, case_=None):
    return Recovery.objects.create(recovery_id=recovery_id, case=case_, recovered_on=on, amount=Decimal(amount),
                                   currency=currency, from_country="USA", avenue="confiscation")


def rate(currency, on, value):
    FxRate.objects.create(currency=currency, on=on, rate=Decimal(value))


@pytest.fixture
def world(db):
    case("DAY-BEFORE-START", returned_on=D(2017, 12, 31), returned_from="CAN", priority_list=True)
    start = case("START", returned_on=D(2018, 1, 1), returned_from="USA", red_notice_on=D(2017, 6, 1),
                 priority_list=True)
    end = case("END", returned_on=D(2018, 12, 31), returned_from="HKG", category="other",
               red_notice_on=D(2018, 12, 31))
    case("DAY-AFTER-END", returned_on=D(2019, 1, 1), returned_from="FRA", red_notice_on=D(2017, 1, 1))
    case("NOTICE-AFTER", returned_on=D(2018, 6, 1), returned_from="USA", red_notice_on=D(2018, 7, 1),
         status="closed")
    case("AT-LARGE", red_notice_on=D(2016, 1, 1), priority_list=True)
    rate("USD", D(2018, 3, 1), "6.30")
    rate("USD", D(2018, 3, 10), "6.35")  # on the recovery's date: this one applies
    rate("EUR", D(2018, 5, 1), "7.55")  # before the recovery's date: applies
    rate("EUR", D(2018, 5, 6), "9.99")  # after it: ignored
    rate("HKD", D(2018, 1, 1), "0.81")
    recovery("USD-ON-RATE-DATE", D(2018, 3, 10), "100.00", "USD", start)
    recovery("EUR-RATE-BEFORE", D(2018, 5, 5), "10.00", "EUR", end)
    recovery("HKD-NO-CASE", D(2018, 12, 31), "0.50", "HKD")
    recovery("CNY-BEFORE-PERIOD", D(2017, 12, 31), "999.00", "CNY", start)
    recovery("CNY-AFTER-PERIOD", D(2019, 1, 1), "999.00", "CNY", start)


def test_report_counts_edges_of_the_period_exactly_as_the_spec(world):
    assert recoveries_report(period=YEAR) == {
        "persons_returned": 3,  # START and END (the edges are inside), NOTICE-AFTER
        "countries": 2,  # USA and HKG: Hong Kong counts as a region of its own
        "officials": 2,  # START, NOTICE-AFTER
        "red_notice": 2,  # START (before), END (same day); not NOTICE-AFTER (published after the return)
        "priority_list": 1,  # START
        # 100 × 6.35 + 10 × 7.55 + 0.50 × 0.81 = 635 + 75.5 + 0.405 = 710.905 → 710.91 (half up)
        "amount_recovered": "710.91",
        "reporting_currency": "CNY",
    }


def test_report_keys_are_the_spec_keys_in_order(world):
    assert tuple(recoveries_report(period=YEAR)) == KEYS


@pytest.mark.parametrize(("figure", "expected"), [
    ("persons_returned", ["END", "NOTICE-AFTER", "START"]),
    ("countries", ["END", "NOTICE-AFTER", "START"]),
    ("officials", ["NOTICE-AFTER", "START"]),
    ("red_notice", ["END", "START"]),
    ("priority_list", ["START"]),
    ("amount_recovered", ["END", "START"]),
])
def test_every_figure_lists_the_cases_behind_it(world, figure, expected):
    assert sorted(cases_behind(figure, period=YEAR).values_list("case_id", flat=True)) == expected


def test_unknown_figure_is_refused(world):
    with pytest.raises(ReportError, match="Unknown figure"):
        cases_behind("nonsense", period=YEAR)


def test_missing_rate_names_currency_and_date_never_zero(world):
    rate("GBP", D(2018, 4, 2), "8.9")  # only after the recovery's date
    recovery("GBP-NO-RATE", D(2018, 4, 1), "5.00", "GBP")
    with pytest.raises(MissingRateError, match="No exchange rate for GBP on or before 2018-04-01") as error:
        recoveries_report(period=YEAR)
    assert (error.value.currency, error.value.on) == ("GBP", D(2018, 4, 1))


def test_report_over_a_given_scope_counts_only_those_cases(world):
    only = Case.objects.filter(case_id="END")
    report = recoveries_report(period=YEAR, cases=only, recoveries=Recovery.objects.filter(case__in=only))
    assert (report["persons_returned"], report["countries"], report["amount_recovered"]) == (1, 1, "75.50")


def test_period_ending_before_it_starts_is_refused():
    with pytest.raises(ReportError, match="ends"):
        Period(D(2018, 2, 1), D(2018, 1, 1))


# the command


def run_report(*args) -> str:
    out = io.StringIO()
    call_command("report", "recoveries", *args, stdout=out)
    return out.getvalue()


def test_command_prints_the_spec_json_and_records_the_run(world):
    printed = json.loads(run_report("--from", "2018-01-01", "--to", "2018-12-31", "--format", "json"))
    assert printed == recoveries_report(period=YEAR)
    run = Run.objects.get(kind="report")
    assert run.status == RunStatus.SUCCEEDED and run.counts["persons_returned"] == 3


def test_command_operation_gives_its_period(world):
    Operation.objects.create(name="Sky Net 2018", starts_on=D(2018, 1, 1), ends_on=D(2018, 6, 30))
    printed = json.loads(run_report("--operation", "Sky Net 2018"))
    assert (printed["persons_returned"], printed["amount_recovered"]) == (2, "710.50")


def test_command_lists_the_cases_behind_a_figure(world):
    assert run_report("--from", "2018-01-01", "--to", "2018-12-31", "--cases", "red_notice").split() == [
        "END", "START"]


def test_command_missing_rate_exits_2_naming_currency_and_date_and_marks_the_run_failed(world, tmp_path):
    recovery("GBP-NO-RATE", D(2018, 4, 1), "5.00", "GBP")
    output = tmp_path / "report.json"
    with pytest.raises(CommandError, match="GBP on or before 2018-04-01") as error:
        run_report("--from", "2018-01-01", "--to", "2018-12-31", "--output", str(output))
    assert error.value.returncode == 2
    assert not output.exists()
    assert Run.objects.get(kind="report").status == RunStatus.FAILED


@pytest.mark.parametrize("args", [
    ("--from", "2018-01-01"),
    ("--from", "2018-13-01", "--to", "2018-12-31"),
    ("--operation", "Nope"),
    ("--format", "pdf", "--from", "2018-01-01", "--to", "2018-12-31"),  # binary needs --output
])
def test_command_bad_arguments_exit_2(world, args):
    with pytest.raises(CommandError) as error:
        run_report(*args)
    assert error.value.returncode == 2


def test_command_csv_has_the_spec_keys_and_the_period(world):
    rows = list(csv.DictReader(io.StringIO(run_report("--from", "2018-01-01", "--to", "2018-12-31",
                                                      "--format", "csv"))))
    assert rows == [{"from": "2018-01-01", "to": "2018-12-31", "persons_returned": "3", "countries": "2",
                     "officials": "2", "red_notice": "2", "priority_list": "1", "amount_recovered": "710.91",
                     "reporting_currency": "CNY"}]


def test_command_xlsx_holds_the_figures(world, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "r.xlsx"
    run_report("--from", "2018-01-01", "--to", "2018-12-31", "--format", "xlsx", "--output", str(path))
    sheet = load_workbook(path)["recoveries"]
    values = {row[0]: row[1] for row in sheet.iter_rows(min_row=5, values_only=True)}
    assert values["persons_returned"] == 3 and Decimal(str(values["amount_recovered"])) == Decimal("710.91")
    assert values["reporting_currency"] == "CNY"


def test_command_pdf_is_a_pdf_with_the_figures(world, tmp_path):
    path = tmp_path / "r.pdf"
    run_report("--from", "2018-01-01", "--to", "2018-12-31", "--format", "pdf", "--output", str(path))
    content = path.read_bytes()
    assert content.startswith(b"%PDF-")
    assert len(content) > 1000
