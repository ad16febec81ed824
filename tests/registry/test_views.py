"""Web pages of the registry: scoping matrix, search, filters, sorting, pages, export, the official's file, audit."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse

from longarm.audit.models import AuditEntry
from longarm.border.models import Crossing
from longarm.documents.models import CustodyEvent, Document
from longarm.registry import selectors, views
from longarm.registry.models import Relative
from longarm.travel.models import Trip

LIST = reverse("registry:official-list")
EXPORT = reverse("registry:official-export")
PASSWORD = "correct horse battery staple"


def detail(official) -> str:
    return reverse("registry:official-detail", args=[official.pk])


def aware(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


@pytest.fixture
def world(make_official):
    """Two officials in Guangdong, one in Beijing; the first with a full file."""
    gd = make_official(official_id="GD-1", family_name="ZHANG", given_name="XIAOMING", native_name="张晓明",
                       national_id="440101197005170011", rank="prefectural", sensitive_post=True)
    gd2 = make_official(official_id="GD-2", family_name="LI", given_name="WEI", native_name="李伟", rank="county",
                        status="retired", date_of_birth=datetime.date(1960, 1, 2))
    bj = make_official(official_id="BJ-1", family_name="ZHANG", given_name="XIAOMING", native_name="张晓明",
                       jurisdiction="CN-BJ", organization="Beijing Bureau", rank="provincial")
    Relative.objects.create(relative_id="R1", official=gd, relation="spouse", family_name="WANG", given_name="FANG",
                            residence_country="CAN", residence_status="citizen")
    Relative.objects.create(relative_id="R2", official=gd, relation="child", family_name="ZHANG", given_name="LEI",
                            residence_country="CHN", residence_status="citizen")
    passport = Document.objects.create(document_id="D1", official=gd, doc_type="passport", number="E12345678",
                                       number_norm="E12345678", issuing_state="CHN",
                                       expires_on=datetime.date(2030, 1, 1))
    CustodyEvent.objects.create(event_id="C1", document=passport, action="deposit",
                                occurred_at=aware("2012-01-10T01:00:00+00:00"), utc_offset=480)
    CustodyEvent.objects.create(event_id="C2", document=passport, action="release",
                                occurred_at=aware("2012-09-28T23:30:00+00:00"), utc_offset=480)
    Trip.objects.create(trip_id="T1", official=gd, document=passport, purpose="private", destinations="USA;CAN",
                        depart_on=datetime.date(2012, 10, 1), return_on=datetime.date(2012, 10, 10),
                        status="approved", decided_on=datetime.date(2012, 9, 20))
    Crossing.objects.create(event_id="X1", direction="exit", occurred_at=aware("2012-10-01T00:15:00+00:00"),
                            utc_offset=480, local_date=datetime.date(2012, 10, 1), port="CAN01",
                            port_jurisdiction="CN-GD", doc_type="passport", doc_number="E12345678",
                            doc_number_norm="E12345678", issuing_state="CHN", family_name="ZHANG",
                            given_name="XIAOMING", date_of_birth=gd.date_of_birth, sex="M", nationality="CHN",
                            counterpart_country="USA", official=gd)
    return {"gd": gd, "gd2": gd2, "bj": bj}


def shown(response) -> set[str]:
    return {official.pk for official in response.context["page"].rows}


def without_csrf_token(response) -> str:
    return re.sub(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]*"', "", response.content.decode())


def signed_in(client, user):
    client.force_login(user)
    return client


# The scoping matrix of every page ---------------------------------------------------------------


@pytest.mark.parametrize("url", [LIST, EXPORT, "/officials/GD-1/"])
def test_anonymous_is_sent_to_login(client, world, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_htmx_request_is_redirected_as_a_whole_page(client, world):
    response = client.get(LIST, headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["auditor", "border_post"])
@pytest.mark.parametrize("url", [LIST, EXPORT, "/officials/GD-1/"])
def test_roles_that_read_no_people_get_403(client, world, make_user, role, url):
    response = signed_in(client, make_user(role, "CN-GD")).get(url)
    assert response.status_code == 403
    assert "ZHANG" not in response.content.decode()


def test_an_official_may_not_search_the_registry(client, world, make_user):
    user = make_user("official", "CN-GD", official=world["gd"])
    assert signed_in(client, user).get(LIST).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_list_shows_own_jurisdiction_only(client, world, make_user):
    response = signed_in(client, make_user("provincial_analyst", "CN-GD")).get(LIST)
    assert shown(response) == {"GD-1", "GD-2"}
    assert "BJ-1" not in response.content.decode()


def test_list_of_a_central_analyst_covers_every_jurisdiction(client, world, make_user):
    response = signed_in(client, make_user("central_analyst")).get(LIST)
    assert shown(response) == {"GD-1", "GD-2", "BJ-1"}


def test_jurisdiction_filter_offers_only_own_and_refuses_another(client, world, make_user):
    client = signed_in(client, make_user("provincial_analyst", "CN-GD"))
    response = client.get(LIST)
    choices = [value for value, _ in response.context["form"].fields["jurisdiction"].choices]
    assert choices == ["", "CN-GD"]
    response = client.get(LIST, {"jurisdiction": "CN-BJ"})
    page = response.content.decode()
    assert response.status_code == 200 and "The search was not run" in page
    assert "BJ-1" not in page


def test_search_for_another_provinces_official_finds_nothing(client, world, make_user):
    client = signed_in(client, make_user("provincial_analyst", "CN-BJ"))
    response = client.get(LIST, {"q": "李伟"})
    assert shown(response) == set() and "No official matches" in response.content.decode()


def test_official_page_of_own_jurisdiction_shows_the_file(client, world, make_user):
    page = signed_in(client, make_user("provincial_analyst", "CN-GD")).get(detail(world["gd"])).content.decode()
    assert "张晓明" in page and "440101197005170011" in page
    assert "WANG FANG" in page and "emigrated" in page
    assert "E12345678" in page and "now released" in page
    assert "2012-01-10 09:00" in page and "UTC+08:00" in page  # custody event at its local time
    assert "T1" in page and "USA, CAN" in page
    assert "CAN01" in page and "2012-10-01 08:15" in page
    assert "<svg" in page and "Trip T1 to USA, CAN" in page


def test_official_page_of_another_jurisdiction_is_the_same_404_as_a_missing_one(client, world, make_user):
    client = signed_in(client, make_user("provincial_analyst", "CN-BJ"))
    other = client.get(detail(world["gd"]))
    missing = client.get("/officials/NO-SUCH-ID/")
    assert other.status_code == missing.status_code == 404
    assert without_csrf_token(other) == without_csrf_token(missing)
    assert not AuditEntry.objects.filter(action="view").exists()


def test_official_sees_own_record_and_404_for_anyone_else(client, world, make_user):
    client = signed_in(client, make_user("official", "CN-GD", official=world["gd"]))
    assert client.get(detail(world["gd"])).status_code == 200
    assert client.get(detail(world["gd2"])).status_code == 404


def test_personnel_officer_sees_only_their_unit(client, world, make_user, make_official):
    other_unit = make_official(official_id="GD-9", organization="Shenzhen Customs")
    client = signed_in(client, make_user("personnel_officer", "CN-GD", organization="Shenzhen Customs"))
    assert shown(client.get(LIST)) == {"GD-9"}
    assert client.get(detail(other_unit)).status_code == 200
    assert client.get(detail(world["gd"])).status_code == 404


# The audit trail ---------------------------------------------------------------------------------


def test_viewing_an_official_writes_one_audit_row(client, world, make_user):
    analyst = make_user("provincial_analyst", "CN-GD")
    signed_in(client, analyst).get(detail(world["gd"]))
    entry = AuditEntry.objects.get(action="view")
    assert (entry.actor, entry.target_type, entry.target_id) == (analyst, "registry.official", "GD-1")


def test_each_search_writes_one_audit_row_with_query_filters_and_count(client, world, make_user):
    analyst = make_user("provincial_analyst", "CN-GD")
    signed_in(client, analyst).get(LIST, {"q": "zhang", "rank": "prefectural", "sensitive_post": "yes"})
    entry = AuditEntry.objects.get(action="search")
    assert entry.actor == analyst
    assert entry.detail["q"] == "zhang" and entry.detail["rank"] == "prefectural"
    assert entry.detail["sensitive_post"] is True and entry.detail["shown"] == 1


# Search, filters, sorting, pages -----------------------------------------------------------------


@pytest.mark.parametrize(("q", "expected"), [
    ("张晓明", {"GD-1"}), ("晓明", {"GD-1"}), ("xiaoming zhang", {"GD-1"}), ("ZHANG XIAOMING", {"GD-1"}),
    ("li", {"GD-2"}), ("440101197005170011", {"GD-1"}), ("GD-2", {"GD-2"}), ("nobody", set()),
])
def test_search_by_romanised_name_native_name_and_ids(client, world, make_user, q, expected):
    response = signed_in(client, make_user("provincial_analyst", "CN-GD")).get(LIST, {"q": q})
    assert {official.pk for official in response.context["page"].rows} == expected


@pytest.mark.parametrize(("params", "expected"), [
    ({"rank": "county"}, ["GD-2"]), ({"status": "retired"}, ["GD-2"]), ({"sensitive_post": "yes"}, ["GD-1"]),
    ({"sensitive_post": "no"}, ["GD-2", "BJ-1"]), ({"jurisdiction": "CN-BJ"}, ["BJ-1"]),
])
def test_filters_narrow_the_list(client, world, make_user, params, expected):
    response = signed_in(client, make_user("central_analyst")).get(LIST, {**params, "sort": "-official_id"})
    assert [official.pk for official in response.context["page"].rows] == expected


@pytest.mark.parametrize(("sort", "expected"), [
    ("official_id", ["BJ-1", "GD-1", "GD-2"]), ("-official_id", ["GD-2", "GD-1", "BJ-1"]),
    ("date_of_birth", ["GD-2", "BJ-1", "GD-1"]), ("rank", ["BJ-1", "GD-1", "GD-2"]),
    ("-rank", ["GD-2", "GD-1", "BJ-1"]),
    ("name", ["GD-2", "BJ-1", "GD-1"]),
])
def test_sorting(client, world, make_user, sort, expected):
    response = signed_in(client, make_user("central_analyst")).get(LIST, {"sort": sort})
    assert [official.pk for official in response.context["page"].rows] == expected


def test_pages_follow_with_next_links_and_do_not_overlap(client, world, make_user, settings):
    settings.LONGARM_UI_PAGE_SIZE = 2
    client = signed_in(client, make_user("central_analyst"))
    first = client.get(LIST, {"sort": "official_id"})
    assert [o.pk for o in first.context["page"].rows] == ["BJ-1", "GD-1"]
    assert first.context["page"].has_next and 'rel="next"' in first.content.decode()
    second = client.get(LIST, {"sort": "official_id", "page": 2})
    assert [o.pk for o in second.context["page"].rows] == ["GD-2"]
    assert not second.context["page"].has_next and "Showing 3–3 of 3" in second.content.decode()


def test_count_stops_at_its_cap(world):
    from longarm.registry.models import Official

    page = selectors.page_of(Official.objects.order_by("pk"), number=1, size=1, cap=2)
    assert (page.total, page.total_capped, page.has_next) == (2, True, True)
    assert selectors.capped_count(Official.objects.all(), cap=3) == (3, False)


def test_htmx_request_gets_the_results_table_only(client, world, make_user):
    response = signed_in(client, make_user("provincial_analyst", "CN-GD")).get(
        LIST, {"q": "李"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="results"')
    assert "<html" not in page and "GD-2" in page and "GD-1" not in page
    assert "HX-Request" in response["Vary"]


def test_invalid_page_number_is_a_form_error_not_a_crash(client, world, make_user):
    response = signed_in(client, make_user("central_analyst")).get(LIST, {"page": "0"})
    assert response.status_code == 200 and "The search was not run" in response.content.decode()


# Export ------------------------------------------------------------------------------------------


def read_csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_export_is_the_filtered_list_in_the_exchange_format_scoped_and_audited(client, world, make_user):
    analyst = make_user("provincial_analyst", "CN-GD")
    response = signed_in(client, analyst).get(EXPORT, {"q": "zhang"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    assert [row["official_id"] for row in rows] == ["GD-1"]
    assert list(rows[0]) == list(selectors.EXPORT_COLUMNS)
    assert rows[0]["sensitive_post"] == "true" and rows[0]["date_of_birth"] == "1970-05-17"
    entry = AuditEntry.objects.get(action="export")
    assert entry.actor == analyst and entry.detail["rows"] == 1 and entry.detail["q"] == "zhang"


def test_export_larger_than_the_limit_is_refused_with_a_message(client, world, make_user, monkeypatch):
    monkeypatch.setattr(views, "EXPORT_MAX_ROWS", 1)
    client = signed_in(client, make_user("central_analyst"))
    response = client.get(EXPORT, follow=True)
    assert "The export was not made" in response.content.decode()
    assert not AuditEntry.objects.filter(action="export").exists()


# Selectors of the official's file ----------------------------------------------------------------


def test_official_file_reads_related_rows_through_their_scope(world, make_user):
    analyst = make_user("provincial_analyst", "CN-GD")
    file = selectors.official_file(user=analyst, official=world["gd"])
    assert [r.relative_id for r in file.relatives] == ["R2", "R1"] or {r.relative_id for r in file.relatives} == {"R1", "R2"}
    assert file.emigrated_relatives == 1
    assert [d.state for d in file.documents] == ["released"]
    assert [m.lane for m in file.timeline.marks] == ["trips", "crossings", "custody", "custody"]
    outsider = make_user("provincial_analyst", "CN-BJ")
    empty = selectors.official_file(user=outsider, official=world["gd"])
    assert (empty.relatives, empty.documents, empty.trips, empty.crossings) == ([], [], [], [])


def test_timeline_places_marks_in_order_within_the_axis(world, make_user):
    file = selectors.official_file(user=make_user("central_analyst"), official=world["gd"])
    timeline = file.timeline
    lefts = {m.kind: m.left for m in timeline.marks}
    assert 0 < lefts["custody-deposit"] < lefts["custody-release"] < lefts["trip-approved"] <= lefts["crossing-exit"] < 100
    assert timeline.ticks and all(0 <= left <= 100 for left, _ in timeline.ticks)


def test_pages_load_their_css_and_htmx_from_this_server(client, world, make_user):
    from django.contrib.staticfiles import finders

    page = signed_in(client, make_user("central_analyst")).get(LIST).content.decode()
    assert 'src="/static/longarm/htmx.min.js"' in page and 'href="/static/longarm/longarm.css"' in page
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert finders.find("longarm/htmx.min.js") and finders.find("longarm/longarm.css")
