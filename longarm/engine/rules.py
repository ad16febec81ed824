"""The alert rules of the exchange-format spec ("Alerts"), one pure function per rule.

Every function takes Polars frames and a parameter dict and returns a frame
of the columns in `ALERT_COLUMNS`: one row per alert, identified by
`(code, official_id, ref)`, with the ids of the records behind it.
Nothing here knows Django; `longarm.engine.reconcile` calls them in turn.

Input frames (only the columns a rule reads need be present):

- `crossings` are *owned* crossings, the output of `owned_crossings`: one row
  per (crossing, official it belongs to), with `event_id, direction,
  occurred_at` (UTC), `local_date, port_jurisdiction, counterpart_country,
  date_of_birth, name_key, name_key_swapped, official_id, via`
  (`document` or `identity`) and `document_id` (when via a document);
- `trips`: `trip_id, official_id, document_id, destinations` (`;` list),
  `depart_on, return_on, status`;
- `custody`: `event_id, document_id, action, occurred_at, local_date`;
- `documents`: `document_id, official_id, doc_type, number_norm,
  issuing_state, issued_on, expires_on` (and `mrz` etc. for INVALID_MRZ);
- `officials`: `official_id, name_key, date_of_birth, sex`;
- `watchlist`: `entry_id, official_id, measure, starts_on, expires_on`;
- `relatives`: `relative_id, official_id, relation, residence_country,
  residence_status, nationalities`.

`params`: `as_of` (a date), `exit_tolerance_days`, `return_grace_days`,
`missing_after_days`, `document_return_days`, `home_country`.

`raised_on` is a fact of the data, not of the run: the first as-of date on
which every record behind the alert is known and the rule's date condition
holds. Rules that no dated record decides (DUPLICATE_DOCUMENT, INVALID_MRZ,
NAKED_OFFICIAL) leave it empty. This is what makes daily runs and one run
agree, and lets an earlier as-of run leave later alerts alone.
"""

import datetime

import polars as pl

from longarm.engine.normalize import name_key_expr

ALERT_SCHEMA: dict[str, pl.DataType] = {
    "code": pl.String,
    "official_id": pl.String,
    "ref": pl.String,
    "raised_on": pl.Date,
    "detail": pl.String,
    "event_ids": pl.String,  # the crossings behind the alert, `;` separated
    "trip_id": pl.String,
    "document_ids": pl.String,
    "custody_event_id": pl.String,
    "entry_ids": pl.String,  # watch-list entries
    "relative_ids": pl.String,
    "other_official_ids": pl.String,
    "crossing_jurisdictions": pl.String,  # port jurisdictions of those crossings, `;` separated
}
ALERT_COLUMNS = list(ALERT_SCHEMA)

OWNER_SCHEMA: dict[str, pl.DataType] = {"event_id": pl.String, "official_id": pl.String, "via": pl.String,
                                        "document_id": pl.String}

HELD_LOST_CANCELLED = ["deposit", "lost", "cancel"]
CUSTODY_STATE = {"deposit": "held", "release": "released", "lost": "lost", "cancel": "cancelled"}


def _days(n: int) -> pl.Expr:
    return pl.duration(days=n)


def _finish(frame: pl.DataFrame, code: str) -> pl.DataFrame:
    """Shape a rule's rows into the common alert schema (missing columns are empty)."""
    columns = []
    for name, dtype in ALERT_SCHEMA.items():
        if name == "code":
            columns.append(pl.lit(code, dtype=pl.String).alias("code"))
        elif name in frame.columns:
            columns.append(pl.col(name).cast(dtype))
        else:
            columns.append(pl.lit(None, dtype=dtype).alias(name))
    return frame.select(columns)


def _joined(column: str) -> pl.Expr:
    """Aggregate: the sorted distinct non-empty values of a column, `;` separated."""
    return pl.col(column).drop_nulls().unique().sort().str.join(";")


# --- belongs to ------------------------------------------------------------------------------------------------


def crossing_owners(crossings: pl.DataFrame, documents: pl.DataFrame, officials: pl.DataFrame) -> pl.DataFrame:
    """Who each crossing belongs to: `event_id, official_id, via, document_id`.

    A crossing belongs to an official when its `(issuing_state, doc_number)`
    is a registered document of that official (every such official: a number
    registered to two officials gives two owners); otherwise, when its
    document is not registered at all, to the one official with the same date
    of birth, sex and normalised full name (family and given name may be
    swapped), if exactly one matches. Document numbers compare normalised.
    """
    keys = crossings.select("event_id", "issuing_state", "doc_number_norm")
    by_document = keys.join(
        documents.select("issuing_state", pl.col("number_norm").alias("doc_number_norm"), "official_id",
                         "document_id"),
        on=["issuing_state", "doc_number_norm"], how="inner",
    ).select("event_id", "official_id", pl.lit("document").alias("via"), "document_id")

    unregistered = crossings.join(
        documents.select("issuing_state", pl.col("number_norm").alias("doc_number_norm")).unique(),
        on=["issuing_state", "doc_number_norm"], how="anti",
    )
    people = officials.select("official_id", "date_of_birth", "sex", "name_key")
    candidates = unregistered.select(
        "event_id", "date_of_birth", "sex",
        name_key_expr("family_name", "given_name").alias("straight"),
        name_key_expr("given_name", "family_name").alias("swapped"),
    )
    matches = pl.concat([
        candidates.join(people, left_on=["date_of_birth", "sex", key], right_on=["date_of_birth", "sex", "name_key"])
        .select("event_id", "official_id")
        for key in ("straight", "swapped")
    ]).unique()
    by_identity = (
        matches.filter(pl.len().over("event_id") == 1)
        .select("event_id", "official_id", pl.lit("identity").alias("via"), pl.lit(None, dtype=pl.String)
                .alias("document_id"))
    )
    return pl.concat([by_document.cast(OWNER_SCHEMA), by_identity.cast(OWNER_SCHEMA)])


def owned_crossings(crossings: pl.DataFrame, owners: pl.DataFrame) -> pl.DataFrame:
    """The crossings that belong to officials, one row per (crossing, owner), with their name keys."""
    return crossings.join(owners, on="event_id", how="inner").with_columns(
        name_key_expr("family_name", "given_name").alias("name_key"),
        name_key_expr("given_name", "family_name").alias("name_key_swapped"),
    )


# --- exits and trips -------------------------------------------------------------------------------------------


def _exits(crossings: pl.DataFrame) -> pl.DataFrame:
    return crossings.filter(pl.col("direction") == "exit")


def _covering(crossings: pl.DataFrame, trips: pl.DataFrame, params: dict) -> pl.DataFrame:
    """(exit, approved trip) pairs where the trip covers the exit:
    local date in `[depart_on − exit_tolerance_days, return_on]`."""
    approved = trips.filter(pl.col("status") == "approved").select(
        "trip_id", "official_id", "destinations", "depart_on", "return_on",
        pl.col("document_id").alias("trip_document_id"),
    )
    return _exits(crossings).join(approved, on="official_id", how="inner").filter(
        pl.col("local_date").is_between(pl.col("depart_on") - _days(params["exit_tolerance_days"]),
                                        pl.col("return_on"), closed="both")
    )


def unauthorized_exits(crossings: pl.DataFrame, trips: pl.DataFrame, params: dict) -> pl.DataFrame:
    """UNAUTHORIZED_EXIT: an exit belongs to an official and no approved trip of that official covers it."""
    covered = _covering(crossings, trips, params).select("event_id", "official_id").unique()
    found = _exits(crossings).join(covered, on=["event_id", "official_id"], how="anti")
    return _finish(found.with_columns(
        ref=pl.col("event_id"), raised_on=pl.col("local_date"), event_ids=pl.col("event_id"),
        crossing_jurisdictions=pl.col("port_jurisdiction"),
        detail=pl.format("Exit on {} at {} ({}) with no approved trip covering it.",
                         pl.col("local_date").dt.to_string("%Y-%m-%d"), pl.col("port"),
                         pl.col("port_jurisdiction")),
    ), "UNAUTHORIZED_EXIT")


def destination_mismatches(crossings: pl.DataFrame, trips: pl.DataFrame, params: dict) -> pl.DataFrame:
    """DESTINATION_MISMATCH: a covered exit with a `counterpart_country` that no covering trip lists."""
    pairs = _covering(crossings, trips, params).filter(
        pl.col("counterpart_country").is_not_null() & (pl.col("counterpart_country") != "")
    ).with_columns(
        listed=pl.col("destinations").str.split(";").list.contains(pl.col("counterpart_country"))
    )
    found = pairs.group_by("event_id", "official_id").agg(
        pl.col("listed").any(), pl.first("local_date"), pl.first("port_jurisdiction"),
        pl.first("counterpart_country"), trip_ids=_joined("trip_id"),
    ).filter(~pl.col("listed"))
    return _finish(found.with_columns(
        ref=pl.col("event_id"), raised_on=pl.col("local_date"), event_ids=pl.col("event_id"),
        trip_id=pl.col("trip_ids"), crossing_jurisdictions=pl.col("port_jurisdiction"),
        detail=pl.format("Exit on {} towards {}, a country that no covering trip ({}) lists.",
                         pl.col("local_date").dt.to_string("%Y-%m-%d"), pl.col("counterpart_country"),
                         pl.col("trip_ids")),
    ), "DESTINATION_MISMATCH")


def trip_exits(crossings: pl.DataFrame, trips: pl.DataFrame, params: dict) -> pl.DataFrame:
    """A trip's exit: the first exit of its official that the (approved) trip covers."""
    return (
        _covering(crossings, trips, params)
        .sort("occurred_at", "event_id")
        .group_by("trip_id", maintain_order=True)
        .first()
        .select("trip_id", "official_id", "trip_document_id", "depart_on", "return_on",
                pl.col("event_id").alias("exit_event_id"), pl.col("occurred_at").alias("exit_at"),
                pl.col("local_date").alias("exit_on"), pl.col("port_jurisdiction").alias("exit_jurisdiction"))
    )


def _not_back(crossings: pl.DataFrame, trips: pl.DataFrame, params: dict, days: int, code: str,
              wording: str) -> pl.DataFrame:
    """A trip has an exit, its official has no entry after that exit with local date ≤ return_on + days,
    and as_of > return_on + days (raised on return_on + days + 1)."""
    as_of = params["as_of"]
    exits = trip_exits(crossings, trips, params).with_columns(deadline=pl.col("return_on") + _days(days))
    exits = exits.filter(pl.col("deadline") < pl.lit(as_of, dtype=pl.Date))
    entries = crossings.filter(pl.col("direction") == "entry").select(
        "official_id", pl.col("occurred_at").alias("entry_at"), pl.col("local_date").alias("entry_on"))
    back = exits.join(entries, on="official_id", how="inner").filter(
        (pl.col("entry_at") > pl.col("exit_at")) & (pl.col("entry_on") <= pl.col("deadline"))
    ).select("trip_id").unique()
    found = exits.join(back, on="trip_id", how="anti")
    return _finish(found.with_columns(
        ref=pl.col("trip_id"), raised_on=pl.col("deadline") + _days(1), event_ids=pl.col("exit_event_id"),
        document_ids=pl.col("trip_document_id"), crossing_jurisdictions=pl.col("exit_jurisdiction"),
        detail=pl.format("Left on {} for trip {} due back {}, and no entry is on record by {}" + wording + ".",
                         pl.col("exit_on").dt.to_string("%Y-%m-%d"), pl.col("trip_id"),
                         pl.col("return_on").dt.to_string("%Y-%m-%d"),
                         pl.col("deadline").dt.to_string("%Y-%m-%d")),
    ), code)


def overdue_returns(crossings: pl.DataFrame, trips: pl.DataFrame, params: dict) -> pl.DataFrame:
    """OVERDUE_RETURN: no entry after the trip's exit by `return_on + return_grace_days`, and D is past that."""
    return _not_back(crossings, trips, params, params["return_grace_days"], "OVERDUE_RETURN", "")


def missing(crossings: pl.DataFrame, trips: pl.DataFrame, params: dict) -> pl.DataFrame:
    """MISSING: as OVERDUE_RETURN, with `missing_after_days` in place of `return_grace_days`."""
    days = params["missing_after_days"]
    return _not_back(crossings, trips, params, days, "MISSING", f" ({days} days after the return date)")


def watchlist_exits(crossings: pl.DataFrame, watchlist: pl.DataFrame, params: dict) -> pl.DataFrame:
    """WATCHLIST_EXIT: an exit of an official with a watch-list entry (either measure) whose
    `[starts_on, expires_on]` holds the exit's local date."""
    hits = _exits(crossings).join(
        watchlist.select("entry_id", "official_id", "measure", "starts_on", "expires_on"), on="official_id"
    ).filter(pl.col("local_date").is_between(pl.col("starts_on"), pl.col("expires_on"), closed="both"))
    found = hits.group_by("event_id", "official_id").agg(
        pl.first("local_date"), pl.first("port"), pl.first("port_jurisdiction"),
        entry_ids=_joined("entry_id"), measures=_joined("measure"),
    )
    return _finish(found.with_columns(
        ref=pl.col("event_id"), raised_on=pl.col("local_date"), event_ids=pl.col("event_id"),
        crossing_jurisdictions=pl.col("port_jurisdiction"),
        detail=pl.format("Exit on {} at {} while on the watch list ({}: {}).",
                         pl.col("local_date").dt.to_string("%Y-%m-%d"), pl.col("port"), pl.col("measures"),
                         pl.col("entry_ids")),
    ), "WATCHLIST_EXIT")


# --- documents and custody -------------------------------------------------------------------------------------


def _by_document(crossings: pl.DataFrame) -> pl.DataFrame:
    return crossings.filter(pl.col("via") == "document")


def custody_breaches(crossings: pl.DataFrame, custody: pl.DataFrame, params: dict) -> pl.DataFrame:
    """CUSTODY_BREACH: a crossing uses a registered document whose custody state at `occurred_at`
    (its last custody event at or before that moment) is held, lost or cancelled.

    Raised on the later of the crossing's and the deciding custody event's local dates.
    """
    used = _by_document(crossings).select("event_id", "official_id", "document_id", "occurred_at", "local_date",
                                          "direction", "port_jurisdiction")
    ledger = custody.select("document_id", pl.col("event_id").alias("custody_event_id"), "action",
                            pl.col("occurred_at").alias("custody_at"), pl.col("local_date").alias("custody_on"))
    last = (
        used.join(ledger, on="document_id", how="inner")
        .filter(pl.col("custody_at") <= pl.col("occurred_at"))
        .sort("custody_at", "custody_event_id")
        .group_by("event_id", "official_id", "document_id", maintain_order=True)
        .last()
    )
    found = last.filter(pl.col("action").is_in(HELD_LOST_CANCELLED)).with_columns(
        state=pl.col("action").replace_strict(CUSTODY_STATE, return_dtype=pl.String))
    return _finish(found.with_columns(
        ref=pl.col("event_id"), raised_on=pl.max_horizontal("local_date", "custody_on"),
        event_ids=pl.col("event_id"), document_ids=pl.col("document_id"),
        crossing_jurisdictions=pl.col("port_jurisdiction"),
        detail=pl.format("An {} on {} used document {}, which was {} at that moment (custody event {}).",
                         pl.col("direction"), pl.col("local_date").dt.to_string("%Y-%m-%d"),
                         pl.col("document_id"), pl.col("state"), pl.col("custody_event_id")),
    ), "CUSTODY_BREACH")


def unregistered_documents(crossings: pl.DataFrame, params: dict) -> pl.DataFrame:
    """UNREGISTERED_DOCUMENT: a crossing belongs to an official by identity, with a document that is
    not registered (by construction of `crossing_owners`, identity is only tried then)."""
    found = crossings.filter(pl.col("via") == "identity")
    return _finish(found.with_columns(
        ref=pl.col("event_id"), raised_on=pl.col("local_date"), event_ids=pl.col("event_id"),
        crossing_jurisdictions=pl.col("port_jurisdiction"),
        detail=pl.format("An {} on {} with {} {} {}, a document not registered to the official.",
                         pl.col("direction"), pl.col("local_date").dt.to_string("%Y-%m-%d"),
                         pl.col("issuing_state"), pl.col("doc_type"), pl.col("doc_number")),
    ), "UNREGISTERED_DOCUMENT")


def identity_mismatches(crossings: pl.DataFrame, officials: pl.DataFrame, params: dict) -> pl.DataFrame:
    """IDENTITY_MISMATCH: a crossing uses a registered document, and its date of birth or normalised name
    differs from the holder's. Names compare as in "belongs to": family and given name may be swapped."""
    holders = officials.select("official_id", pl.col("date_of_birth").alias("holder_dob"),
                               pl.col("name_key").alias("holder_key"))
    pairs = _by_document(crossings).join(holders, on="official_id", how="inner").with_columns(
        dob_differs=pl.col("date_of_birth") != pl.col("holder_dob"),
        name_differs=(pl.col("name_key") != pl.col("holder_key"))
        & (pl.col("name_key_swapped") != pl.col("holder_key")),
    )
    found = pairs.filter(pl.col("dob_differs") | pl.col("name_differs")).with_columns(
        what=pl.when(pl.col("dob_differs") & pl.col("name_differs")).then(pl.lit("name and date of birth"))
        .when(pl.col("dob_differs")).then(pl.lit("date of birth")).otherwise(pl.lit("name"))
    )
    return _finish(found.with_columns(
        ref=pl.col("event_id"), raised_on=pl.col("local_date"), event_ids=pl.col("event_id"),
        document_ids=pl.col("document_id"), crossing_jurisdictions=pl.col("port_jurisdiction"),
        detail=pl.format("An {} on {} used document {} under a {} that differs from its holder's.",
                         pl.col("direction"), pl.col("local_date").dt.to_string("%Y-%m-%d"),
                         pl.col("document_id"), pl.col("what")),
    ), "IDENTITY_MISMATCH")


def documents_not_returned(crossings: pl.DataFrame, trips: pl.DataFrame, custody: pl.DataFrame,
                           params: dict) -> pl.DataFrame:
    """DOCUMENT_NOT_RETURNED: a trip with a document has an exit and a later entry of its official (the
    first, at `t`); no deposit of that document after `t` with local date ≤ local date of `t` +
    `document_return_days`; and D is past that date (raised the day after it)."""
    days = params["document_return_days"]
    exits = trip_exits(crossings, trips, params).filter(pl.col("trip_document_id").is_not_null())
    entries = crossings.filter(pl.col("direction") == "entry").select(
        "official_id", pl.col("event_id").alias("entry_event_id"), pl.col("occurred_at").alias("entry_at"),
        pl.col("local_date").alias("entry_on"), pl.col("port_jurisdiction").alias("entry_jurisdiction"))
    returned = (
        exits.join(entries, on="official_id", how="inner")
        .filter(pl.col("entry_at") > pl.col("exit_at"))
        .sort("entry_at", "entry_event_id")
        .group_by("trip_id", maintain_order=True)
        .first()
        .with_columns(deadline=pl.col("entry_on") + _days(days))
        .filter(pl.col("deadline") < pl.lit(params["as_of"], dtype=pl.Date))
    )
    deposits = custody.filter(pl.col("action") == "deposit").select(
        pl.col("document_id").alias("trip_document_id"), pl.col("occurred_at").alias("deposit_at"),
        pl.col("local_date").alias("deposit_on"))
    deposited = returned.join(deposits, on="trip_document_id", how="inner").filter(
        (pl.col("deposit_at") > pl.col("entry_at")) & (pl.col("deposit_on") <= pl.col("deadline"))
    ).select("trip_id").unique()
    found = returned.join(deposited, on="trip_id", how="anti")
    return _finish(found.with_columns(
        ref=pl.col("trip_id"), raised_on=pl.col("deadline") + _days(1),
        event_ids=pl.concat_str("exit_event_id", "entry_event_id", separator=";"),
        document_ids=pl.col("trip_document_id"),
        crossing_jurisdictions=pl.concat_str("exit_jurisdiction", "entry_jurisdiction", separator=";"),
        detail=pl.format("Back from trip {} on {}, and document {} was not deposited by {}.",
                         pl.col("trip_id"), pl.col("entry_on").dt.to_string("%Y-%m-%d"),
                         pl.col("trip_document_id"), pl.col("deadline").dt.to_string("%Y-%m-%d")),
    ), "DOCUMENT_NOT_RETURNED")


def custody_states(custody: pl.DataFrame) -> pl.DataFrame:
    """Each document's last custody action among the events given (`document_id, action`)."""
    return (custody.sort("occurred_at", "event_id").group_by("document_id", maintain_order=True).last()
            .select("document_id", "action"))


def _pairs(documents: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Distinct unordered pairs of documents sharing `keys` (`_a` has the smaller id)."""
    shared = documents.filter(pl.len().over(keys) > 1)
    right = shared.rename({c: f"{c}_b" for c in shared.columns if c not in keys})
    return shared.join(right, on=keys, how="inner").filter(pl.col("document_id") < pl.col("document_id_b"))


def duplicate_documents(documents: pl.DataFrame, custody: pl.DataFrame, params: dict) -> pl.DataFrame:
    """DUPLICATE_DOCUMENT, one alert per pair (ref: the two document ids, sorted, `;` separated):

    - two registered documents of different officials share (issuing_state, doc_type, number), the
      number compared normalised; the alert goes to the holder of the first document of the pair, the
      other holder is in the evidence and notified;
    - one official holds two documents of the same doc_type whose `[issued_on, expires_on]` overlap (no
      issued_on: valid since always), and neither is lost or cancelled by its custody state at the end
      of D (custody events up to D).
    """
    docs = documents.select("document_id", "official_id", "doc_type", "number_norm", "issuing_state",
                            "issued_on", "expires_on")
    shared = _pairs(docs, ["issuing_state", "doc_type", "number_norm"]).filter(
        pl.col("official_id") != pl.col("official_id_b")
    ).with_columns(
        other_official_ids=pl.col("official_id_b"),
        detail=pl.format("Documents {} and {} of officials {} and {} share the number {} {} {}.",
                         pl.col("document_id"), pl.col("document_id_b"), pl.col("official_id"),
                         pl.col("official_id_b"), pl.col("issuing_state"), pl.col("doc_type"),
                         pl.col("number_norm")),
    )
    ended = custody_states(custody).filter(pl.col("action").is_in(["lost", "cancel"])).select("document_id")
    live = docs.join(ended, on="document_id", how="anti")
    overlapping = _pairs(live, ["official_id", "doc_type"]).filter(
        (pl.col("issued_on").is_null() | (pl.col("issued_on") <= pl.col("expires_on_b")))
        & (pl.col("issued_on_b").is_null() | (pl.col("issued_on_b") <= pl.col("expires_on")))
    ).with_columns(
        detail=pl.format("Documents {} and {}, both {} of the same official, are valid at the same time.",
                         pl.col("document_id"), pl.col("document_id_b"), pl.col("doc_type")),
    )
    found = pl.concat([
        f.select("official_id", "document_id", "document_id_b", "detail",
                 pl.col("other_official_ids") if "other_official_ids" in f.columns
                 else pl.lit(None, dtype=pl.String).alias("other_official_ids"))
        for f in (shared, overlapping)
    ])
    return _finish(found.with_columns(
        ref=pl.concat_str("document_id", "document_id_b", separator=";"),
        document_ids=pl.concat_str("document_id", "document_id_b", separator=";"),
    ), "DUPLICATE_DOCUMENT")


def invalid_mrz(documents: pl.DataFrame, officials: pl.DataFrame, params: dict) -> pl.DataFrame:
    """INVALID_MRZ: a document's MRZ fails a check digit or disagrees with the document or its holder
    (the checks themselves are `longarm.engine.mrz_checks.mrz_problems`)."""
    from longarm.engine.mrz_checks import mrz_problems

    problems = mrz_problems(documents, officials)
    found = problems.join(documents.select("document_id", "official_id"), on="document_id", how="inner")
    return _finish(found.with_columns(
        ref=pl.col("document_id"), document_ids=pl.col("document_id"),
        detail=pl.format("The MRZ of document {} is invalid: {}.", pl.col("document_id"),
                         pl.col("problems").cast(pl.List(pl.String)).list.join(", ")
                         if problems.schema["problems"] != pl.String else pl.col("problems")),
    ), "INVALID_MRZ")


# --- family --------------------------------------------------------------------------------------------------


def emigrated_expr(home_country: str) -> pl.Expr:
    """The spec's "emigrated": abroad, and a citizen or permanent resident, or holding a nationality
    other than home_country."""
    other_nationality = (
        pl.col("nationalities").fill_null("").str.split(";").list.eval(
            (pl.element() != "") & (pl.element() != home_country)).list.any()
    )
    return (pl.col("residence_country") != home_country) & (
        pl.col("residence_status").is_in(["citizen", "permanent_resident"]) | other_nationality
    )


def naked_officials(relatives: pl.DataFrame, params: dict) -> pl.DataFrame:
    """NAKED_OFFICIAL: the official's spouse has emigrated; or the official has no spouse, at least one
    child, and every child has emigrated."""
    family = relatives.filter(pl.col("relation").is_in(["spouse", "child"])).with_columns(
        emigrated=emigrated_expr(params["home_country"]))
    per_official = family.group_by("official_id").agg(
        spouses=(pl.col("relation") == "spouse").sum(),
        spouse_emigrated=((pl.col("relation") == "spouse") & pl.col("emigrated")).any(),
        children=(pl.col("relation") == "child").sum(),
        children_emigrated=((pl.col("relation") == "child") & pl.col("emigrated")).sum(),
        emigrated_spouse_ids=pl.col("relative_id").filter((pl.col("relation") == "spouse") & pl.col("emigrated"))
        .sort().str.join(";"),
        child_ids=pl.col("relative_id").filter(pl.col("relation") == "child").sort().str.join(";"),
    )
    by_spouse = pl.col("spouse_emigrated")
    by_children = (pl.col("spouses") == 0) & (pl.col("children") > 0) & (pl.col("children_emigrated")
                                                                         == pl.col("children"))
    found = per_official.filter(by_spouse | by_children)
    return _finish(found.with_columns(
        ref=pl.col("official_id"),
        relative_ids=pl.when(by_spouse).then(pl.col("emigrated_spouse_ids")).otherwise(pl.col("child_ids")),
        detail=pl.when(by_spouse).then(pl.lit("The official's spouse has emigrated."))
        .otherwise(pl.format("The official has no spouse, and every child ({} in all) has emigrated.",
                             pl.col("children"))),
    ), "NAKED_OFFICIAL")


def empty_alerts() -> pl.DataFrame:
    return pl.DataFrame(schema=ALERT_SCHEMA)


def as_date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))
