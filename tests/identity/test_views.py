"""The review queue and a pair's page: anonymous, without permission, with permission, another province, reading
roles; filters, counts, export, the waterfall, the decision form; each view audited."""

import csv
import io

import pytest
from django.urls import reverse

from longarm.audit.models import AuditEntry
from longarm.identity.models import CandidatePair, Decision, PairDecision, PairKind
from longarm.identity.services import identity_resolve
from tests.identity.conftest import DUPLICATE_REF, ZHANG_ID

QUEUE = reverse("identity:queue")
EXPORT = reverse("identity:export")
PASSWORD = "correct horse battery staple"


@pytest.fixture
def resolved(registry, system):
    identity_resolve(actor=system)
    return CandidatePair.objects.get(kind=PairKind.DUPLICATE, ref=DUPLICATE_REF)


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def detail(pair) -> str:
    return reverse("identity:detail", args=[pair.pk])


def decide(pair) -> str:
    return reverse("identity:decide", args=[pair.pk])


# --- access -------------------------------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_login(client, resolved):
    for url in (QUEUE, EXPORT, detail(resolved)):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.post(decide(resolved), {"decision": "same"}).status_code == 302
    assert not PairDecision.objects.exists()


@pytest.mark.parametrize("role", ["official", "auditor", "border_post"])
def test_roles_without_the_feature_get_403(client, make_user, resolved, role):
    login(client, make_user(role, "CN-GD"))
    assert client.get(QUEUE).status_code == 403
    assert client.get(detail(resolved)).status_code == 403


@pytest.mark.parametrize("role,jurisdiction", [("provincial_analyst", "CN-GD"), ("provincial_analyst", "CN-BJ"),
                                               ("central_analyst", "")])
def test_analysts_of_either_officials_province_and_central_see_the_pair(client, make_user, resolved, role,
                                                                         jurisdiction):
    login(client, make_user(role, jurisdiction))
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert f'data-ref="{DUPLICATE_REF}"' in response.content.decode()
    assert client.get(detail(resolved)).status_code == 200


def test_another_province_sees_neither_the_pair_in_the_queue_nor_its_page(client, make_user, resolved):
    login(client, make_user("provincial_analyst", "CN-SH"))
    assert DUPLICATE_REF not in client.get(QUEUE).content.decode()
    assert client.get(detail(resolved)).status_code == 404
    assert client.post(decide(resolved), {"decision": "same"}).status_code == 404
    assert DUPLICATE_REF not in client.get(EXPORT).getvalue().decode()


def test_a_personnel_officer_reads_the_pair_of_an_official_of_the_unit_but_cannot_judge(client, make_user,
                                                                                       resolved):
    officer = make_user("personnel_officer", "CN-GD", organization="Guangdong Department of Finance")
    login(client, officer)
    page = client.get(detail(resolved)).content.decode()
    assert "analysts judge it" in page and 'action="/identity/' not in page
    assert client.post(decide(resolved), {"decision": "same"}).status_code == 403
    other_unit = make_user("personnel_officer", "CN-GD", organization="Another Unit")
    login(client, other_unit)
    assert client.get(detail(resolved)).status_code == 404


# --- the queue ----------------------------------------------------------------------------------------------------


def test_the_queue_filters_counts_and_is_audited(client, make_user, resolved):
    analyst = make_user("central_analyst")
    login(client, analyst)
    page = client.get(QUEUE, {"kind": "duplicate", "band": "match", "jurisdiction": "CN-BJ"}).content.decode()
    assert DUPLICATE_REF in page and 'data-status="matched"' in page
    assert "What the score means" in page and "0.95" in page
    assert DUPLICATE_REF not in client.get(QUEUE, {"band": "low"}).content.decode()
    assert DUPLICATE_REF not in client.get(QUEUE, {"kind": "possible_match"}).content.decode()
    assert DUPLICATE_REF in client.get(QUEUE, {"q": "O-GD-001"}).content.decode()
    assert DUPLICATE_REF in client.get(QUEUE, {"q": "zhang xiao"}).content.decode()
    assert DUPLICATE_REF not in client.get(QUEUE, {"q": "zhou min"}).content.decode()
    entry = AuditEntry.objects.filter(action="search", target_type="identity.candidatepair").first()
    assert entry.actor == analyst and entry.detail["search"] == "zhou min"


def test_the_queue_answers_htmx_with_the_results_only(client, make_user, resolved):
    login(client, make_user("central_analyst"))
    response = client.get(QUEUE, {"status": "matched"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="results"') and DUPLICATE_REF in body


def test_a_bad_filter_is_named_and_nothing_is_listed(client, make_user, resolved):
    login(client, make_user("central_analyst"))
    body = client.get(QUEUE, {"kind": "nonsense"}).content.decode()
    assert "The filters were not applied" in body and DUPLICATE_REF not in body


def test_the_export_is_csv_of_the_visible_pairs_and_audited(client, make_user, resolved):
    analyst = make_user("provincial_analyst", "CN-GD")
    login(client, analyst)
    response = client.get(EXPORT, {"status": ""})
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode())))
    assert [row["ref"] for row in rows] == [DUPLICATE_REF]
    assert rows[0]["model_version"] == resolved.model.version and rows[0]["status"] == "matched"
    assert AuditEntry.objects.filter(action="export", target_type="identity.candidatepair", actor=analyst).exists()


# --- a pair's page and the decision -------------------------------------------------------------------------------


def test_the_pair_page_shows_both_records_the_waterfall_and_masks_the_id_outside_ones_province(client, make_user,
                                                                                              resolved):
    analyst = make_user("provincial_analyst", "CN-GD")
    login(client, analyst)
    page = client.get(detail(resolved)).content.decode()
    assert "张晓明" in page and "張曉明" in page
    assert "zhang xiao ming" in page.lower() or "zhangxiaoming" in page.lower()  # the pinyin readings
    assert '<svg class="chart waterfall"' in page and "national_id" in page and "final match weight" in page
    assert page.count(ZHANG_ID) == 1  # shown for the Guangdong official, masked for the Beijing one
    assert "masked" in page and ZHANG_ID[-4:] in page
    assert 'href="/officials/O-GD-001/"' in page and 'href="/officials/O-BJ-001/"' not in page
    assert AuditEntry.objects.filter(action="view", target_type="identity.candidatepair",
                                     target_id=str(resolved.pk), actor=analyst).exists()


def test_judging_a_pair_different_people_through_the_form(client, make_user, resolved):
    analyst = make_user("provincial_analyst", "CN-BJ")
    login(client, analyst)
    refused = client.post(decide(resolved), {"decision": "different", "note": ""})
    assert refused.status_code == 400 and "Say why" in refused.content.decode()
    assert not PairDecision.objects.exists()
    response = client.post(decide(resolved), {"decision": "different", "note": "Cousins of one village."})
    assert response.status_code == 302 and response["Location"] == detail(resolved)
    decision = PairDecision.objects.get()
    assert (decision.decision, decision.actor) == (Decision.DIFFERENT, analyst)
    assert decision.note == "Cousins of one village."
    page = client.get(detail(resolved)).content.decode()
    assert "different people" in page and "Cousins of one village." in page
    assert DUPLICATE_REF not in client.get(QUEUE).content.decode()  # the default queue: pairs not yet judged
    assert DUPLICATE_REF in client.get(QUEUE, {"status": "different"}).content.decode()


def test_the_duplicate_identity_alert_links_to_its_pair(client, make_user, resolved):
    from longarm.alerts.models import Alert

    alert = Alert.objects.get(code="DUPLICATE_IDENTITY", ref=DUPLICATE_REF)
    login(client, make_user("central_analyst"))
    link = reverse("identity:of-alert", args=[alert.pk])
    assert f'href="{link}"' in client.get(reverse("alerts:detail", args=[alert.pk])).content.decode()
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == detail(resolved)
    login(client, make_user("provincial_analyst", "CN-SH"))
    assert client.get(link).status_code == 404


# --- the official's page lists the pairs that name the official ----------------------------------------------------


def test_the_officials_page_lists_the_pairs_that_name_the_official_with_their_decisions(client, resolved, make_user):
    from longarm.identity.services import pair_decide

    official_page = reverse("registry:official-detail", args=["O-BJ-001"])
    login(client, make_user("provincial_analyst", "CN-BJ"))
    page = client.get(official_page).content.decode()
    assert "Identity resolution" in page and detail(resolved) in page
    # the other record of the pair is one click away, even in another province (the pair's page says what it may)
    assert reverse("registry:official-detail", args=["O-GD-001"]) in page
    pair_decide(pair=resolved, actor=make_user("central_analyst"), decision=Decision.DIFFERENT,
                note="Two people, checked with both units.")
    page = client.get(official_page).content.decode()
    assert detail(resolved) in page and "different people" in page


def test_the_officials_page_shows_no_pair_to_a_user_who_may_see_neither_official(resolved, make_user):
    from longarm.registry.models import Official
    from longarm.registry.selectors import official_identity_pairs

    official = Official.objects.get(pk="O-BJ-001")
    assert [p.pk for p in official_identity_pairs(user=make_user("central_analyst"), official=official)] == [
        resolved.pk]
    assert official_identity_pairs(user=make_user("provincial_analyst", "CN-SH"), official=official) == []
