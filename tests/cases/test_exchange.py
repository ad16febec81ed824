"""Exchange: a case as FollowTheMoney entities; a red notice from INTERPOL's JSON into a case."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from followthemoney import model

from longarm.cases.errors import CaseError
from longarm.cases.ftm import case_entities, case_ftm_lines
from longarm.cases.red_notice import parse_red_notice
from longarm.cases.services import case_import_red_notice, recovery_record
from longarm.registry.models import Relative

D = dt.date
NOTICE = {
    "entity_id": "2015/12345", "name": "LI", "forename": "HUA", "date_of_birth": "1965/02/03", "sex_id": "F",
    "nationalities": ["CN"], "arrest_warrants": [{"issuing_country_id": "CN", "charge": "Embezzlement"}],
    "_links": {"self": {"href": "https://ws-public.interpol.int/notices/v1/red/2015-12345"}},
}


def test_parse_red_notice_reads_interpol_fields():
    notice = parse_red_notice(NOTICE)
    assert (notice.entity_id, notice.family_name, notice.given_name) == ("2015/12345", "LI", "HUA")
    assert notice.date_of_birth == D(1965, 2, 3) and notice.sex == "F" and notice.nationalities == ("CHN",)
    assert notice.warrants[0].issuing_country == "CHN" and notice.warrants[0].charge == "Embezzlement"


@pytest.mark.parametrize(("change", "message"), [
    ({"entity_id": None}, "no entity_id"),
    ({"name": ""}, "no name"),
    ({"date_of_birth": "03/02/1965x"}, "date_of_birth"),
    ({"nationalities": ["ZZ"]}, "alpha-2"),
    ({"arrest_warrants": [{"issuing_country_id": "QQ", "charge": "x"}]}, "arrest_warrants\\[1\\]"),
])
def test_parse_red_notice_names_the_bad_field(change, message):
    with pytest.raises(CaseError, match=message):
        parse_red_notice({**NOTICE, **change})


def test_a_year_of_birth_only_is_kept_as_a_year():
    notice = parse_red_notice({**NOTICE, "date_of_birth": "1965"})
    assert notice.date_of_birth is None and notice.birth_year == 1965


def test_import_red_notice_sets_date_reference_and_fills_what_was_unknown(open_case, officer, last_audit):
    case = open_case()
    case = case_import_red_notice(case=case, notice=NOTICE, published_on=D(2015, 4, 22), actor=officer)
    assert (case.red_notice_on, case.red_notice_ref) == (D(2015, 4, 22), "2015/12345")
    assert (case.date_of_birth, case.sex) == (D(1965, 2, 3), "F")
    audit = last_audit("case.red_notice_import")
    assert audit.detail["filled"] == ["date_of_birth", "sex"]
    assert audit.detail["notice"]["arrest_warrants"] == [{"issuing_country": "CHN", "charge": "Embezzlement"}]
    assert case.events.filter(kind="red_notice", happened_on=D(2015, 4, 22)).exists()


def test_import_red_notice_accepts_swapped_names(open_case, officer):
    case = case_import_red_notice(case=open_case(), notice={**NOTICE, "name": "HUA", "forename": "LI"},
                                  published_on=D(2015, 4, 22), actor=officer)
    assert case.red_notice_ref == "2015/12345"


@pytest.mark.parametrize(("change", "message"), [
    ({"name": "WANG"}, "the case's subject is LI HUA"),
    ({"date_of_birth": "1966/02/03"}, "birth year of 1966"),
    ({"date_of_birth": "1965/02/04"}, "date of birth of 1965-02-04"),
])
def test_import_red_notice_about_someone_else_is_refused(open_case, officer, change, message):
    case = open_case(date_of_birth=D(1965, 2, 3))
    with pytest.raises(CaseError, match=message):
        case_import_red_notice(case=case, notice={**NOTICE, **change}, published_on=D(2015, 4, 22), actor=officer)
    case.refresh_from_db()
    assert case.red_notice_on is None


def test_ftm_export_holds_subject_family_and_assets(open_case, officer, make_official):
    official = make_official(family_name="LI", given_name="HUA")
    Relative.objects.create(relative_id="REL1", official=official, relation="spouse", family_name="WANG",
                            given_name="MEI", residence_country="CAN", residence_status="citizen",
                            nationalities="CAN")
    case = open_case(official=official, located_in=["CAN"], amount_involved=Decimal("3000000"),
                     amount_currency="CNY", native_name="李华")
    recovery_record(case=case, recovered_on=D(2018, 1, 10), amount=Decimal("250000.00"), currency="CAD",
                    from_country="CAN", avenue="confiscation", description="House in Vancouver", actor=officer)
    entities = case_entities(case)
    schemata = [e.schema.name for e in entities]
    assert schemata == ["Person", "Person", "Family", "Asset", "Asset", "Ownership"]
    subject, spouse, family, _, house, ownership = entities
    assert subject.get("lastName") == ["LI"] and subject.get("alias") == ["李华"] and subject.get("country") == ["ca"]
    assert "wanted" in subject.get("topics")
    assert spouse.get("nationality") == ["ca"] and family.get("person") == [subject.id]
    assert family.get("relative") == [spouse.id] and family.get("relationship") == ["spouse"]
    assert house.get("name") == ["House in Vancouver"] and house.get("currency") == ["CAD"]
    assert ownership.get("owner") == [subject.id] and ownership.get("asset") == [house.id]
    # every line is a valid FtM entity, and a second export gives the same ids
    for line in case_ftm_lines(case):
        model.get_proxy(json.loads(line))
    assert [e.id for e in case_entities(case)] == [e.id for e in entities]
