"""Where the synthetic officials work and travel: provinces, units, posts, border ports, destinations.

The 31 provincial jurisdictions of the mainland are ISO 3166-2 codes taken
from pycountry (`CN-HK`, `CN-MO` and `CN-TW` are not mainland jurisdictions);
officials are spread over them by population. Area codes are the first digits
of GB/T 2260, which open a resident identity number.
"""

from functools import cache

import pycountry

NOT_MAINLAND = frozenset({"CN-HK", "CN-MO", "CN-TW"})

# ISO 3166-2 code: (population in millions, 2020 census, rounded; GB/T 2260 province digits)
PROVINCE_FACTS: dict[str, tuple[float, str]] = {
    "CN-BJ": (21.9, "11"), "CN-TJ": (13.9, "12"), "CN-HE": (74.6, "13"), "CN-SX": (34.9, "14"),
    "CN-NM": (24.0, "15"), "CN-LN": (42.6, "21"), "CN-JL": (24.1, "22"), "CN-HL": (31.9, "23"),
    "CN-SH": (24.9, "31"), "CN-JS": (84.7, "32"), "CN-ZJ": (64.6, "33"), "CN-AH": (61.0, "34"),
    "CN-FJ": (41.5, "35"), "CN-JX": (45.2, "36"), "CN-SD": (101.5, "37"), "CN-HA": (99.4, "41"),
    "CN-HB": (57.8, "42"), "CN-HN": (66.4, "43"), "CN-GD": (126.0, "44"), "CN-GX": (50.1, "45"),
    "CN-HI": (10.1, "46"), "CN-CQ": (32.1, "50"), "CN-SC": (83.7, "51"), "CN-GZ": (38.6, "52"),
    "CN-YN": (47.2, "53"), "CN-XZ": (3.6, "54"), "CN-SN": (39.5, "61"), "CN-GS": (25.0, "62"),
    "CN-QH": (5.9, "63"), "CN-NX": (7.2, "64"), "CN-XJ": (25.9, "65"),
}

DEPARTMENTS = (
    "Department of Finance", "Development and Reform Commission", "Department of Natural Resources",
    "Department of Transport", "Department of Housing and Urban-Rural Development", "Department of Education",
    "Health Commission", "Department of Commerce", "Public Security Department", "Department of Agriculture",
    "Department of Water Resources", "State-owned Assets Supervision Commission", "Audit Office",
    "Taxation Bureau", "Market Regulation Administration", "Ecology and Environment Department",
)
# Posts by rank, highest rank first (the order of `RANKS`).
RANKS = ("state", "provincial", "prefectural", "county", "township", "staff")
RANK_SHARES = (0.0002, 0.003, 0.04, 0.2, 0.35, 0.4068)
POSITIONS = {
    "state": ("Minister", "Party Secretary"),
    "provincial": ("Governor", "Vice Governor", "Director-General"),
    "prefectural": ("Director", "Deputy Director", "Mayor"),
    "county": ("Division Chief", "Deputy Division Chief", "County Head"),
    "township": ("Section Chief", "Deputy Section Chief", "Township Head"),
    "staff": ("Principal Staff Member", "Staff Member", "Clerk"),
}

# Border ports: (port code, ISO 3166-2 jurisdiction of the port)
PORTS = (
    ("PEK", "CN-BJ"), ("PKX", "CN-BJ"), ("PVG", "CN-SH"), ("SHA", "CN-SH"), ("CAN", "CN-GD"), ("SZX", "CN-GD"),
    ("LUOHU", "CN-GD"), ("FUTIAN", "CN-GD"), ("GONGBEI", "CN-GD"), ("HZMB-ZH", "CN-GD"), ("CTU", "CN-SC"),
    ("TFU", "CN-SC"), ("CKG", "CN-CQ"), ("KMG", "CN-YN"), ("MOHAN", "CN-YN"), ("RUILI", "CN-YN"), ("XMN", "CN-FJ"),
    ("HGH", "CN-ZJ"), ("NKG", "CN-JS"), ("TAO", "CN-SD"), ("DLC", "CN-LN"), ("SHE", "CN-LN"), ("HRB", "CN-HL"),
    ("SUIFENHE", "CN-HL"), ("URC", "CN-XJ"), ("HORGOS", "CN-XJ"), ("ERENHOT", "CN-NM"), ("XIY", "CN-SN"),
    ("WUH", "CN-HB"), ("CSX", "CN-HN"), ("NNG", "CN-GX"), ("DONGXING", "CN-GX"), ("HAK", "CN-HI"), ("TSN", "CN-TJ"),
    ("ZHANGMU", "CN-XZ"),
)
# Destinations of officials' trips, with a weight: Hong Kong and Macao first.
DESTINATIONS = (
    ("HKG", 30), ("MAC", 12), ("THA", 10), ("JPN", 9), ("KOR", 7), ("SGP", 6), ("MYS", 5), ("VNM", 4),
    ("FRA", 3), ("ITA", 3), ("DEU", 3), ("GBR", 3), ("USA", 3), ("AUS", 3), ("NZL", 2), ("CHE", 2), ("RUS", 2),
    ("ARE", 2), ("EGY", 1), ("TUR", 1),
)
# Where relatives settle when they emigrate (the usual destinations of "naked officials").
EMIGRATION_COUNTRIES = ("USA", "CAN", "AUS", "NZL", "GBR", "SGP")
STUDY_COUNTRIES = ("USA", "GBR", "AUS", "CAN", "JPN", "DEU", "FRA")
# Issuing states of foreign travellers among the public.
FOREIGN_STATES = ("USA", "JPN", "KOR", "DEU", "FRA", "GBR", "RUS", "THA", "VNM", "MYS", "SGP", "AUS", "CAN",
                  "IND", "ITA", "NLD", "POL", "BRA")


@cache
def provinces() -> tuple[tuple[str, str], ...]:
    """(ISO 3166-2 code, English short name) of the 31 mainland provincial jurisdictions, by code."""
    country = pycountry.countries.get(alpha_3="CHN")
    rows = [s for s in pycountry.subdivisions.get(country_code=country.alpha_2) or () if s.parent_code is None]
    mainland = sorted((s.code, s.name) for s in rows if s.code not in NOT_MAINLAND)
    return tuple((code, _short_name(name)) for code, name in mainland)


def _short_name(name: str) -> str:
    """`Guangdong Sheng` → `Guangdong`; `Guangxi Zhuangzu Zizhiqu` → `Guangxi`."""
    return name.split(" ")[0]
