"""`/api/identity/pairs/`: token or session, scoped like the queue, every read audited."""

import pytest
from rest_framework.test import APIClient

from longarm.audit.models import AuditEntry
from longarm.identity.models import CandidatePair, PairKind
from longarm.identity.services import identity_resolve, pair_decide
from tests.identity.conftest import DUPLICATE_REF

LIST = "/api/identity/pairs/"


@pytest.fixture
def pair(registry, system):
    identity_resolve(actor=system)
    return CandidatePair.objects.get(kind=PairKind.DUPLICATE, ref=DUPLICATE_REF)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_anonymous_is_refused(pair):
    assert APIClient().get(LIST).status_code == 401


def test_an_analyst_of_either_province_lists_and_reads_the_pair_with_its_decisions(pair, make_user):
    analyst = make_user("provincial_analyst", "CN-BJ")
    pair_decide(pair=pair, actor=analyst, decision="unsure", note="Asking Guangdong.")
    client = client_for(analyst)
    listed = client.get(LIST, {"official": "O-GD-001"}).json()["results"]
    assert [row["ref"] for row in listed] == [DUPLICATE_REF]
    assert listed[0]["model_version"] == pair.model.version and listed[0]["contributions"]
    detail = client.get(f"{LIST}{pair.pk}/").json()
    assert detail["decisions"][0]["decision"] == "unsure" and detail["decisions"][0]["note"] == "Asking Guangdong."
    assert AuditEntry.objects.filter(actor=analyst, action="list", target_type="identity.candidatepair").exists()
    assert AuditEntry.objects.filter(actor=analyst, action="view", target_id=str(pair.pk)).exists()


def test_another_province_neither_lists_nor_reads_the_pair(pair, make_user):
    client = client_for(make_user("provincial_analyst", "CN-SH"))
    assert DUPLICATE_REF not in {row["ref"] for row in client.get(LIST).json()["results"]}
    assert client.get(f"{LIST}{pair.pk}/").status_code == 404


def test_an_auditor_reads_no_pairs(pair, make_user):
    assert client_for(make_user("auditor")).get(LIST).status_code == 403
