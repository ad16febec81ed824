"""`write_world`: the files follow the exchange formats, repeat byte for byte, and truth.csv holds.

`IndependentCheck` recomputes the simpler rules of the spec's Alerts table
from the files in plain Python, without the engine, to check the ground
truth the generator writes.
"""

import csv
import datetime
import json
from collections import defaultdict
from pathlib import Path

import pytest

from longarm.documents.mrz import mrz_compare, mrz_parse
from longarm.engine.normalize import document_number_key, name_key
from longarm.synth import duplicates, names
from longarm.synth.world import WorldParameters, write_world

AS_OF = datetime.date(2026, 10, 31)
COLUMNS = {
    "officials": ["official_id", "family_name", "given_name", "native_name", "sex", "date_of_birth", "national_id",
                  "organization", "position", "rank", "jurisdiction", "status", "sensitive_post"],
    "relatives": ["relative_id", "official_id", "relation", "family_name", "given_name", "native_name",
                  "date_of_birth", "residence_country", "residence_status", "nationalities", "since", "employer"],
    "documents": ["document_id", "official_id", "doc_type", "number", "issuing_state", "issued_on", "expires_on",
                  "mrz"],
    "custody": ["event_id", "document_id", "action", "occurred_at"],
    "trips": ["trip_id", "official_id", "document_id", "purpose", "destinations", "depart_on", "return_on",
              "status", "decided_on"],
    "crossings": ["event_id", "direction", "occurred_at", "port", "port_jurisdiction", "doc_type", "doc_number",
                  "issuing_state", "family_name", "given_name", "date_of_birth", "sex", "nationality",
                  "counterpart_country"],
    "watchlist": ["entry_id", "official_id", "measure", "legal_basis", "authority", "case_ref", "starts_on",
                  "expires_on"],
}


def read(directory: Path, kind: str) -> list[dict]:
    with open(directory / f"{kind}.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("world")
    write_world(WorldParameters(officials=600, seed=5, public_crossings=3000), directory)
    return directory


def test_world_writes_every_file_with_the_columns_of_the_exchange_formats(world):
    for kind, columns in COLUMNS.items():
        with open(world / f"{kind}.csv", encoding="utf-8") as handle:
            assert handle.readline().rstrip("\n").split(",") == columns
    manifest = json.loads((world / "manifest.json").read_text())
    assert manifest["as_of"] == "2026-10-31" and manifest["seed"] == 5
    assert manifest["counts"]["crossings.csv"] == len(read(world, "crossings"))
    assert manifest["counts"]["officials.csv"] == (600 + len(read(world, "truth_identities"))
                                                   + len(read(world, "truth_non_identities")))


def test_same_seed_gives_byte_identical_files_and_another_seed_does_not(tmp_path):
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for directory, seed in ((first, 9), (second, 9), (other, 10)):
        write_world(WorldParameters(officials=300, seed=seed, public_crossings=500), directory)
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    assert all((first / name).read_bytes() == (second / name).read_bytes() for name in names)
    assert (first / "officials.csv").read_bytes() != (other / "officials.csv").read_bytes()


def test_officials_are_spread_over_mainland_provinces_with_pinyin_and_native_names(world):
    officials = read(world, "officials")
    assert {o["jurisdiction"] for o in officials} <= {f"CN-{c}" for c in (
        "AH BJ CQ FJ GD GS GX GZ HA HB HE HI HL HN JL JS JX LN NM NX QH SC SD SH SN SX TJ XJ XZ YN ZJ".split())}
    assert len({o["jurisdiction"] for o in officials}) >= 20
    assert all(o["family_name"].isascii() and o["family_name"].isupper() for o in officials)
    assert all(not o["native_name"].isascii() for o in officials)


def test_trips_cluster_around_national_day(world):
    departures = [datetime.date.fromisoformat(t["depart_on"]) for t in read(world, "trips")]
    assert all(datetime.date(2026, 9, 25) <= d <= datetime.date(2026, 10, 3) for d in departures)
    around = sum(datetime.date(2026, 9, 28) <= d <= datetime.date(2026, 10, 2) for d in departures)
    assert around > len(departures) / 2


def test_public_crossings_never_belong_to_an_official(world):
    """Officials cross on registered documents, or on unregistered `EJ…` passports when planted; nobody
    else's crossing matches an official by document or identity."""
    officials = read(world, "officials")
    registered = {("CHN", document_number_key(d["number"])) for d in read(world, "documents")}
    identities = {(o["date_of_birth"], o["sex"], name_key(o["family_name"], o["given_name"])) for o in officials}
    crossings = read(world, "crossings")
    officials_crossings = 0
    for crossing in crossings:
        by_document = (crossing["issuing_state"], document_number_key(crossing["doc_number"])) in registered
        by_identity = any((crossing["date_of_birth"], crossing["sex"], key) in identities for key in (
            name_key(crossing["family_name"], crossing["given_name"]),
            name_key(crossing["given_name"], crossing["family_name"])))
        officials_crossing = by_document or crossing["doc_number"].startswith("EJ")
        assert (by_document or by_identity) == officials_crossing, crossing
        officials_crossings += officials_crossing
    assert 0 < officials_crossings < len(crossings) / 4


def test_no_two_officials_share_an_identity_but_copies_that_keep_it_and_same_pinyin_look_alikes(world):
    """The spec's "belongs to" identity is shared only within a planted pair: a copy that keeps name
    (in either order, in one or two words) and birth date, or a same-pinyin look-alike."""
    keeping = {"exact", "given_two_words", "swapped_names", "native_traditional", "national_id_missing",
               "second_national_id"}
    pairs = {(p["official_id_a"], p["official_id_b"]) for p in read(world, "truth_identities")
             if p["variant"].split("+")[0] in keeping}
    pairs |= {(p["official_id_a"], p["official_id_b"]) for p in read(world, "truth_non_identities")
              if p["trap"] == "same_pinyin"}
    seen = defaultdict(set)
    for o in read(world, "officials"):
        for key in (name_key(o["family_name"], o["given_name"]), name_key(o["given_name"], o["family_name"])):
            seen[(o["date_of_birth"], o["sex"], key)].add(o["official_id"])
    shared = {tuple(sorted(ids)) for ids in seen.values() if len(ids) > 1}
    assert shared == pairs and len(pairs) >= 6


GB11643_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def valid_national_id(number: str) -> bool:
    return (len(number) == 18 and number[:17].isdigit()
            and "10X98765432"[sum(int(d) * w for d, w in zip(number[:17], GB11643_WEIGHTS)) % 11] == number[17])


def test_every_way_of_registering_twice_is_planted_and_differs_as_its_variant_says(world):
    officials = {o["official_id"]: o for o in read(world, "officials")}
    rows = read(world, "truth_identities")
    assert {r["variant"].split("+")[0] for r in rows} == set(duplicates.VARIANTS)
    for row in rows:
        a, b = officials[row["official_id_a"]], officials[row["official_id_b"]]
        variant, *also = row["variant"].split("+")
        assert a["sex"] == b["sex"] and a["jurisdiction"] != b["jurisdiction"], row
        born_a, born_b = (datetime.date.fromisoformat(o["date_of_birth"]) for o in (a, b))
        same_name = (a["family_name"], a["given_name"]) == (b["family_name"], b["given_name"])
        assert (a["native_name"] == b["native_name"]) == (variant != "native_traditional"), row
        assert (born_a == born_b) == (variant not in ("dob_day_month_swapped", "dob_digit")), row
        assert same_name == (variant not in ("given_two_words", "swapped_names", "latin_typo", "wade_giles")), row
        assert valid_national_id(a["national_id"])
        if variant == "national_id_missing" or also == ["national_id_missing"]:
            assert b["national_id"] == "", row
        elif variant == "second_national_id":
            assert valid_national_id(b["national_id"]) and b["national_id"] != a["national_id"], row
            assert b["national_id"][:14] == a["national_id"][:14], "same area and birth date, other sequence"
        else:
            assert b["national_id"] == a["national_id"], row
        if variant == "given_two_words":
            assert b["given_name"].replace(" ", "") == a["given_name"] and " " in b["given_name"]
        elif variant == "swapped_names":
            assert (b["family_name"], b["given_name"]) == (a["given_name"], a["family_name"])
        elif variant == "latin_typo":
            assert b["family_name"] == a["family_name"] and len(b["given_name"]) == len(a["given_name"])
            assert sum(x != y for x, y in zip(a["given_name"], b["given_name"])) == 1
        elif variant == "native_traditional":
            assert names.traditional(a["native_name"]) == b["native_name"]
        elif variant == "wade_giles":
            assert name_key(b["family_name"], b["given_name"]) != name_key(a["family_name"], a["given_name"])
            assert b["given_name"].replace("-", "").isalpha()
        elif variant == "dob_day_month_swapped":
            assert (born_b.month, born_b.day) == (born_a.day, born_a.month) and born_a.year == born_b.year
        elif variant == "dob_digit":
            assert sum(x != y for x, y in zip(born_a.strftime("%Y%m%d"), born_b.strftime("%Y%m%d"))) == 1
        # The national id keeps the true birth date, whatever the copy's date of birth says.
        if b["national_id"]:
            assert b["national_id"][6:14] == born_a.strftime("%Y%m%d")


def test_look_alikes_are_other_people_born_the_same_day(world):
    officials = {o["official_id"]: o for o in read(world, "officials")}
    rows = read(world, "truth_non_identities")
    assert {r["trap"] for r in rows} == {"twin", "same_pinyin"}
    identities = {tuple(sorted((r["official_id_a"], r["official_id_b"]))) for r in read(world, "truth_identities")}
    for row in rows:
        a, b = officials[row["official_id_a"]], officials[row["official_id_b"]]
        assert tuple(sorted((a["official_id"], b["official_id"]))) not in identities
        assert a["date_of_birth"] == b["date_of_birth"] and a["sex"] == b["sex"]
        assert a["family_name"] == b["family_name"] and a["native_name"] != b["native_name"]
        assert valid_national_id(a["national_id"]) and valid_national_id(b["national_id"])
        assert a["national_id"] != b["national_id"]
        if row["trap"] == "twin":
            assert a["given_name"] != b["given_name"] and a["native_name"][0] == b["native_name"][0]
            assert a["jurisdiction"] == b["jurisdiction"]
            # Next sequence number of the same area and birth date (odd for men, even for women).
            assert a["national_id"][:14] == b["national_id"][:14]
            assert int(b["national_id"][14:17]) == int(a["national_id"][14:17]) + 2
        else:
            assert a["given_name"] == b["given_name"] and len(a["native_name"]) == len(b["native_name"])
            assert sum(x != y for x, y in zip(a["native_name"], b["native_name"])) == 1
            assert names.romanise(a["native_name"][1:]) == names.romanise(b["native_name"][1:])


def test_officials_registered_twice_and_look_alikes_never_cross_the_border(world):
    planted = set()
    for kind in ("truth_identities", "truth_non_identities"):
        planted |= {o for r in read(world, kind) for o in (r["official_id_a"], r["official_id_b"])}
    travellers = {t["official_id"] for t in read(world, "trips") if t["status"] == "approved"}
    documents = {(d["issuing_state"], document_number_key(d["number"])) for d in read(world, "documents")
                 if d["official_id"] in planted}
    assert planted and not travellers & planted
    assert not any((c["issuing_state"], document_number_key(c["doc_number"])) in documents
                   for c in read(world, "crossings"))


class IndependentCheck:
    """The spec's simpler rules, straight from the files, one record at a time."""

    def __init__(self, directory: Path):
        self.officials = {o["official_id"]: o for o in read(directory, "officials")}
        self.documents = read(directory, "documents")
        self.by_number = defaultdict(list)
        for d in self.documents:
            self.by_number[(d["issuing_state"], document_number_key(d["number"]))].append(d)
        self.custody = defaultdict(list)
        for event in read(directory, "custody"):
            self.custody[event["document_id"]].append((datetime.datetime.fromisoformat(event["occurred_at"]),
                                                       event["action"]))
        self.crossings = read(directory, "crossings")
        self.trips = read(directory, "trips")
        self.relatives = read(directory, "relatives")

    def state(self, document_id: str, moment: datetime.datetime) -> str | None:
        events = sorted(e for e in self.custody[document_id] if e[0] <= moment)
        return events[-1][1] if events else None

    def owners(self, crossing: dict) -> list[tuple[str, str | None]]:
        documents = self.by_number.get((crossing["issuing_state"], document_number_key(crossing["doc_number"])))
        if documents:
            return [(d["official_id"], d["document_id"]) for d in documents]
        keys = {name_key(crossing["family_name"], crossing["given_name"]),
                name_key(crossing["given_name"], crossing["family_name"])}
        matches = [o for o in self.officials.values() if o["date_of_birth"] == crossing["date_of_birth"]
                   and o["sex"] == crossing["sex"] and name_key(o["family_name"], o["given_name"]) in keys]
        return [(matches[0]["official_id"], None)] if len(matches) == 1 else []

    def alerts(self) -> set[tuple[str, str, str]]:
        found = set()
        approved = defaultdict(list)
        for trip in self.trips:
            if trip["status"] == "approved":
                approved[trip["official_id"]].append(trip)
        exits = defaultdict(list)
        entries = defaultdict(list)
        for crossing in self.crossings:
            moment = datetime.datetime.fromisoformat(crossing["occurred_at"])
            day = moment.date()
            for official_id, document_id in self.owners(crossing):
                if document_id and self.state(document_id, moment) in ("deposit", "lost", "cancel"):
                    found.add(("CUSTODY_BREACH", official_id, crossing["event_id"]))
                if document_id is None:
                    found.add(("UNREGISTERED_DOCUMENT", official_id, crossing["event_id"]))
                (exits if crossing["direction"] == "exit" else entries)[official_id].append((moment, crossing))
                if crossing["direction"] == "exit":
                    covering = [t for t in approved[official_id] if datetime.date.fromisoformat(t["depart_on"])
                                - datetime.timedelta(days=1) <= day <= datetime.date.fromisoformat(t["return_on"])]
                    if not covering:
                        found.add(("UNAUTHORIZED_EXIT", official_id, crossing["event_id"]))
        for official_id, trips in approved.items():
            for trip in trips:
                start = datetime.date.fromisoformat(trip["depart_on"]) - datetime.timedelta(days=1)
                end = datetime.date.fromisoformat(trip["return_on"])
                covered = sorted((m, c) for m, c in exits[official_id] if start <= m.date() <= end)
                if not covered:
                    continue
                left = covered[0][0]
                for code, days in (("OVERDUE_RETURN", 1), ("MISSING", 14)):
                    deadline = end + datetime.timedelta(days=days)
                    back = any(m > left and m.date() <= deadline for m, _ in entries[official_id])
                    if not back and AS_OF > deadline:
                        found.add((code, official_id, trip["trip_id"]))
        for document in self.documents:
            holder = self.officials[document["official_id"]]
            if not document["mrz"]:
                continue
            parsed = mrz_parse(document["mrz"])
            problems = parsed.problems + mrz_compare(
                parsed, number=document["number"], issuing_state=document["issuing_state"],
                expires_on=datetime.date.fromisoformat(document["expires_on"]),
                date_of_birth=datetime.date.fromisoformat(holder["date_of_birth"]), sex=holder["sex"],
                family_name=holder["family_name"], given_name=holder["given_name"])
            if problems:
                found.add(("INVALID_MRZ", document["official_id"], document["document_id"]))
        family = defaultdict(list)
        for relative in self.relatives:
            family[relative["official_id"]].append(relative)
        for official_id, relatives in family.items():
            def emigrated(r):
                return r["residence_country"] != "CHN" and (
                    r["residence_status"] in ("citizen", "permanent_resident")
                    or any(c and c != "CHN" for c in r["nationalities"].split(";")))
            spouses = [r for r in relatives if r["relation"] == "spouse"]
            children = [r for r in relatives if r["relation"] == "child"]
            if any(emigrated(s) for s in spouses) or (not spouses and children and all(map(emigrated, children))):
                found.add(("NAKED_OFFICIAL", official_id, official_id))
        return found


CHECKED = {"CUSTODY_BREACH", "UNREGISTERED_DOCUMENT", "UNAUTHORIZED_EXIT", "OVERDUE_RETURN", "MISSING",
           "INVALID_MRZ", "NAKED_OFFICIAL"}


def test_truth_holds_exactly_the_alerts_an_independent_check_finds_for_the_simpler_rules(world):
    truth = {(t["code"], t["official_id"], t["ref"]) for t in read(world, "truth") if t["code"] in CHECKED}
    assert IndependentCheck(world).alerts() == truth
    assert {code for code, _, _ in truth} == CHECKED


def test_truth_plants_every_alert_code_of_the_spec_but_duplicate_identity(world):
    codes = {t["code"] for t in read(world, "truth")}
    assert codes == {"UNAUTHORIZED_EXIT", "DESTINATION_MISMATCH", "OVERDUE_RETURN", "MISSING", "WATCHLIST_EXIT",
                     "CUSTODY_BREACH", "UNREGISTERED_DOCUMENT", "IDENTITY_MISMATCH", "DOCUMENT_NOT_RETURNED",
                     "DUPLICATE_DOCUMENT", "INVALID_MRZ", "NAKED_OFFICIAL"}


def test_jsonl_world_writes_lists_as_json_arrays(tmp_path):
    write_world(WorldParameters(officials=300, seed=2, public_crossings=200, file_format="jsonl"), tmp_path)
    trips = [json.loads(line) for line in (tmp_path / "trips.jsonl").read_text().splitlines()]
    assert trips and all(isinstance(t["destinations"], list) for t in trips)
    relatives = [json.loads(line) for line in (tmp_path / "relatives.jsonl").read_text().splitlines()]
    assert all(isinstance(r["nationalities"], list) for r in relatives)


def test_write_world_refuses_a_world_too_small_for_its_anomalies(tmp_path):
    with pytest.raises(ValueError, match="at least"):
        write_world(WorldParameters(officials=50, seed=1), tmp_path)


def test_small_chunks_without_some_roles_still_give_a_truth_that_holds(tmp_path):
    write_world(WorldParameters(officials=400, seed=8, public_crossings=700, chunk_officials=37), tmp_path)
    truth = {(t["code"], t["official_id"], t["ref"]) for t in read(tmp_path, "truth") if t["code"] in CHECKED}
    assert IndependentCheck(tmp_path).alerts() == truth
