"""Documents, custody ledger, trips, officials' crossings, watch list and ground truth of a chunk.

Every official's records follow from his role (`longarm.synth.plan`) so that
a clean official raises no alert and a planted one raises exactly the alerts
of his truth rows, at the as-of date with the spec's default parameters
(exit tolerance 1 day, return grace 1, missing after 14, document back
within 10). Dates are placed relative to the as-of date `D`: trips leave
within a week or so of the "peak" day `D - 30` (1 October, National Day, for
the default `D` of 31 October) and are back by `D - 21`, so that every
deadline of the rules has passed by `D` and every custody event lies on or
before `D`. All times are Beijing time (+08:00).
"""

from dataclasses import dataclass

import numpy as np
import polars as pl

from longarm.synth import mrz_columns, people, places, plan

PEAK_BEFORE_AS_OF = 30
DAY = 86_400
NUMBER_MODULUS = 10 ** 8
SECOND_PASSPORT_OFFSET = 50_000_000
SLOTS = ("P0", "P1", "P2", "S1", "T1")  # old passport, passport, second passport, service passport, permit
SLOT_TYPES = {"P0": "passport", "P1": "passport", "P2": "passport", "S1": "service_passport",
              "T1": "travel_permit"}
SLOT_PREFIX = {"P0": "G", "P1": "E", "P2": "E", "S1": "S", "T1": "C"}
NEAR_DESTINATIONS = ("HKG", "MAC")
MISMATCH_COUNTRIES = ("USA", "AUS", "CAN", "GBR")


@dataclass
class Chunk:
    """What one chunk of officials contributes to each file (crossings keep a key `okey`, not an id)."""

    documents: pl.DataFrame
    custody: pl.DataFrame
    trips: pl.DataFrame
    crossings: pl.DataFrame
    watchlist: pl.DataFrame
    truth: pl.DataFrame


def document_number(prefix: str, index: np.ndarray, seed: int) -> pl.Series:
    """Registered numbers: a prefix and 8 digits from a bijection of the official's index, so that
    numbers never repeat and any official's number can be computed without looking it up."""
    offset = (seed * 7_654_321 + 12_345) % NUMBER_MODULUS
    digits = (index.astype(np.int64) * 48_271 + offset) % NUMBER_MODULUS
    return prefix + pl.Series(digits).cast(pl.String).str.zfill(8)


def _dates(days: np.ndarray) -> pl.Series:
    return pl.Series(days.astype(np.int32)).cast(pl.Date)


def _pick(rng: np.random.Generator, table: tuple, size: int, weights=None) -> np.ndarray:
    if weights is None:
        return np.array(table)[rng.integers(0, len(table), size)]
    weights = np.asarray(weights, dtype=float)
    return np.array(table)[rng.choice(len(table), size=size, p=weights / weights.sum())]


def timestamps(seconds: np.ndarray) -> pl.Series:
    """Local seconds since 1970 as ISO 8601 date-times in Beijing time."""
    return pl.from_epoch(pl.Series(seconds.astype(np.int64)), time_unit="s").dt.strftime("%Y-%m-%dT%H:%M:%S") + "+08:00"


def make_chunk(rng: np.random.Generator, *, index: np.ndarray, official_ids: pl.Series, names: pl.DataFrame,
               ids: people.Identities, role: np.ndarray, variant: np.ndarray, partner: np.ndarray,
               as_of_day: int, seed: int) -> Chunk:
    n = index.size
    peak = as_of_day - PEAK_BEFORE_AS_OF
    travelling = np.isin(role, plan.TRAVELLING)
    without_trip = ((role == plan.UNAUTHORIZED_EXIT) | (role == plan.UNREGISTERED_DOCUMENT)) & (variant == 1)
    with_trip = travelling & ~without_trip

    # --- documents -------------------------------------------------------------------------------------
    needs_passport = travelling | np.isin(role, (
        plan.DUPLICATE_DOCUMENT, plan.DUPLICATE_DOCUMENT_OWNER, plan.INVALID_MRZ, plan.DUPLICATE_IDENTITY,
        plan.DUPLICATE_IDENTITY_COPY))
    has = {
        "P1": needs_passport | (rng.random(n) < 0.75),
        "T1": (rng.random(n) < 0.4) | (role == plan.CUSTODY_BREACH),
        "S1": rng.random(n) < 0.05,
        "P2": (role == plan.DUPLICATE_DOCUMENT) & (variant == 1),
    }
    has["P0"] = has["P1"] & np.isin(role, (plan.CALM, plan.TRAVEL)) & (rng.random(n) < 0.08)
    p1_issued = as_of_day - rng.integers(200, 3400, n)
    issued = {
        "P1": p1_issued,
        "P0": p1_issued - rng.integers(30, 400, n) - 3652,
        "P2": p1_issued + rng.integers(30, 150, n),
        "S1": as_of_day - rng.integers(100, 1700, n),
        "T1": as_of_day - rng.integers(100, 1700, n),
    }
    validity = {"P0": 3652, "P1": 3652, "P2": 3652, "S1": 1826, "T1": 3652}

    parts = []
    for slot in SLOTS:
        owners = np.flatnonzero(has[slot])
        numbers_of = index[owners]
        if slot == "P2":
            numbers_of = numbers_of + SECOND_PASSPORT_OFFSET
        if slot == "P1":
            copying = (role[owners] == plan.DUPLICATE_DOCUMENT) & (variant[owners] == 0)
            numbers_of = np.where(copying, partner[owners], numbers_of)
        parts.append(pl.DataFrame({
            "owner": owners, "slot": slot,
            "number": document_number(SLOT_PREFIX[slot], numbers_of, seed),
            "issued": issued[slot][owners], "expires": issued[slot][owners] + validity[slot],
        }, schema_overrides={"owner": pl.Int64, "slot": pl.String, "number": pl.String, "issued": pl.Int64,
                             "expires": pl.Int64}))
    docs = pl.concat(parts).sort("owner", "slot")
    owner = docs["owner"].to_numpy()
    slot = docs["slot"].to_numpy()
    document_id = official_ids.gather(owner) + "-" + docs["slot"]

    mrz = _document_mrz(docs, names, ids, role, variant, owner, slot)
    documents = pl.DataFrame({
        "document_id": document_id, "official_id": official_ids.gather(owner),
        "doc_type": docs["slot"].replace_strict(SLOT_TYPES), "number": docs["number"], "issuing_state": "CHN",
        "issued_on": _dates(docs["issued"].to_numpy()), "expires_on": _dates(docs["expires"].to_numpy()),
        "mrz": mrz,
    }, schema_overrides={"issuing_state": pl.String})
    doc_row = {s: np.full(n, -1, dtype=np.int64) for s in SLOTS}
    for s in SLOTS:
        doc_row[s][owner[slot == s]] = np.flatnonzero(slot == s)

    # --- custody baseline: every document deposited after issue; old passports cancelled --------------
    custody_doc = [np.arange(len(docs))]
    custody_action = [np.full(len(docs), "deposit")]
    custody_at = [(docs["issued"].to_numpy() + 2) * DAY + 10 * 3600]
    old = np.flatnonzero(slot == "P0")
    custody_doc.append(old)
    custody_action.append(np.full(old.size, "cancel"))
    custody_at.append((p1_issued[owner[old]] + 1) * DAY + 11 * 3600)

    # --- trips -----------------------------------------------------------------------------------------
    offsets = np.arange(-6, 3)
    depart = peak + offsets[rng.choice(offsets.size, size=n, p=np.array([1, 1, 2, 3, 4, 5, 5, 3, 2]) / 26)]
    back = depart + rng.integers(2, 8, n)
    countries, weights = zip(*places.DESTINATIONS)
    first = _pick(rng, countries, n, weights)
    second = _pick(rng, countries, n, weights)
    two = (rng.random(n) < 0.2) & (second != first)
    first = np.where(role == plan.CUSTODY_BREACH, "HKG", first)
    two &= role != plan.CUSTODY_BREACH
    last = np.where(two, second, first)
    destinations = pl.Series(first) + pl.select(
        pl.when(pl.lit(pl.Series(two))).then(pl.lit(";") + pl.lit(pl.Series(second))).otherwise(pl.lit(""))
    ).to_series()
    near_only = np.isin(first, NEAR_DESTINATIONS) & (~two | np.isin(second, NEAR_DESTINATIONS))
    permit_trip = has["T1"] & near_only & (role != plan.CUSTODY_BREACH)
    trip_slot = np.where(permit_trip, "T1", "P1")
    trip_doc_row = np.where(permit_trip, doc_row["T1"], doc_row["P1"])

    noise_trip = (role == plan.CALM) & (ids.status <= 1) & (rng.random(n) < 0.02)
    trip_rows = np.flatnonzero(with_trip | noise_trip)
    noise_status = _pick(rng, ("rejected", "cancelled", "requested"), n)
    status = np.where(with_trip, "approved", noise_status)
    decided = np.where(status == "requested", -1, depart - rng.integers(5, 21, n))
    trip_document = pl.select(
        pl.when(pl.lit(pl.Series(has["P1"] | permit_trip)))
        .then(pl.lit(official_ids) + "-" + pl.lit(pl.Series(trip_slot)))
    ).to_series()
    trip_ids = "T" + official_ids.str.slice(1)
    purpose = np.where(rng.random(n) < 0.8, "private", "official")
    trips = pl.DataFrame({
        "trip_id": trip_ids, "official_id": official_ids, "document_id": trip_document, "purpose": purpose,
        "destinations": destinations, "depart_on": _dates(depart), "return_on": _dates(back), "status": status,
        "decided_on": _dates(np.maximum(decided, 0)), "_decided": decided >= 0,
    })[trip_rows].with_columns(
        pl.when(pl.col("_decided")).then(pl.col("decided_on")).alias("decided_on")).drop("_decided")

    # --- crossings of officials --------------------------------------------------------------------------
    exit_day = np.where(rng.random(n) < 0.15, depart - 1, depart)
    exit_day = np.where((role == plan.UNAUTHORIZED_EXIT) & (variant == 0), depart - 4, exit_day)
    exit_day = np.where(without_trip, peak + rng.integers(-5, 6, n), exit_day)
    entry_day = np.where(rng.random(n) < 0.3, back - 1, back)
    entry_day = np.where(role == plan.OVERDUE_RETURN, back + rng.integers(2, 15, n), entry_day)
    entry_day = np.where(without_trip, exit_day + rng.integers(2, 7, n), entry_day)
    exit_at = exit_day * DAY + rng.integers(6 * 3600, 22 * 3600, n)
    entry_at = entry_day * DAY + rng.integers(6 * 3600, 23 * 3600, n)
    comes_back = travelling & (role != plan.MISSING)

    used_slot = np.where(role == plan.CUSTODY_BREACH, "T1", trip_slot)
    used_slot = np.where((role == plan.UNAUTHORIZED_EXIT) & (variant == 1), "P1", used_slot)
    unregistered = role == plan.UNREGISTERED_DOCUMENT
    used_number = pl.select(
        pl.when(pl.lit(pl.Series(unregistered)))
        .then(pl.lit("EJ") + pl.lit(pl.Series((index * 7_919 + seed) % 10 ** 7)).cast(pl.String).str.zfill(7))
        .when(pl.lit(pl.Series(used_slot == "T1"))).then(pl.lit(document_number("C", index, seed)))
        .otherwise(pl.lit(document_number("E", index, seed)))
    ).to_series()
    used_type = np.where((used_slot == "T1") & ~unregistered, "travel_permit", "passport")
    crossing_given = names["given_name"]
    impostor = (role == plan.IDENTITY_MISMATCH) & (variant == 0)
    crossing_given = pl.select(
        pl.when(pl.lit(pl.Series(impostor)))
        .then(pl.when(pl.lit(crossing_given) == "JIANHUA").then(pl.lit("ZHIQIANG")).otherwise(pl.lit("JIANHUA")))
        .otherwise(pl.lit(crossing_given))
    ).to_series()
    crossing_birth = ids.birth.astype(np.int64) + np.where((role == plan.IDENTITY_MISMATCH) & (variant == 1), 366, 0)
    candidates = np.array(MISMATCH_COUNTRIES)[None, :]
    listed = (candidates == first[:, None]) | (candidates == last[:, None])
    mismatch = candidates[0, np.argmax(~listed, axis=1)]
    out_country = np.where(role == plan.DESTINATION_MISMATCH, mismatch, first)
    out_known = (rng.random(n) < 0.85) | (role == plan.DESTINATION_MISMATCH)
    in_known = rng.random(n) < 0.7
    ports = _pick(rng, tuple(range(len(places.PORTS))), 2 * n).astype(np.int64).reshape(2, n)
    port_code = np.array([p[0] for p in places.PORTS])
    port_place = np.array([p[1] for p in places.PORTS])

    def crossings_of(rows: np.ndarray, direction: str, at: np.ndarray, country: np.ndarray, known: np.ndarray,
                     port: np.ndarray) -> pl.DataFrame:
        return pl.DataFrame({
            "okey": index[rows] * 2 + (0 if direction == "exit" else 1),
            "seconds": at[rows], "direction": direction,
            "port": port_code[port[rows]], "port_jurisdiction": port_place[port[rows]],
            "doc_type": used_type[rows], "doc_number": used_number.gather(rows), "issuing_state": "CHN",
            "family_name": names["family_name"].gather(rows), "given_name": crossing_given.gather(rows),
            "date_of_birth": _dates(crossing_birth[rows]), "sex": np.where(ids.male[rows], "M", "F"),
            "nationality": "CHN",
            "counterpart_country": pl.select(pl.when(pl.lit(pl.Series(known[rows])))
                                             .then(pl.lit(pl.Series(country[rows])))).to_series(),
        }, schema_overrides={"okey": pl.Int64, "seconds": pl.Int64, "direction": pl.String,
                             "issuing_state": pl.String, "nationality": pl.String, "doc_type": pl.String,
                             "port": pl.String, "port_jurisdiction": pl.String, "sex": pl.String})

    exits = np.flatnonzero(travelling)
    entries = np.flatnonzero(comes_back)
    crossings = pl.concat([crossings_of(exits, "exit", exit_at, out_country, out_known, ports[0]),
                           crossings_of(entries, "entry", entry_at, last, in_known, ports[1])])

    # --- custody around trips --------------------------------------------------------------------------
    released = np.flatnonzero(with_trip & (trip_doc_row >= 0))
    release_day = depart - np.where((role == plan.UNAUTHORIZED_EXIT) & (variant == 0), 7, 3)
    custody_doc.append(trip_doc_row[released])
    custody_action.append(np.full(released.size, "release"))
    custody_at.append(release_day[released] * DAY + 10 * 3600)
    undeclared = np.flatnonzero((role == plan.UNAUTHORIZED_EXIT) & (variant == 1))
    custody_doc.append(doc_row["P1"][undeclared])
    custody_action.append(np.full(undeclared.size, "release"))
    custody_at.append((exit_day[undeclared] - 10) * DAY + 10 * 3600)

    late_days = np.where((role == plan.DOCUMENT_NOT_RETURNED) & (variant == 1), rng.integers(11, 15, n),
                         rng.integers(1, 8, n))
    returns = (comes_back & ~((role == plan.DOCUMENT_NOT_RETURNED) & (variant == 0))
               & ~((role == plan.UNREGISTERED_DOCUMENT) & (variant == 1)))
    returned = np.flatnonzero(returns)
    returned_doc = np.where((role == plan.UNAUTHORIZED_EXIT) & (variant == 1), doc_row["P1"], trip_doc_row)
    custody_doc.append(returned_doc[returned])
    custody_action.append(np.full(returned.size, "deposit"))
    custody_at.append((entry_day[returned] + late_days[returned]) * DAY + 10 * 3600)

    lost = np.flatnonzero((role == plan.CUSTODY_BREACH) & (variant == 1))
    custody_doc += [doc_row["T1"][lost], doc_row["T1"][lost]]
    custody_action += [np.full(lost.size, "release"), np.full(lost.size, "lost")]
    custody_at += [(issued["T1"][lost] + 20) * DAY + 9 * 3600, (depart[lost] - 20) * DAY + 15 * 3600]

    ledger = pl.DataFrame({
        "row": np.concatenate(custody_doc), "action": np.concatenate(custody_action),
        "seconds": np.concatenate(custody_at),
    }, schema_overrides={"row": pl.Int64, "seconds": pl.Int64}).sort("row", "seconds")
    ledger_rows = ledger["row"].to_numpy()
    custody = pl.DataFrame({
        "event_id": document_id.gather(ledger_rows) + "-C"
        + pl.Series(_rank_within(ledger_rows) + 1).cast(pl.String),
        "document_id": document_id.gather(ledger_rows), "action": ledger["action"],
        "occurred_at": timestamps(ledger["seconds"].to_numpy()),
    })

    # --- watch list --------------------------------------------------------------------------------------
    watched = role == plan.WATCHLIST_EXIT
    expired_before = (role == plan.TRAVEL) & (rng.random(n) < 0.05)
    idle = (role == plan.CALM) & (rng.random(n) < 0.003)
    starts = np.select([watched, expired_before], [exit_day - rng.integers(10, 200, n),
                                                   exit_day - rng.integers(120, 400, n)],
                       as_of_day - rng.integers(0, 300, n))
    expires = np.select([watched, expired_before], [exit_day + rng.integers(30, 365, n),
                                                    exit_day - rng.integers(1, 60, n)],
                        as_of_day + rng.integers(30, 365, n))
    entries_listed = np.flatnonzero(watched | expired_before | idle)
    ban = rng.random(n) < 0.3
    watchlist = pl.DataFrame({
        "entry_id": "W" + official_ids.str.slice(1), "official_id": official_ids,
        "measure": np.where(ban, "exit_ban", "alert_only"),
        "legal_basis": np.where(ban, "Supervision Law, article 30 (restriction on leaving the country)",
                                "Supervision Law, article 29 (notice to border control)"),
        "authority": np.array([f"Supervisory Commission of {name}" for _, name in places.provinces()])[
            ids.jurisdiction],
        "case_ref": "CASE-" + official_ids.str.slice(1),
        "starts_on": _dates(starts), "expires_on": _dates(np.maximum(expires, starts + 1)),
    })[entries_listed]

    truth = _truth(index=index, official_ids=official_ids, trip_ids=trip_ids, role=role, variant=variant,
                   partner=partner, seed=seed)
    return Chunk(documents=documents, custody=custody, trips=trips, crossings=crossings, watchlist=watchlist,
                 truth=truth)


def _document_mrz(docs: pl.DataFrame, names: pl.DataFrame, ids: people.Identities, role: np.ndarray,
                  variant: np.ndarray, owner: np.ndarray, slot: np.ndarray) -> pl.Series:
    """Valid zones (TD3 for passports, TD1 `CS` for permits); old passports have none; the planted
    INVALID_MRZ passport has a bad composite digit (variant 0), another number (1) or birth date (2)."""
    planted = (role[owner] == plan.INVALID_MRZ) & (slot == "P1")
    kind = variant[owner]
    number = docs["number"]
    wrong_number = number.str.slice(0, 8) + ((number.str.slice(8, 1).cast(pl.Int64) + 1) % 10).cast(pl.String)
    number = pl.select(pl.when(pl.lit(pl.Series(planted & (kind == 1)))).then(pl.lit(wrong_number))
                       .otherwise(pl.lit(number))).to_series()
    birth = ids.birth[owner].astype(np.int64) + np.where(planted & (kind == 2), 1, 0)
    fields = dict(
        issuing_state=pl.Series(["CHN"] * len(docs)),
        # Zones write a hyphen of a name (Wade-Giles HSIAO-MING) as a filler, as they do a space.
        family_name=names["family_name"].gather(owner).str.replace_all("-", " "),
        given_name=names["given_name"].gather(owner).str.replace_all("-", " "), number=number,
        nationality=pl.Series(["CHN"] * len(docs)),
        birth_date=_dates(birth), sex=pl.Series(np.where(ids.male[owner], "M", "F")),
        expiry_date=_dates(docs["expires"].to_numpy()),
    )
    code = pl.Series(np.where(slot == "S1", "PS", np.where(slot == "T1", "CS", "P")))
    td3 = mrz_columns.td3_column(document_code=code, **fields)
    td1 = mrz_columns.td1_column(document_code=code, **fields)
    zone = pl.select(pl.when(pl.lit(pl.Series(slot == "T1"))).then(pl.lit(td1)).otherwise(pl.lit(td3))).to_series()
    corrupt = zone.str.slice(0, 87) + ((zone.str.slice(87, 1).cast(pl.Int64, strict=False).fill_null(0) + 1) % 10
                                       ).cast(pl.String)
    return pl.select(
        pl.when(pl.lit(pl.Series(slot == "P0"))).then(pl.lit(""))
        .when(pl.lit(pl.Series(planted & (kind == 0)))).then(pl.lit(corrupt))
        .otherwise(pl.lit(zone))
    ).to_series()


def _truth(*, index, official_ids, trip_ids, role, variant, partner, seed) -> pl.DataFrame:
    """The alerts the planted officials of the chunk must raise; crossings named by `okey`."""
    rows = []

    def add(code: str, who: np.ndarray, *, ref=None, crossing: int | None = None, official=None):
        if who.size == 0:
            return
        rows.append(pl.DataFrame({
            "code": code,
            "official_id": official if official is not None else official_ids.gather(who),
            "ref": ref if ref is not None else pl.Series([None] * who.size, dtype=pl.String),
            "okey": index[who] * 2 + crossing if crossing is not None else pl.Series([None] * who.size,
                                                                                      dtype=pl.Int64),
        }, schema={"code": pl.String, "official_id": pl.String, "ref": pl.String, "okey": pl.Int64}))

    def who(r: int, v: int | None = None) -> np.ndarray:
        return np.flatnonzero((role == r) & ((variant == v) if v is not None else True))

    add("UNAUTHORIZED_EXIT", who(plan.UNAUTHORIZED_EXIT), crossing=0)
    add("DESTINATION_MISMATCH", who(plan.DESTINATION_MISMATCH), crossing=0)
    add("OVERDUE_RETURN", who(plan.OVERDUE_RETURN), ref=trip_ids.gather(who(plan.OVERDUE_RETURN)))
    add("OVERDUE_RETURN", who(plan.MISSING), ref=trip_ids.gather(who(plan.MISSING)))
    add("MISSING", who(plan.MISSING), ref=trip_ids.gather(who(plan.MISSING)))
    add("WATCHLIST_EXIT", who(plan.WATCHLIST_EXIT), crossing=0)
    for crossing in (0, 1):
        add("CUSTODY_BREACH", who(plan.CUSTODY_BREACH), crossing=crossing)
        add("UNREGISTERED_DOCUMENT", who(plan.UNREGISTERED_DOCUMENT), crossing=crossing)
        add("IDENTITY_MISMATCH", who(plan.IDENTITY_MISMATCH), crossing=crossing)
    add("UNAUTHORIZED_EXIT", who(plan.UNREGISTERED_DOCUMENT, 1), crossing=0)
    add("DOCUMENT_NOT_RETURNED", who(plan.DOCUMENT_NOT_RETURNED),
        ref=trip_ids.gather(who(plan.DOCUMENT_NOT_RETURNED)))
    copying = who(plan.DUPLICATE_DOCUMENT, 0)
    first = np.minimum(index[copying], partner[copying])
    second = np.maximum(index[copying], partner[copying])
    first_id = "O" + pl.Series(first).cast(pl.String).str.zfill(8)
    second_id = "O" + pl.Series(second).cast(pl.String).str.zfill(8)
    add("DUPLICATE_DOCUMENT", copying, ref=first_id + "-P1;" + second_id + "-P1", official=first_id)
    overlapping = who(plan.DUPLICATE_DOCUMENT, 1)
    add("DUPLICATE_DOCUMENT", overlapping,
        ref=official_ids.gather(overlapping) + "-P1;" + official_ids.gather(overlapping) + "-P2")
    add("INVALID_MRZ", who(plan.INVALID_MRZ), ref=official_ids.gather(who(plan.INVALID_MRZ)) + "-P1")
    add("NAKED_OFFICIAL", who(plan.NAKED_OFFICIAL), ref=official_ids.gather(who(plan.NAKED_OFFICIAL)))
    if not rows:
        return pl.DataFrame(schema={"code": pl.String, "official_id": pl.String, "ref": pl.String, "okey": pl.Int64})
    return pl.concat(rows)


def _rank_within(sorted_keys: np.ndarray) -> np.ndarray:
    starts = np.ones(sorted_keys.size, dtype=bool)
    starts[1:] = sorted_keys[1:] != sorted_keys[:-1]
    first = np.maximum.accumulate(np.where(starts, np.arange(sorted_keys.size), 0))
    return np.arange(sorted_keys.size) - first
