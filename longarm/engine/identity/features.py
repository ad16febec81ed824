"""Derived columns that identity comparisons and blocking read, computed once per record frame.

A record frame (officials, or crossings to link to them) has `record_id`,
`family_name`, `given_name`, and optionally `native_name`, `date_of_birth`,
`sex`, `national_id`. `official_features` adds:

- `name_key`, `name_key_swapped`: normalised family+given and given+family (`normalize.name_key`),
  null when empty; `family_key`, `given_key`: each part alone;
- `name_hash`, `name_swapped_hash`, `family_hash`, `given_hash`: UInt64 hashes of those keys for fast
  equality (the same hash in every frame, so crossings compare with officials);
- `name_wade_giles_hash`: hash of the Wade-Giles spelling of a Latin name written in pinyin
  (ZHANG WEI → CHANGWEI), null when the name is not pinyin;
- `native_simplified`, `native_hash`: native name in simplified characters (张伟 for 張偉) and its hash;
- `native_romanisations`: List[UInt64], hashes of every pinyin reading of the native name (polyphonic
  characters, surname readings first) and of their Wade-Giles forms, comparable with `name_hash`;
- `dob_days` (Int32 days since 1970), `dob_ymd` (Int32 YYYYMMDD), `birth_year` (Int16);
- `sex`: M, F, X or null;
- `national_id_norm`: identity number upper-cased without spaces or hyphens, a 15-digit legacy number in
  its 18-character form, null when empty; `national_id_valid`: 18 characters with the right check
  character (GB 11643, ISO 7064 MOD 11-2);
- `family_phonetic`, `given_phonetic`: first 3 letters of the Wade-Giles form of the part (ZHANG and CHANG
  both CHA), or of the part itself when it is not pinyin, for blocking.

Every Python-level computation (pinyin, OpenCC, Wade-Giles) runs once per unique
value and is joined back, so the cost follows the number of distinct names, not
the number of records.
"""

from collections.abc import Callable

import polars as pl

from longarm.engine.identity import chinese
from longarm.engine.normalize import name_key_expr

REQUIRED_COLUMNS = ("record_id", "family_name", "given_name")
OPTIONAL_COLUMNS = {"native_name": pl.String, "date_of_birth": pl.Date, "sex": pl.String, "national_id": pl.String}
HASH_SEED = 20_240_601
PHONETIC_LENGTH = 3

FEATURE_COLUMNS = (
    "name_key", "name_key_swapped", "family_key", "given_key", "name_hash", "name_swapped_hash", "family_hash",
    "given_hash",
    "name_wade_giles_hash", "native_simplified", "native_hash", "native_romanisations", "dob_days", "dob_ymd",
    "birth_year", "sex", "national_id_norm", "national_id_valid", "family_phonetic", "given_phonetic",
)


def official_features(records: pl.DataFrame) -> pl.DataFrame:
    """The record frame with the derived columns of the module docstring added (input columns kept)."""
    missing = [c for c in REQUIRED_COLUMNS if c not in records.columns]
    if missing:
        raise ValueError(f"record frame lacks required column(s): {', '.join(missing)}")
    frame = records.with_columns(
        pl.lit(None, dtype=dtype).alias(column)
        for column, dtype in OPTIONAL_COLUMNS.items() if column not in records.columns
    )
    frame = frame.with_columns(pl.col("record_id").cast(pl.String))
    birth = _as_date(frame["date_of_birth"])
    # Normalising each part once per distinct value and concatenating gives `normalize.name_key` exactly
    # (every step works character by character).
    family = _map_unique(frame["family_name"].cast(pl.String), _name_part_keys, pl.String).fill_null("")
    given = _map_unique(frame["given_name"].cast(pl.String), _name_part_keys, pl.String).fill_null("")
    frame = frame.with_columns(
        _non_empty(pl.concat_str([pl.lit(family), pl.lit(given)])).alias("name_key"),
        _non_empty(pl.concat_str([pl.lit(given), pl.lit(family)])).alias("name_key_swapped"),
        _non_empty(pl.lit(family)).alias("family_key"),
        _non_empty(pl.lit(given)).alias("given_key"),
        birth.cast(pl.Int32).alias("dob_days"),
        (birth.dt.year() * 10_000 + birth.dt.month().cast(pl.Int32) * 100 + birth.dt.day().cast(pl.Int32))
        .cast(pl.Int32).alias("dob_ymd"),
        birth.dt.year().cast(pl.Int16).alias("birth_year"),
        _sex_expr(pl.col("sex")).alias("sex"),
        chinese.national_id_norm_expr(pl.col("national_id").cast(pl.String)).alias("national_id_norm"),
        chinese.national_id_valid_expr(pl.col("national_id").cast(pl.String)).alias("national_id_valid"),
    )
    native = frame["native_name"].cast(pl.String).str.strip_chars()
    native = native.set(native == "", None) if native.len() else native
    natives = _native_table(native)
    joined = native.to_frame("k").join(natives, on="k", how="left", maintain_order="left")
    simplified, romanisations = joined["simplified"], joined["romanisations"]
    if romanisations.null_count():
        romanisations = romanisations.fill_null(pl.Series([[]], dtype=pl.List(pl.UInt64)).first())
    family_wg = _map_unique(frame["family_key"], _wade_giles_all, pl.String)
    given_wg = _map_unique(frame["given_key"], _wade_giles_all, pl.String)
    frame = frame.with_columns(
        simplified.alias("native_simplified"),
        hash_strings(pl.col("name_key")).alias("name_hash"),
        hash_strings(pl.col("name_key_swapped")).alias("name_swapped_hash"),
        hash_strings(pl.col("family_key")).alias("family_hash"),
        hash_strings(pl.col("given_key")).alias("given_hash"),
        hash_strings(simplified).alias("native_hash"),
        hash_strings(pl.concat_str([
            pl.lit(family_wg), pl.when(pl.col("given_key").is_null()).then(pl.lit("")).otherwise(pl.lit(given_wg)),
        ])).alias("name_wade_giles_hash"),
        _phonetic(family_wg, "family_key").alias("family_phonetic"),
        _phonetic(given_wg, "given_key").alias("given_phonetic"),
    )
    return frame.with_columns(romanisations.alias("native_romanisations"))


def hash_strings(values: pl.Expr | pl.Series) -> pl.Expr | pl.Series:
    """UInt64 hash of strings, null for null: the one hash every frame uses, so hashes compare across frames."""
    if isinstance(values, pl.Series):
        return values.hash(seed=HASH_SEED).set(values.is_null(), None) if values.len() else values.cast(pl.UInt64)
    return pl.when(values.is_not_null()).then(values.hash(seed=HASH_SEED))


def _native_table(native: pl.Series) -> pl.DataFrame:
    """Per distinct native name (`k`): its simplified form and the hashes of every romanisation of it.

    Readings are computed once per distinct surname and given name, then crossed in Polars (pinyin
    with pinyin, Wade-Giles with Wade-Giles), at most `chinese.NAME_READING_LIMIT` per system and name."""
    unique = native.drop_nulls().unique()
    table = pl.DataFrame({"k": unique, "simplified": pl.Series(chinese.to_simplified(unique.to_list()),
                                                               dtype=pl.String)})
    surname, given = chinese.split_native_names_expr(pl.col("native"))
    names = (table.select(pl.col("simplified").alias("native")).unique()
             .with_columns(surname.alias("surname"), given.alias("given")).filter(pl.col("surname") != ""))
    surnames = _forms_table(names["surname"].unique().to_list(), True, "surname")
    givens = _forms_table(names["given"].unique().to_list(), False, "given")
    long = (
        names.join(surnames, on="surname", maintain_order="left_right")
        .join(givens, on=["given", "system"], maintain_order="left_right")
        .filter(pl.int_range(pl.len()).over("native", "system") < chinese.NAME_READING_LIMIT)
        .select("native", pl.concat_str(["surname_form", "given_form"]).alias("romanisation"))
        .unique(maintain_order=True)
    )
    hashes = long.select("native", hash_strings(pl.col("romanisation")).alias("romanisations")) \
        .group_by("native").agg("romanisations")
    return table.join(hashes, left_on="simplified", right_on="native", how="left")


def _forms_table(parts: list[str], is_surname: bool, name: str) -> pl.DataFrame:
    rows = [(part, system, form) for part in parts
            for system, forms in zip(("pinyin", "wade_giles"), chinese.part_forms(part, is_surname), strict=True)
            for form in (forms or ("",))]
    return pl.DataFrame(rows, schema={name: pl.String, "system": pl.String, f"{name}_form": pl.String},
                        orient="row")


def _map_unique(values: pl.Series, convert: Callable[[list[str]], list], dtype: pl.DataType) -> pl.Series:
    unique = values.drop_nulls().unique()
    table = pl.DataFrame({"k": unique, "v": pl.Series(convert(unique.to_list()), dtype=dtype)})
    return values.to_frame("k").join(table, on="k", how="left", maintain_order="left")["v"]


def _name_part_keys(parts: list[str]) -> pl.Series:
    return pl.DataFrame({"p": parts}, schema={"p": pl.String}).select(name_key_expr("p", pl.lit(""))).to_series()


def _wade_giles_all(words: list[str]) -> list[str | None]:
    return [chinese.wade_giles(w) for w in words]


def _phonetic(wade_giles: pl.Series, key_column: str) -> pl.Expr:
    return pl.coalesce(pl.lit(wade_giles), pl.col(key_column)).str.slice(0, PHONETIC_LENGTH)


def _non_empty(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr.str.len_bytes() > 0).then(expr)


def _sex_expr(sex: pl.Expr) -> pl.Expr:
    text = sex.cast(pl.String).str.strip_chars().str.to_uppercase()
    return pl.when(text.is_in(["M", "F", "X"])).then(text)


def _as_date(values: pl.Series) -> pl.Series:
    if values.dtype == pl.Date:
        return values
    if values.dtype == pl.Datetime:
        return values.dt.date()
    if values.dtype == pl.String:
        return values.str.strip_chars().str.to_date("%Y-%m-%d", strict=False)
    return values.cast(pl.Date, strict=False)
