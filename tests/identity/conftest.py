"""A small hand-made registry for identity resolution: one person registered twice in two provinces, a namesake,
a pair that waits for review, and an unmatched crossing that resembles an official.

National ids carry a valid GB 11643 check character, so the model reads them as strong evidence.
"""

import datetime

import pytest

from longarm.engine.identity.chinese import national_id_check_character


def national_id(first17: str) -> str:
    return first17 + national_id_check_character(first17)


ZHANG_ID = national_id("44010619700517123")
NAMESAKE_ID = national_id("44030419820304561")
LI_ID = national_id("31010119650102242")


@pytest.fixture
def system(db):
    from longarm.runs.services import system_user

    return system_user()


@pytest.fixture
def registry(make_official):
    """Officials: ZHANG Xiaoming in Guangdong and again in Beijing (traditional characters, same id); a namesake
    born twelve years later; LI Hua twice in Shanghai (one record without id); a few others."""
    born = datetime.date
    officials = {
        "O-GD-001": make_official(official_id="O-GD-001", family_name="ZHANG", given_name="XIAOMING",
                                  native_name="张晓明", date_of_birth=born(1970, 5, 17), national_id=ZHANG_ID),
        "O-BJ-001": make_official(official_id="O-BJ-001", family_name="ZHANG", given_name="XIAOMING",
                                  native_name="張曉明", date_of_birth=born(1970, 5, 17), national_id=ZHANG_ID,
                                  jurisdiction="CN-BJ", organization="Beijing Municipal Commerce Bureau"),
        "O-GD-002": make_official(official_id="O-GD-002", family_name="ZHANG", given_name="XIAOMING",
                                  native_name="张晓明", date_of_birth=born(1982, 3, 4), national_id=NAMESAKE_ID),
        "O-SH-001": make_official(official_id="O-SH-001", family_name="LI", given_name="HUA", native_name="李华",
                                  sex="F", date_of_birth=born(1965, 1, 2), national_id=LI_ID, jurisdiction="CN-SH",
                                  organization="Shanghai Port Authority"),
        "O-SH-002": make_official(official_id="O-SH-002", family_name="LI", given_name="HUA", native_name="",
                                  sex="F", date_of_birth=born(1965, 2, 1), national_id="", jurisdiction="CN-SH",
                                  organization="Shanghai Port Authority"),
        "O-GD-003": make_official(official_id="O-GD-003", family_name="WANG", given_name="FANG", native_name="王芳",
                                  sex="F", date_of_birth=born(1975, 8, 9),
                                  national_id=national_id("44010619750809222")),
        "O-GD-004": make_official(official_id="O-GD-004", family_name="CHEN", given_name="JIANGUO",
                                  native_name="陈建国", date_of_birth=born(1960, 12, 1),
                                  national_id=national_id("44010619601201333")),
        "O-SH-003": make_official(official_id="O-SH-003", family_name="ZHOU", given_name="MIN", native_name="周敏",
                                  sex="F", date_of_birth=born(1988, 4, 23), jurisdiction="CN-SH",
                                  national_id=national_id("31010119880423444"), organization="Shanghai Port Authority"),
    }
    officials.update(_others())
    return officials


FAMILIES = ("HUANG", "ZHAO", "WU", "XU", "SUN", "MA", "ZHU", "HU", "GUO", "HE", "GAO", "LIN", "LUO", "ZHENG", "LIANG")
GIVENS = ("WEI", "JING", "LEI", "YANG", "YONG", "JIE", "TAO", "MING", "CHAO", "XIU", "HONG", "PING", "GANG", "BIN")


def _others() -> dict:
    """Two hundred officials with distinct names, so that the term-frequency adjustment sees a name like ZHANG
    Xiaoming as rare, as it is in a real registry (in a registry of eight, every name is common)."""
    from longarm.registry.models import Official

    rows = []
    for i, (family, given) in enumerate((f, g) for f in FAMILIES for g in GIVENS):
        born = datetime.date(1955 + i % 40, 1 + i % 12, 1 + i % 28)
        rows.append(Official(
            official_id=f"O-XX-{i:03d}", family_name=family, given_name=given, native_name="",
            sex="M" if i % 2 else "F",
            date_of_birth=born, national_id=national_id(f"110101{born:%Y%m%d}{i:03d}"), organization="Other Unit",
            position="Clerk", rank="staff", jurisdiction="CN-HE", status="active", name_key=family + given))
    Official.objects.bulk_create(rows)
    return {row.official_id: row for row in rows}


DUPLICATE_REF = "O-BJ-001;O-GD-001"


@pytest.fixture
def wide_band(settings):
    """A review band wide enough to hold the LI Hua pair (day and month of birth swapped, one id missing)."""
    settings.LONGARM_IDENTITY_REVIEW_PROBABILITY = 1e-6
    settings.LONGARM_IDENTITY_MATCH_PROBABILITY = 0.999999999
    return settings


def crossing(event_id: str, *, day: datetime.date, family="ZHANG", given="XIAOMING", born=(1970, 5, 17)):
    """A crossing that the exact rule matched to nobody (no owner), by default looking like ZHANG Xiaoming."""
    from longarm.border.models import Crossing

    moment = datetime.datetime.combine(day, datetime.time(9), datetime.UTC)
    return Crossing.objects.create(
        event_id=event_id, direction="exit", occurred_at=moment, utc_offset=480, local_date=day, port="SZX",
        port_jurisdiction="CN-GD", doc_type="passport", doc_number="E99887766", doc_number_norm="E99887766",
        issuing_state="CHN", family_name=family, given_name=given, date_of_birth=datetime.date(*born), sex="M",
        nationality="CHN")
