"""Automatic pre-checks shown beside a travel request, each with its reason.

`evaluate` is a pure function of the facts (gathered by
`longarm.travel.selectors.trip_precheck_facts`), so every rule is testable
without a database. Only an exit ban blocks approval; the rest warn the
approver, and a passed check says what was checked.
"""

import datetime
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    BLOCK = "block"
    WARN = "warn"
    OK = "ok"


class Code(StrEnum):
    EXIT_BAN = "exit_ban"
    WATCHLIST_ALERT = "watchlist_alert"
    OPEN_ALERTS = "open_alerts"
    NAKED_OFFICIAL_SENSITIVE_POST = "naked_official_sensitive_post"
    DOCUMENT_EXPIRY = "document_expiry"
    DOCUMENT_MRZ = "document_mrz"
    DOCUMENT_CUSTODY = "document_custody"
    FREQUENT_TRAVEL = "frequent_travel"


@dataclass(frozen=True)
class Precheck:
    code: str
    severity: Severity
    message: str

    def as_dict(self) -> dict:
        return {"code": str(self.code), "severity": str(self.severity), "message": self.message}


@dataclass(frozen=True)
class WatchlistFact:
    entry_id: str
    measure: str
    legal_basis: str
    authority: str
    starts_on: datetime.date
    expires_on: datetime.date


@dataclass(frozen=True)
class DocumentFact:
    document_id: str
    expires_on: datetime.date
    has_mrz: bool
    # None: the MRZ could not be checked (no MRZ module); otherwise the problems found.
    mrz_problems: tuple[str, ...] | None
    # The custody state now: "deposit" (held), "release", "lost", "cancel", or "" (no event).
    custody_action: str


@dataclass(frozen=True)
class TripFacts:
    depart_on: datetime.date
    return_on: datetime.date
    # Confirmed watch-list entries in force on at least one day of the trip.
    watchlist: tuple[WatchlistFact, ...]
    # None: the alerts app is not available, so alerts were not checked.
    open_alerts: int | None
    sensitive_post: bool
    # (relation, emigrated) of every declared relative.
    relatives: tuple[tuple[str, bool], ...]
    # The document named on the request, or None.
    document: DocumentFact | None
    # Documents of the official held in custody now (used when the request names none).
    documents_held: int
    trips_last_12_months: int
    frequent_travel_threshold: int


def is_naked_official(relatives: tuple[tuple[str, bool], ...]) -> bool:
    """The spec's NAKED_OFFICIAL rule: spouse emigrated; or no spouse, a child, and every child emigrated."""
    spouses = [emigrated for relation, emigrated in relatives if relation == "spouse"]
    if spouses:
        return any(spouses)
    children = [emigrated for relation, emigrated in relatives if relation == "child"]
    return bool(children) and all(children)


def _watchlist_checks(facts: TripFacts) -> list[Precheck]:
    bans = [e for e in facts.watchlist if e.measure == "exit_ban"]
    alerts = [e for e in facts.watchlist if e.measure == "alert_only"]
    checks = []
    if bans:
        checks.extend(
            Precheck(Code.EXIT_BAN, Severity.BLOCK,
                     f"Exit ban {e.entry_id} ({e.legal_basis}; decided by {e.authority}) is in force from "
                     f"{e.starts_on} to {e.expires_on}, covering the trip dates: the request cannot be approved.")
            for e in bans
        )
    else:
        checks.append(Precheck(Code.EXIT_BAN, Severity.OK, "No exit ban in force on the trip dates."))
    if alerts:
        checks.extend(
            Precheck(Code.WATCHLIST_ALERT, Severity.WARN,
                     f"Alert-only watch-list entry {e.entry_id} ({e.legal_basis}; {e.authority}) is in force from "
                     f"{e.starts_on} to {e.expires_on}: the exit will be reported.")
            for e in alerts
        )
    else:
        checks.append(Precheck(Code.WATCHLIST_ALERT, Severity.OK, "No alert-only watch-list entry on the trip dates."))
    return checks


def _alert_check(facts: TripFacts) -> Precheck:
    if facts.open_alerts is None:
        return Precheck(Code.OPEN_ALERTS, Severity.OK, "Open alerts not checked: alerts are not available.")
    if facts.open_alerts:
        noun = "alert is" if facts.open_alerts == 1 else "alerts are"
        return Precheck(Code.OPEN_ALERTS, Severity.WARN, f"{facts.open_alerts} open {noun} on record for the official.")
    return Precheck(Code.OPEN_ALERTS, Severity.OK, "No open alerts on the official.")


def _naked_official_check(facts: TripFacts) -> Precheck:
    naked = is_naked_official(facts.relatives)
    if naked and facts.sensitive_post:
        return Precheck(Code.NAKED_OFFICIAL_SENSITIVE_POST, Severity.WARN,
                        "The official's family has emigrated (\"naked official\") and the official holds a "
                        "sensitive post.")
    if naked:
        return Precheck(Code.NAKED_OFFICIAL_SENSITIVE_POST, Severity.OK,
                        "The official's family has emigrated, but the post is not sensitive.")
    return Precheck(Code.NAKED_OFFICIAL_SENSITIVE_POST, Severity.OK, "Not a \"naked official\".")


def _document_checks(facts: TripFacts) -> list[Precheck]:
    document = facts.document
    if document is None:
        custody = (Precheck(Code.DOCUMENT_CUSTODY, Severity.WARN,
                            "The request names no document and none of the official's documents is in custody.")
                   if not facts.documents_held else
                   Precheck(Code.DOCUMENT_CUSTODY, Severity.WARN,
                            f"The request names no document ({facts.documents_held} of the official's documents "
                            "in custody)."))
        return [
            Precheck(Code.DOCUMENT_EXPIRY, Severity.WARN, "No document named: its expiry cannot be checked."),
            Precheck(Code.DOCUMENT_MRZ, Severity.OK, "No document named: no MRZ to check."),
            custody,
        ]
    checks = []
    if document.expires_on < facts.return_on:
        checks.append(Precheck(Code.DOCUMENT_EXPIRY, Severity.WARN,
                               f"Document {document.document_id} expires on {document.expires_on}, before the "
                               f"return date {facts.return_on}."))
    else:
        checks.append(Precheck(Code.DOCUMENT_EXPIRY, Severity.OK,
                               f"Document {document.document_id} is valid until {document.expires_on}."))
    if not document.has_mrz:
        checks.append(Precheck(Code.DOCUMENT_MRZ, Severity.OK, "No MRZ recorded for the document."))
    elif document.mrz_problems is None:
        checks.append(Precheck(Code.DOCUMENT_MRZ, Severity.OK, "MRZ not checked: the MRZ check is not available."))
    elif document.mrz_problems:
        checks.append(Precheck(Code.DOCUMENT_MRZ, Severity.WARN,
                               "The document's MRZ fails its check: " + "; ".join(document.mrz_problems) + "."))
    else:
        checks.append(Precheck(Code.DOCUMENT_MRZ, Severity.OK, "The document's MRZ passes its check."))
    states = {"release": "released to its holder", "lost": "reported lost", "cancel": "cancelled",
              "": "never deposited"}
    if document.custody_action == "deposit":
        checks.append(Precheck(Code.DOCUMENT_CUSTODY, Severity.OK, f"Document {document.document_id} is in custody."))
    else:
        checks.append(Precheck(Code.DOCUMENT_CUSTODY, Severity.WARN,
                               f"Document {document.document_id} is not in custody: "
                               f"{states.get(document.custody_action, document.custody_action)}."))
    return checks


def _frequency_check(facts: TripFacts) -> Precheck:
    count, threshold = facts.trips_last_12_months, facts.frequent_travel_threshold
    if count >= threshold:
        return Precheck(Code.FREQUENT_TRAVEL, Severity.WARN,
                        f"{count} approved trips departed in the 12 months before this one (threshold {threshold}).")
    return Precheck(Code.FREQUENT_TRAVEL, Severity.OK,
                    f"{count} approved trips in the 12 months before this one (threshold {threshold}).")


def evaluate(facts: TripFacts) -> list[Precheck]:
    """Every pre-check of a travel request, blocking ones first, then warnings, then passed checks."""
    checks = [
        *_watchlist_checks(facts),
        _alert_check(facts),
        _naked_official_check(facts),
        *_document_checks(facts),
        _frequency_check(facts),
    ]
    order = {Severity.BLOCK: 0, Severity.WARN: 1, Severity.OK: 2}
    return sorted(checks, key=lambda check: order[check.severity])


def blocking(checks: list[Precheck]) -> list[Precheck]:
    return [check for check in checks if check.severity == Severity.BLOCK]
