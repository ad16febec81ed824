"""Reconciliation: every alert rule of the spec (but DUPLICATE_IDENTITY) over one snapshot.

Pure orchestration. Frames in (see `longarm.engine.rules` for their
columns), one alerts frame out with `severity`, `jurisdiction` (the
official's: responsible) and `reported_to` (the other jurisdictions where the
crossings behind the alert happened), plus the crossing owners so that the
caller can record who each crossing belongs to.
"""

import time
from dataclasses import dataclass, field

import polars as pl

from longarm.engine import rules

SEVERITY = {
    "WATCHLIST_EXIT": "critical",
    "MISSING": "critical",
    "UNAUTHORIZED_EXIT": "high",
    "OVERDUE_RETURN": "high",
    "CUSTODY_BREACH": "high",
    "IDENTITY_MISMATCH": "high",
    "DUPLICATE_DOCUMENT": "high",
    "DESTINATION_MISMATCH": "medium",
    "UNREGISTERED_DOCUMENT": "medium",
    "DOCUMENT_NOT_RETURNED": "medium",
    "NAKED_OFFICIAL": "medium",
    "INVALID_MRZ": "low",
}
CODES = list(SEVERITY)

# Why an alert that a later run no longer finds is withdrawn, said per rule.
WITHDRAWAL_REASON = {
    "UNAUTHORIZED_EXIT": "An approved trip now covers this exit, or the exit no longer belongs to the official.",
    "DESTINATION_MISMATCH": "A covering trip now lists the destination, or the exit is no longer covered.",
    "OVERDUE_RETURN": "An entry in time is now on record, or the trip no longer has an exit.",
    "MISSING": "An entry in time is now on record, or the trip no longer has an exit.",
    "WATCHLIST_EXIT": "No watch-list entry holds the exit's date any more, or the exit no longer belongs "
                      "to the official.",
    "CUSTODY_BREACH": "The custody ledger now shows the document released at the moment of the crossing.",
    "UNREGISTERED_DOCUMENT": "The document is now registered, or the crossing no longer matches exactly "
                             "this official.",
    "IDENTITY_MISMATCH": "The crossing's name and date of birth now agree with the holder's records.",
    "DOCUMENT_NOT_RETURNED": "A deposit in time is now on record, or the trip no longer has a return.",
    "DUPLICATE_DOCUMENT": "The two documents no longer conflict (corrected, or one is lost or cancelled).",
    "INVALID_MRZ": "The document's MRZ now passes every check.",
    "NAKED_OFFICIAL": "The declared family no longer meets the rule.",
}

# The rules on the registry alone: no crossing decides them (a daily run decides them for the officials whose
# registry changed, see `reconcile`'s `registry_scope`).
REGISTRY_CODES = ("DUPLICATE_DOCUMENT", "INVALID_MRZ", "NAKED_OFFICIAL")

PARAMETER_NAMES = ("exit_tolerance_days", "return_grace_days", "missing_after_days", "document_return_days")


@dataclass
class Reconciliation:
    alerts: pl.DataFrame
    owners: pl.DataFrame
    seconds: dict[str, float] = field(default_factory=dict)


def known_by(frame: pl.DataFrame, as_of) -> pl.DataFrame:
    """Rows with a local date up to `as_of` inclusive: all that is known on that day."""
    return frame.filter(pl.col("local_date") <= pl.lit(as_of, dtype=pl.Date))


def reconcile(*, crossings: pl.DataFrame, documents: pl.DataFrame, officials: pl.DataFrame,
              custody: pl.DataFrame, trips: pl.DataFrame, watchlist: pl.DataFrame, relatives: pl.DataFrame,
              params: dict, check_mrz: bool = True, registry_scope: pl.DataFrame | None = None) -> Reconciliation:
    """Evaluate the rules on all data known up to `params["as_of"]`; one row per alert.

    Crossings and custody events count when their local date is ≤ as_of; the
    registries (officials, documents, trips, watch list, relatives) are taken
    as they stand, having no date of their own in the exchange formats.
    `officials` must hold `jurisdiction` as well as the identity columns.

    `registry_scope` (an `official_id` frame): the frames hold the registry of
    these officials only (a daily run's changes), so the rules on the registry
    alone (`REGISTRY_CODES`) give only their alerts; without it, everyone's.
    """
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    as_of = params["as_of"]
    crossings = known_by(crossings, as_of)
    custody = known_by(custody, as_of)
    owners = rules.crossing_owners(crossings, documents, officials)
    owned = rules.owned_crossings(crossings, owners)
    seconds["match"] = time.perf_counter() - started

    started = time.perf_counter()
    registry = [rules.duplicate_documents(documents, custody, params), rules.naked_officials(relatives, params)]
    if check_mrz:
        registry.append(rules.invalid_mrz(documents, officials, params))
    if registry_scope is not None:
        registry = [rule_alerts.join(registry_scope.select("official_id"), on="official_id", how="semi")
                    for rule_alerts in registry]
    found = [
        rules.unauthorized_exits(owned, trips, params),
        rules.destination_mismatches(owned, trips, params),
        rules.overdue_returns(owned, trips, params),
        rules.missing(owned, trips, params),
        rules.watchlist_exits(owned, watchlist, params),
        rules.custody_breaches(owned, custody, params),
        rules.unregistered_documents(owned, params),
        rules.identity_mismatches(owned, officials, params),
        rules.documents_not_returned(owned, trips, custody, params),
        *registry,
    ]
    alerts = pl.concat(found, how="vertical")
    alerts = route(alerts, officials)
    seconds["rules"] = time.perf_counter() - started
    return Reconciliation(alerts=alerts, owners=owners, seconds=seconds)


def route(alerts: pl.DataFrame, officials: pl.DataFrame) -> pl.DataFrame:
    """Add severity, the responsible jurisdiction (the official's) and `reported_to`: the other
    jurisdictions involved (ports of the crossings, home of the other official of a shared document),
    sorted, `;` separated."""
    home = officials.select("official_id", "jurisdiction")
    alerts = alerts.join(home, on="official_id", how="left")
    other_homes = (
        alerts.select("code", "official_id", "ref", pl.col("other_official_ids").str.split(";"))
        .explode("other_official_ids").drop_nulls("other_official_ids")
        .join(home.rename({"official_id": "other_official_ids", "jurisdiction": "other_home"}),
              on="other_official_ids", how="inner")
        .group_by("code", "official_id", "ref").agg(pl.col("other_home"))
    )
    alerts = alerts.join(other_homes, on=["code", "official_id", "ref"], how="left")
    involved = pl.concat_list(
        pl.col("crossing_jurisdictions").fill_null("").str.split(";"),
        pl.col("other_home").fill_null(pl.lit([], dtype=pl.List(pl.String))),
    )
    reported = involved.list.eval(pl.element().filter(pl.element() != "")).list.unique().list.sort()
    return alerts.with_columns(
        severity=pl.col("code").replace_strict(SEVERITY, return_dtype=pl.String),
        reported_to=reported.list.set_difference(pl.concat_list(pl.col("jurisdiction"))).list.sort().list.join(";"),
    ).drop("other_home").sort("code", "official_id", "ref")
