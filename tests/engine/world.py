"""Tiny hand-made frames for the rule tests: one builder per input, defaults for what a test does not say."""

import datetime

import polars as pl

from longarm.engine.normalize import document_number_key, name_key

D = datetime.date
UTC = datetime.UTC

PARAMS = {"as_of": D(2024, 12, 31), "exit_tolerance_days": 1, "return_grace_days": 1, "missing_after_days": 14,
          "document_return_days": 10, "home_country": "CHN"}


def params(**override) -> dict:
    return {**PARAMS, **override}


def at(day: datetime.date, hour: int = 12, minute: int = 0, offset_hours: int = 8) -> datetime.datetime:
    """A local time on `day` in a fixed offset, as an aware datetime."""
    zone = datetime.timezone(datetime.timedelta(hours=offset_hours))
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def officials(*rows: dict) -> pl.DataFrame:
    filled = []
    for n, row in enumerate(rows):
        values = {"official_id": f"O{n + 1}", "family_name": "ZHANG", "given_name": "WEI", "sex": "M",
                  "date_of_birth": D(1970, 1, 1), "jurisdiction": "CN-GD"} | row
        values.setdefault("name_key", name_key(values["family_name"], values["given_name"]))
        filled.append(values)
    return pl.DataFrame(filled, schema={"official_id": pl.String, "family_name": pl.String,
                                        "given_name": pl.String, "sex": pl.String, "date_of_birth": pl.Date,
                                        "jurisdiction": pl.String, "name_key": pl.String})


def documents(*rows: dict) -> pl.DataFrame:
    filled = []
    for n, row in enumerate(rows):
        values = {"document_id": f"P{n + 1}", "official_id": "O1", "doc_type": "passport", "number": f"E{n + 1:08d}",
                  "issuing_state": "CHN", "issued_on": D(2020, 1, 1), "expires_on": D(2030, 1, 1), "mrz": ""} | row
        values.setdefault("number_norm", document_number_key(values["number"]))
        filled.append(values)
    return pl.DataFrame(filled, schema={"document_id": pl.String, "official_id": pl.String, "doc_type": pl.String,
                                        "number": pl.String, "issuing_state": pl.String, "issued_on": pl.Date,
                                        "expires_on": pl.Date, "mrz": pl.String, "number_norm": pl.String})


def crossings(*rows: dict) -> pl.DataFrame:
    """Crossings; give `when` (an aware datetime) and the local date and offset follow from it."""
    filled = []
    for n, row in enumerate(rows):
        row = dict(row)
        when = row.pop("when", at(D(2024, 5, 1)))
        values = {"event_id": f"X{n + 1}", "direction": "exit", "port": "SZX", "port_jurisdiction": "CN-GD",
                  "doc_type": "passport", "doc_number": "E00000001", "issuing_state": "CHN",
                  "family_name": "ZHANG", "given_name": "WEI", "date_of_birth": D(1970, 1, 1), "sex": "M",
                  "nationality": "CHN", "counterpart_country": None} | row
        values["occurred_at"] = when.astimezone(UTC)
        values["local_date"] = when.date()
        values["utc_offset"] = int(when.utcoffset().total_seconds() // 60)
        values.setdefault("doc_number_norm", document_number_key(values["doc_number"]))
        filled.append(values)
    schema = {"event_id": pl.String, "direction": pl.String, "port": pl.String, "port_jurisdiction": pl.String,
              "doc_type": pl.String, "doc_number": pl.String, "issuing_state": pl.String, "family_name": pl.String,
              "given_name": pl.String, "date_of_birth": pl.Date, "sex": pl.String, "nationality": pl.String,
              "counterpart_country": pl.String, "occurred_at": pl.Datetime("us", "UTC"), "local_date": pl.Date,
              "utc_offset": pl.Int32, "doc_number_norm": pl.String}
    return pl.DataFrame(filled, schema=schema)


def custody(*rows: dict) -> pl.DataFrame:
    filled = []
    for n, row in enumerate(rows):
        row = dict(row)
        when = row.pop("when")
        values = {"event_id": f"C{n + 1}", "document_id": "P1", "action": "deposit"} | row
        values["occurred_at"] = when.astimezone(UTC)
        values["local_date"] = when.date()
        filled.append(values)
    return pl.DataFrame(filled, schema={"event_id": pl.String, "document_id": pl.String, "action": pl.String,
                                        "occurred_at": pl.Datetime("us", "UTC"), "local_date": pl.Date})


def trips(*rows: dict) -> pl.DataFrame:
    filled = []
    for n, row in enumerate(rows):
        values = {"trip_id": f"T{n + 1}", "official_id": "O1", "document_id": "P1", "purpose": "private",
                  "destinations": "USA", "depart_on": D(2024, 5, 1), "return_on": D(2024, 5, 10),
                  "status": "approved"} | row
        filled.append(values)
    return pl.DataFrame(filled, schema={"trip_id": pl.String, "official_id": pl.String, "document_id": pl.String,
                                        "purpose": pl.String, "destinations": pl.String, "depart_on": pl.Date,
                                        "return_on": pl.Date, "status": pl.String})


def watchlist(*rows: dict) -> pl.DataFrame:
    filled = []
    for n, row in enumerate(rows):
        values = {"entry_id": f"W{n + 1}", "official_id": "O1", "measure": "exit_ban",
                  "starts_on": D(2024, 1, 1), "expires_on": D(2024, 12, 31)} | row
        filled.append(values)
    return pl.DataFrame(filled, schema={"entry_id": pl.String, "official_id": pl.String, "measure": pl.String,
                                        "starts_on": pl.Date, "expires_on": pl.Date})


def relatives(*rows: dict) -> pl.DataFrame:
    filled = []
    for n, row in enumerate(rows):
        values = {"relative_id": f"R{n + 1}", "official_id": "O1", "relation": "spouse",
                  "residence_country": "CHN", "residence_status": "citizen", "nationalities": "CHN"} | row
        filled.append(values)
    return pl.DataFrame(filled, schema={"relative_id": pl.String, "official_id": pl.String, "relation": pl.String,
                                        "residence_country": pl.String, "residence_status": pl.String,
                                        "nationalities": pl.String})


def owned(crossing_frame: pl.DataFrame, document_frame: pl.DataFrame | None = None,
          official_frame: pl.DataFrame | None = None) -> pl.DataFrame:
    """The crossings as the rules see them: matched to their owners."""
    from longarm.engine.rules import crossing_owners, owned_crossings

    document_frame = documents({}) if document_frame is None else document_frame
    official_frame = officials({}) if official_frame is None else official_frame
    return owned_crossings(crossing_frame, crossing_owners(crossing_frame, document_frame, official_frame))


def refs(frame: pl.DataFrame) -> set[tuple[str, str, str]]:
    return set(frame.select("code", "official_id", "ref").iter_rows())
