"""The reconciliation as a whole: as-of cut, routing between jurisdictions, severity."""

import datetime

from longarm.engine.reconcile import SEVERITY, reconcile
from tests.engine.world import D, at, crossings, custody, documents, officials, params, relatives, trips, watchlist


def _run(as_of, cross=None, **frames):
    return reconcile(
        crossings=cross if cross is not None else crossings({}), documents=frames.get("documents", documents({})),
        officials=frames.get("officials", officials({})), custody=frames.get("custody", custody()),
        trips=frames.get("trips", trips()), watchlist=frames.get("watchlist", watchlist()),
        relatives=frames.get("relatives", relatives()), params=params(as_of=as_of), check_mrz=False,
    )


def test_crossings_after_as_of_by_local_date_are_not_known_yet():
    late_evening = crossings({"when": at(D(2024, 5, 1), 23, 30)})  # 15:30 UTC, local date 1 May
    assert _run(D(2024, 4, 30), late_evening).alerts.is_empty()
    assert _run(D(2024, 5, 1), late_evening).alerts["code"].to_list() == ["UNAUTHORIZED_EXIT"]


def test_alert_at_a_port_of_another_province_is_reported_there():
    result = _run(D(2024, 5, 1), crossings({"port": "PEK", "port_jurisdiction": "CN-BJ"}))
    row = result.alerts.row(0, named=True)
    assert (row["jurisdiction"], row["reported_to"], row["severity"]) == ("CN-GD", "CN-BJ", "high")


def test_alert_at_a_home_port_is_reported_nowhere_else():
    result = _run(D(2024, 5, 1))
    assert result.alerts["reported_to"].to_list() == [""]


def test_shared_document_alert_is_reported_to_the_other_holders_province():
    docs = documents({"official_id": "O1"}, {"official_id": "O2", "number": "E00000001"})
    people = officials({}, {"given_name": "NA", "jurisdiction": "CN-SH"})
    result = _run(D(2024, 1, 1), crossings({"when": at(D(2025, 1, 1))}), documents=docs, officials=people)
    row = result.alerts.filter(code="DUPLICATE_DOCUMENT").row(0, named=True)
    assert (row["official_id"], row["jurisdiction"], row["reported_to"]) == ("O1", "CN-GD", "CN-SH")


def test_owners_are_returned_for_the_crossing_register():
    result = _run(D(2024, 5, 1))
    assert result.owners.select("event_id", "official_id").rows() == [("X1", "O1")]


def test_every_alert_has_a_severity_and_a_sentence():
    family = relatives({"residence_country": "CAN", "residence_status": "citizen"})
    cross = crossings({"when": at(D(2024, 5, 1))}, {"when": at(D(2024, 6, 1)), "counterpart_country": "CAN"})
    result = _run(D(2024, 12, 31), cross, trips=trips({"return_on": D(2024, 6, 5)}),
                  watchlist=watchlist({}), relatives=family)
    codes = set(result.alerts["code"])
    assert {"WATCHLIST_EXIT", "DESTINATION_MISMATCH", "OVERDUE_RETURN", "MISSING", "NAKED_OFFICIAL"} <= codes
    assert result.alerts["severity"].is_in(list(SEVERITY.values())).all()
    assert result.alerts["detail"].str.ends_with(".").all()


def test_daily_runs_find_what_one_run_finds_each_first_on_its_raised_on():
    cross = crossings({"when": at(D(2024, 5, 1))}, {"direction": "entry", "when": at(D(2024, 5, 14))},
                      {"when": at(D(2024, 5, 20)), "doc_number": "G1"})
    ledger = custody({"action": "release", "when": at(D(2024, 4, 28))}, {"action": "deposit", "when": at(D(2024, 6, 1))})
    frames = {"trips": trips({}), "custody": ledger, "watchlist": watchlist({"starts_on": D(2024, 5, 19)})}
    once = _run(D(2024, 6, 3), cross, **frames).alerts
    daily = {}
    day = D(2024, 4, 28)
    while day <= D(2024, 6, 3):
        for row in _run(day, cross, **frames).alerts.iter_rows(named=True):
            daily.setdefault((row["code"], row["official_id"], row["ref"]), day)
        day += datetime.timedelta(days=1)
    assert daily == {(r["code"], r["official_id"], r["ref"]): r["raised_on"] for r in once.iter_rows(named=True)}
    assert len(daily) >= 4
