"""The exchange-format contract (shared/spec/exchange-formats.md) as data.

One `Kind` per file kind: its columns (name, required, type, allowed values,
the kind an id refers to), the checks that span columns, and the columns the
importer derives (normalised keys, UTC offsets, local dates). A new kind is
one more entry in `KINDS` and a writer mapping on the Django side
(`longarm.runs.imports.WRITERS`); the loader needs no change.
"""

from dataclasses import dataclass, field
from enum import StrEnum


class ColumnType(StrEnum):
    ID = "id"  # a string of at most ID_MAX_LENGTH characters
    TEXT = "text"
    ENUM = "enum"
    DATE = "date"  # YYYY-MM-DD
    DATETIME = "datetime"  # ISO 8601 with an explicit UTC offset
    BOOL = "bool"  # true/false in any case; empty = false
    COUNTRY = "country"  # ISO 3166-1 alpha-3
    COUNTRY_LIST = "country_list"  # ;-separated (a JSON array in JSON Lines)
    SUBDIVISION = "subdivision"  # ISO 3166-2
    CURRENCY = "currency"  # ISO 4217
    DECIMAL = "decimal"  # a plain decimal number, no thousands separators


ID_MAX_LENGTH = 64
LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool = False
    values: tuple[str, ...] = ()  # the allowed values of an ENUM column
    references: str = ""  # for an ID column: the kind whose record it names


@dataclass(frozen=True)
class NotBefore:
    """`later` must not come before `earlier` (or must come strictly after, when `strict`)."""

    earlier: str
    later: str
    strict: bool = False


@dataclass(frozen=True)
class RequiredWhen:
    """`column` must be given when `when_column` holds `when_value`."""

    column: str
    when_column: str
    when_value: str


@dataclass(frozen=True)
class RequiredWith:
    """`column` must be given when `with_column` is given (an amount and its currency)."""

    column: str
    with_column: str


@dataclass(frozen=True)
class Positive:
    """`column`, a decimal, must be more than zero."""

    column: str


class Derivation(StrEnum):
    NAME_KEY = "name_key"  # normalised full name of (family_name, given_name)
    DOCUMENT_NUMBER_KEY = "document_number_key"  # normalised document number of a column
    UTC_OFFSET = "utc_offset"  # minutes east of UTC a date-time column came with
    LOCAL_DATE = "local_date"  # the date of a date-time column in its own offset


@dataclass(frozen=True)
class Derived:
    name: str
    derivation: Derivation
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Kind:
    name: str
    columns: tuple[Column, ...]
    checks: tuple[NotBefore | RequiredWhen | RequiredWith | Positive, ...] = ()
    derived: tuple[Derived, ...] = ()
    key: str = field(default="")
    # A kind without an id column is identified by several columns (an fx rate by currency and date).
    natural_key: tuple[str, ...] = ()

    def __post_init__(self):
        if not self.key:
            object.__setattr__(self, "key", self.columns[0].name)

    @property
    def key_columns(self) -> tuple[str, ...]:
        return self.natural_key or (self.key,)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def required_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns if column.required)

    @property
    def references(self) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if column.references)

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)


SEX = ("M", "F", "X")
DOC_TYPES = ("passport", "service_passport", "diplomatic_passport", "travel_permit", "other")

C = ColumnType

OFFICIALS = Kind("officials", (
    Column("official_id", C.ID, True),
    Column("family_name", C.TEXT, True),
    Column("given_name", C.TEXT, True),
    Column("native_name", C.TEXT),
    Column("sex", C.ENUM, True, SEX),
    Column("date_of_birth", C.DATE, True),
    Column("national_id", C.TEXT),
    Column("organization", C.TEXT, True),
    Column("position", C.TEXT, True),
    Column("rank", C.ENUM, True, ("state", "provincial", "prefectural", "county", "township", "staff")),
    Column("jurisdiction", C.SUBDIVISION, True),
    Column("status", C.ENUM, True, ("active", "retired", "dismissed", "deceased")),
    Column("sensitive_post", C.BOOL),
), derived=(Derived("name_key", Derivation.NAME_KEY, ("family_name", "given_name")),))

RELATIVES = Kind("relatives", (
    Column("relative_id", C.ID, True),
    Column("official_id", C.ID, True, references="officials"),
    Column("relation", C.ENUM, True, ("spouse", "child", "child_spouse", "parent", "sibling", "other")),
    Column("family_name", C.TEXT, True),
    Column("given_name", C.TEXT, True),
    Column("native_name", C.TEXT),
    Column("date_of_birth", C.DATE),
    Column("residence_country", C.COUNTRY, True),
    Column("residence_status", C.ENUM, True, ("citizen", "permanent_resident", "resident", "student", "visitor")),
    Column("nationalities", C.COUNTRY_LIST),
    Column("since", C.DATE),
    Column("employer", C.TEXT),
))

DOCUMENTS = Kind("documents", (
    Column("document_id", C.ID, True),
    Column("official_id", C.ID, True, references="officials"),
    Column("doc_type", C.ENUM, True, DOC_TYPES),
    Column("number", C.TEXT, True),
    Column("issuing_state", C.COUNTRY, True),
    Column("issued_on", C.DATE),
    Column("expires_on", C.DATE, True),
    Column("mrz", C.TEXT),
), checks=(NotBefore("issued_on", "expires_on"),),
   derived=(Derived("number_norm", Derivation.DOCUMENT_NUMBER_KEY, ("number",)),))

CUSTODY = Kind("custody", (
    Column("event_id", C.ID, True),
    Column("document_id", C.ID, True, references="documents"),
    Column("action", C.ENUM, True, ("deposit", "release", "lost", "cancel")),
    Column("occurred_at", C.DATETIME, True),
), derived=(Derived("utc_offset", Derivation.UTC_OFFSET, ("occurred_at",)),))

TRIPS = Kind("trips", (
    Column("trip_id", C.ID, True),
    Column("official_id", C.ID, True, references="officials"),
    Column("document_id", C.ID, references="documents"),
    Column("purpose", C.ENUM, True, ("private", "official")),
    Column("destinations", C.COUNTRY_LIST, True),
    Column("depart_on", C.DATE, True),
    Column("return_on", C.DATE, True),
    Column("status", C.ENUM, True, ("requested", "approved", "rejected", "cancelled")),
    Column("decided_on", C.DATE),
), checks=(NotBefore("depart_on", "return_on"),))

CROSSINGS = Kind("crossings", (
    Column("event_id", C.ID, True),
    Column("direction", C.ENUM, True, ("exit", "entry")),
    Column("occurred_at", C.DATETIME, True),
    Column("port", C.TEXT, True),
    Column("port_jurisdiction", C.SUBDIVISION, True),
    Column("doc_type", C.ENUM, True, DOC_TYPES),
    Column("doc_number", C.TEXT, True),
    Column("issuing_state", C.COUNTRY, True),
    Column("family_name", C.TEXT, True),
    Column("given_name", C.TEXT, True),
    Column("date_of_birth", C.DATE, True),
    Column("sex", C.ENUM, True, SEX),
    Column("nationality", C.COUNTRY, True),
    Column("counterpart_country", C.COUNTRY),
), derived=(
    Derived("utc_offset", Derivation.UTC_OFFSET, ("occurred_at",)),
    Derived("local_date", Derivation.LOCAL_DATE, ("occurred_at",)),
    Derived("doc_number_norm", Derivation.DOCUMENT_NUMBER_KEY, ("doc_number",)),
))

WATCHLIST = Kind("watchlist", (
    Column("entry_id", C.ID, True),
    Column("official_id", C.ID, True, references="officials"),
    Column("measure", C.ENUM, True, ("exit_ban", "alert_only")),
    Column("legal_basis", C.TEXT, True),
    Column("authority", C.TEXT, True),
    Column("case_ref", C.TEXT),
    Column("starts_on", C.DATE, True),
    Column("expires_on", C.DATE, True),
), checks=(NotBefore("starts_on", "expires_on", strict=True),))

CASES = Kind("cases", (
    Column("case_id", C.ID, True),
    Column("official_id", C.ID, references="officials"),
    Column("family_name", C.TEXT, True),
    Column("given_name", C.TEXT, True),
    Column("native_name", C.TEXT),
    Column("date_of_birth", C.DATE),
    Column("sex", C.ENUM, False, SEX),
    Column("category", C.ENUM, True, ("official", "other")),
    Column("jurisdiction", C.SUBDIVISION, True),
    Column("offences", C.TEXT, True),
    Column("amount_involved", C.DECIMAL),
    Column("amount_currency", C.CURRENCY),
    Column("fled_on", C.DATE),
    Column("located_in", C.COUNTRY_LIST),
    Column("red_notice_on", C.DATE),
    Column("priority_list", C.BOOL),
    Column("status", C.ENUM, True, ("at_large", "located", "detained_abroad", "returned", "deceased", "closed")),
    Column("returned_on", C.DATE),
    Column("returned_from", C.COUNTRY),
    Column("return_avenue", C.ENUM, False, ("extradition", "deportation", "voluntary_return", "other")),
), checks=(
    RequiredWhen("returned_on", "status", "returned"),
    RequiredWhen("returned_from", "status", "returned"),
    RequiredWhen("return_avenue", "status", "returned"),
    RequiredWith("amount_currency", "amount_involved"),
    RequiredWith("amount_involved", "amount_currency"),
    NotBefore("fled_on", "returned_on"),
))

RECOVERIES = Kind("recoveries", (
    Column("recovery_id", C.ID, True),
    Column("case_id", C.ID, references="cases"),
    Column("recovered_on", C.DATE, True),
    Column("amount", C.DECIMAL, True),
    Column("currency", C.CURRENCY, True),
    Column("from_country", C.COUNTRY, True),
    Column("avenue", C.ENUM, True, ("returned_by_foreign_state", "confiscation", "voluntary", "other")),
), checks=(Positive("amount"),))

FX_RATES = Kind("fx_rates", (
    Column("currency", C.CURRENCY, True),
    Column("on", C.DATE, True),
    Column("rate", C.DECIMAL, True),
), checks=(Positive("rate"),), natural_key=("currency", "on"))

TREATIES = Kind("treaties", (
    Column("country", C.COUNTRY, True),
    Column("kind", C.ENUM, True, ("extradition", "mutual_legal_assistance", "asset_sharing", "financial_intelligence")),
    Column("status", C.ENUM, True, ("signed", "in_force")),
    Column("signed_on", C.DATE),
    Column("in_force_on", C.DATE),
), checks=(NotBefore("signed_on", "in_force_on"),), natural_key=("country", "kind"))

# In dependency order: a kind comes after every kind it refers to.
KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    OFFICIALS, RELATIVES, DOCUMENTS, CUSTODY, TRIPS, CROSSINGS, WATCHLIST, CASES, RECOVERIES, FX_RATES, TREATIES,
)}


def kind_from_filename(filename: str) -> str:
    """The spec's rule: the part of the file name before the first `-` or `.`."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    for separator in ("-", "."):
        base = base.split(separator, 1)[0]
    return base


def dependency_rank(kind: str) -> int:
    """Position of a kind in an import run; files are imported in this order."""
    return list(KINDS).index(kind)
