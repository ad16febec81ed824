"""The spec's INVALID_MRZ rule over all documents at once.

A document's `mrz` fails when an ICAO 9303 check digit fails, or when it
disagrees with the document's number, issuing state or expiry, or with its
holder's date of birth, sex or name. The verdict and its wording are those of
`longarm.documents.mrz` (the one implementation of Doc 9303); this module
only makes it fast: a vectorised pre-check passes the rows whose zone is
exactly what a valid zone for the registry values must be (all check digits
right, every compared field equal to the registry's, written the plain way),
and the scalar parser judges only the rows the pre-check could not pass.
The pre-check is stricter than the parser, never looser, so both give the
same answer.
"""

import datetime

import numpy as np
import polars as pl

from longarm.documents import mrz as icao
from longarm.engine.normalize import document_number_key_expr

CHUNK_ROWS = 500_000
_WEIGHTS = np.array([7, 3, 1], dtype=np.int64)
_KNOWN_STATES = sorted(icao.iso_country_codes() | set(icao.ICAO_ONLY_STATE_CODES))
_PLAIN_NAME = r"^[A-Za-z]+([ '\-]+[A-Za-z]+)*$"
_PLAIN_NUMBER = r"^[A-Za-z0-9 \-]+$"

# Field positions in the concatenated zone, per format: (start, end) slices.
_LAYOUT = {
    "TD3": dict(code=0, state=(2, 5), names=(5, 44), number=(44, 53), number_digit=53, nationality=(54, 57),
                birth=(57, 63), birth_digit=63, sex=64, expiry=(65, 71), expiry_digit=71,
                optional=(72, 86), optional_digit=86, composite=87,
                composite_data=((44, 54), (57, 64), (65, 87))),
    "TD2": dict(code=0, state=(2, 5), names=(5, 36), number=(36, 45), number_digit=45, nationality=(46, 49),
                birth=(49, 55), birth_digit=55, sex=56, expiry=(57, 63), expiry_digit=63, composite=71,
                composite_data=((36, 46), (49, 56), (57, 71))),
    "TD1": dict(code=0, state=(2, 5), number=(5, 14), number_digit=14, birth=(30, 36), birth_digit=36, sex=37,
                expiry=(38, 44), expiry_digit=44, nationality=(45, 48), names=(60, 90), composite=59,
                composite_data=((5, 30), (30, 37), (38, 45), (48, 59))),
}
_FORMAT_OF_LENGTH = {icao.TD1_LENGTH: "TD1", icao.TD2_LENGTH: "TD2", icao.TD3_LENGTH: "TD3"}


def mrz_problems(documents: pl.DataFrame, officials: pl.DataFrame) -> pl.DataFrame:
    """`(document_id, problems)` for every document whose non-empty `mrz` fails; problems `; `-joined."""
    frame = _registry_view(documents, officials)
    verdicts = []
    for start in range(0, frame.height, CHUNK_ROWS):
        chunk = frame.slice(start, CHUNK_ROWS)
        passed = _vectorised_pass(chunk)
        verdicts.append(_scalar_problems(chunk.filter(~passed)))
    if not verdicts:
        return pl.DataFrame(schema={"document_id": pl.String, "problems": pl.String})
    return pl.concat(verdicts).sort("document_id")


def check_digit_column(fields: pl.Series) -> pl.Series:
    """ICAO 9303 check digits of a column of fields of MRZ characters, all of one length, as strings."""
    if fields.len() == 0:
        return pl.Series(fields.name, [], dtype=pl.String)
    width = fields.str.len_bytes()[0]
    chars = np.frombuffer(fields.str.join("").item().encode("ascii"), dtype=np.uint8).reshape(-1, width)
    values = _values(chars.astype(np.int64))
    digits = (values @ np.resize(_WEIGHTS, width)) % 10
    return pl.Series(fields.name, digits).cast(pl.String)


def _values(chars: np.ndarray) -> np.ndarray:
    """Check-digit values of MRZ character codes: digits as themselves, A-Z as 10-35, `<` as 0."""
    is_digit = (chars >= 48) & (chars <= 57)
    return np.where(chars >= 65, chars - 55, np.where(is_digit, chars - 48, 0))


def _as_date(frame: pl.DataFrame, column: str) -> pl.Expr:
    if frame.schema[column] == pl.String:
        return pl.col(column).str.to_date("%Y-%m-%d", strict=False)
    return pl.col(column).cast(pl.Date)


def _registry_view(documents: pl.DataFrame, officials: pl.DataFrame) -> pl.DataFrame:
    if "number" not in documents.columns:  # a snapshot may carry only the normalised number
        documents = documents.with_columns(pl.col("number_norm").alias("number"))
    holders = officials.select(
        pl.col("official_id"), pl.col("family_name"), pl.col("given_name"),
        _as_date(officials, "date_of_birth").alias("date_of_birth"), pl.col("sex"),
    )
    return (
        documents.select(
            "document_id", "official_id", "number", "issuing_state",
            _as_date(documents, "expires_on").alias("expires_on"),
            pl.col("mrz").str.replace_all(r"\s", "").alias("zone"),
        )
        .filter(pl.col("zone").is_not_null() & (pl.col("zone") != ""))
        .join(holders, on="official_id", how="left")
    )


def _name_expr(column: str) -> pl.Expr:
    """The plain MRZ form of `mrz.mrz_name_simple`, for names of plain letters (the only ones passed here)."""
    return (pl.col(column).fill_null("").str.to_uppercase().str.strip_chars(" ")
            .str.replace_all(r"[ \-]+", "<").str.replace_all(r"[^A-Z<]", ""))


def _vectorised_pass(chunk: pl.DataFrame) -> pl.Series:
    """True where the zone is certainly valid and agrees with the registry (see the module docstring)."""
    family, given = _name_expr("family_name"), _name_expr("given_name")
    expected = chunk.select(
        pl.col("zone"),
        pl.col("zone").str.len_chars().alias("length"),
        pl.col("zone").str.contains(r"^[A-Z0-9<]+$").fill_null(False).alias("charset"),
        document_number_key_expr("number").str.replace_all(r"[^A-Z0-9]", "<").alias("number_mrz"),
        pl.col("number").str.contains(_PLAIN_NUMBER).fill_null(False).alias("plain_number"),
        pl.col("issuing_state").replace(icao.ISO_TO_ICAO_STATE).str.pad_end(3, "<").alias("state_mrz"),
        pl.col("expires_on").dt.strftime("%y%m%d").alias("expiry_raw"),
        pl.col("date_of_birth").dt.strftime("%y%m%d").alias("birth_raw"),
        pl.when(pl.col("sex").is_in(["M", "F"])).then(pl.col("sex")).otherwise(pl.lit("<")).alias("sex_mrz"),
        pl.when(given == "").then(family).otherwise(pl.concat_str([family, pl.lit("<<"), given])).alias("names_mrz"),
        (pl.col("family_name").str.contains(_PLAIN_NAME).fill_null(False)
         & (pl.col("given_name").fill_null("").str.contains(_PLAIN_NAME) | (pl.col("given_name").fill_null("") == "")))
        .alias("plain_names"),
    )
    passed = np.zeros(chunk.height, dtype=bool)
    for length, kind in _FORMAT_OF_LENGTH.items():
        rows = np.flatnonzero((expected["length"] == length).to_numpy() & expected["charset"].to_numpy())
        if rows.size:
            passed[rows] = _format_pass(expected[rows], kind, length)
    return pl.Series(passed)


def _format_pass(rows: pl.DataFrame, kind: str, length: int) -> np.ndarray:
    layout = _LAYOUT[kind]
    zone = pl.col("zone")

    def cut(span: tuple[int, int]) -> pl.Expr:
        return zone.str.slice(span[0], span[1] - span[0])

    width = icao.NAME_WIDTH[kind]
    fields_agree = rows.select(
        zone.str.slice(0, 1).is_in(list(icao.DOCUMENT_CODE_LETTERS[kind]))
        & cut(layout["state"]).is_in(_KNOWN_STATES)
        & cut(layout["nationality"]).is_in(_KNOWN_STATES)
        & (cut(layout["state"]) == pl.col("state_mrz"))
        & pl.col("plain_number") & (pl.col("number_mrz").str.len_chars().is_between(1, 9))
        & (cut(layout["number"]) == pl.col("number_mrz").str.pad_end(9, "<"))
        & (cut(layout["birth"]) == pl.col("birth_raw"))
        & (cut(layout["expiry"]) == pl.col("expiry_raw"))
        & (zone.str.slice(layout["sex"], 1) == pl.col("sex_mrz"))
        & pl.col("plain_names") & pl.col("names_mrz").str.contains(r"^[A-Z]([A-Z<]*[A-Z])?$")
        & (pl.col("names_mrz").str.len_chars() <= width)
        & (cut(layout["names"]) == pl.col("names_mrz").str.pad_end(width, "<"))
    ).to_series().fill_null(False).to_numpy()

    text = rows["zone"].str.join("").item().encode("ascii")
    chars = np.frombuffer(text, dtype=np.uint8).reshape(rows.height, length).astype(np.int64)
    is_digit = (chars >= 48) & (chars <= 57)
    values = _values(chars)

    def digit_ok(columns: np.ndarray, position: int) -> np.ndarray:
        weights = np.resize(_WEIGHTS, columns.size)
        return is_digit[:, position] & ((values[:, columns] @ weights) % 10 == values[:, position])

    def span(a: int, b: int) -> np.ndarray:
        return np.arange(a, b)

    ok = fields_agree
    ok &= digit_ok(span(*layout["number"]), layout["number_digit"])
    ok &= digit_ok(span(*layout["birth"]), layout["birth_digit"])
    ok &= digit_ok(span(*layout["expiry"]), layout["expiry_digit"])
    ok &= digit_ok(np.concatenate([span(*s) for s in layout["composite_data"]]), layout["composite"])
    if "optional" in layout:
        a, b = layout["optional"]
        position = layout["optional_digit"]
        empty = (chars[:, a:b] == ord("<")).all(axis=1) & np.isin(chars[:, position], [ord("<"), ord("0")])
        ok &= empty | digit_ok(span(a, b), position)
    return ok


def _scalar_problems(rows: pl.DataFrame) -> pl.DataFrame:
    """The parser's verdict on the rows the pre-check could not pass; only failing rows are returned."""
    today = datetime.date.today()
    ids, texts = [], []
    for row in rows.iter_rows(named=True):
        parsed = icao.mrz_parse(row["zone"], reference_date=today)
        has_holder = row["family_name"] is not None
        problems = parsed.problems + icao.mrz_compare(
            parsed, number=row["number"], issuing_state=row["issuing_state"], expires_on=row["expires_on"],
            date_of_birth=row["date_of_birth"], sex=row["sex"] if has_holder else None,
            family_name=row["family_name"], given_name=row["given_name"] if has_holder else None,
        )
        if problems:
            ids.append(row["document_id"])
            texts.append("; ".join(str(problem) for problem in problems))
    return pl.DataFrame({"document_id": ids, "problems": texts}, schema={"document_id": pl.String,
                                                                          "problems": pl.String})
