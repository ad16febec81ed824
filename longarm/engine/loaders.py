"""Streaming and validating exchange-format files, batch by batch, as Polars frames.

Reading: a CSV (UTF-8, BOM accepted, RFC 4180 quoting, quoted newlines) or
JSON Lines file is streamed in batches of all-string frames; each row keeps
the file's true line number in `_line` (the line where its record starts),
so every error can name file, line and column. Only one batch is held at a
time.

Validation is vectorised per column against the contract in
`longarm.engine.formats`: it returns the typed frame of the valid rows
(with the derived columns) and a frame of errors `(line, column, reason)`.
Checks that need the database (references, ids repeated in one file) are
the importer's.
"""

import csv
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from longarm.engine.formats import (
    ID_MAX_LENGTH,
    LIST_SEPARATOR,
    Column,
    ColumnType,
    Derivation,
    Kind,
    NotBefore,
    Positive,
    RequiredWhen,
    RequiredWith,
)
from longarm.engine.normalize import document_number_key_expr, name_key_expr
from longarm.geo import country_codes, currency_codes, subdivision_codes

LINE = "_line"
ERRORS_SCHEMA = {"line": pl.Int64, "column": pl.String, "reason": pl.String}
_ERR = "__err__"
_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
_DATETIME_PATTERN = (
    r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2}(?:\.\d{1,9})?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)
_DECIMAL_PATTERN = r"^[+-]?\d+(\.\d+)?$"
_MAX_OFFSET_MINUTES = 14 * 60


class LoadError(Exception):
    """A file that cannot be read on from `line` on (bad encoding, broken quoting)."""

    def __init__(self, line: int, reason: str):
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


@dataclass
class Batch:
    """Rows read from a file: all-string columns plus `_line`, and the records that could not be split."""

    rows: pl.DataFrame
    errors: pl.DataFrame


def empty_errors() -> pl.DataFrame:
    return pl.DataFrame(schema=ERRORS_SCHEMA)


def errors_frame(entries: Iterable[tuple[int, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(list(entries), schema=ERRORS_SCHEMA, orient="row")


def file_format(path: Path | str) -> str:
    """`jsonl` for JSON Lines files (`.jsonl`, `.ndjson`), else `csv`."""
    return "jsonl" if Path(path).suffix.lower() in (".jsonl", ".ndjson") else "csv"


# Reading


def read_header(path: Path | str) -> tuple[str, ...] | None:
    """The column names of a CSV file's header row (None for JSON Lines, whose lines name their fields)."""
    if file_format(path) == "jsonl":
        return None
    with open(path, newline="", encoding="utf-8-sig") as handle:
        try:
            return tuple(next(csv.reader(handle, strict=True), ()))
        except (csv.Error, UnicodeDecodeError) as error:
            raise LoadError(1, f"unreadable header: {error}") from error


def read_batches(path: Path | str, *, batch_rows: int) -> Iterator[Batch]:
    """Stream a CSV or JSON Lines file in batches of at most `batch_rows` rows."""
    if file_format(path) == "jsonl":
        yield from _jsonl_batches(Path(path), batch_rows)
    else:
        yield from _csv_batches(Path(path), batch_rows)


def _string_frame(names: tuple[str, ...], records: list[list[str]], lines: list[int]) -> pl.DataFrame:
    columns = list(zip(*records)) if records else [()] * len(names)
    data = {name: pl.Series(name, values, dtype=pl.String) for name, values in zip(names, columns)}
    data[LINE] = pl.Series(LINE, lines, dtype=pl.Int64)
    return pl.DataFrame(data)


def _csv_records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(start line, cells) of every record after the header; blank lines are skipped."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle, strict=True)
        next_line = 1
        try:
            for record in reader:
                start, next_line = next_line, reader.line_num + 1
                if record:
                    yield start, record
        except csv.Error as error:
            raise LoadError(next_line, f"broken CSV quoting: {error}") from error
        except UnicodeDecodeError as error:
            raise LoadError(next_line, "not valid UTF-8 text") from error


def _csv_batches(path: Path, batch_rows: int) -> Iterator[Batch]:
    records = _csv_records(path)
    first = next(records, None)
    if first is None:
        return
    header = tuple(first[1])
    width = len(header)
    rows: list[list[str]] = []
    lines: list[int] = []
    broken: list[tuple[int, str, str]] = []
    for line, record in records:
        if len(record) == width:
            rows.append(record)
            lines.append(line)
        else:
            broken.append((line, "", f"the row has {len(record)} fields, the header has {width}"))
        if len(rows) + len(broken) >= batch_rows:
            yield Batch(_string_frame(header, rows, lines), errors_frame(broken))
            rows, lines, broken = [], [], []
    if rows or broken:
        yield Batch(_string_frame(header, rows, lines), errors_frame(broken))


def _json_cell(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return LIST_SEPARATOR.join(value)
    raise ValueError("holds a nested value; only strings, numbers, booleans and lists of strings are allowed")


def _jsonl_objects(path: Path) -> Iterator[tuple[int, dict | None, str]]:
    """(line, object, problem) of every non-blank line."""
    line = 0
    with open(path, encoding="utf-8-sig", newline="") as handle:
        try:
            for line, text in enumerate(handle, start=1):
                if not text.strip():
                    continue
                try:
                    value = json.loads(text)
                except json.JSONDecodeError as error:
                    yield line, None, f"not valid JSON: {error.msg}"
                    continue
                if not isinstance(value, dict):
                    yield line, None, "a line must hold one JSON object"
                    continue
                yield line, value, ""
        except UnicodeDecodeError as error:
            raise LoadError(line + 1, "not valid UTF-8 text") from error


def _jsonl_batches(path: Path, batch_rows: int) -> Iterator[Batch]:
    rows: list[dict] = []
    lines: list[int] = []
    broken: list[tuple[int, str, str]] = []
    names: dict[str, None] = {}

    def flush() -> Batch:
        schema = {name: pl.String for name in names}
        frame = pl.DataFrame(rows, schema=schema, orient="row") if names else pl.DataFrame(
            {"__empty": [None] * len(rows)}).drop("__empty")
        return Batch(frame.with_columns(pl.Series(LINE, lines, dtype=pl.Int64)), errors_frame(broken))

    for line, value, problem in _jsonl_objects(path):
        if problem:
            broken.append((line, "", problem))
        else:
            cells = {}
            for name, raw in value.items():
                try:
                    cells[name] = _json_cell(raw)
                except ValueError as error:
                    broken.append((line, name, str(error)))
                    break
            else:
                names.update(dict.fromkeys(cells))
                rows.append(cells)
                lines.append(line)
        if len(rows) + len(broken) >= batch_rows:
            yield flush()
            rows, lines, broken, names = [], [], [], {}
    if rows or broken:
        yield flush()


def read_records(path: Path | str, lines: set[int]) -> Iterator[tuple[int, list[str] | dict]]:
    """The original records that start on `lines`: CSV cells (header first, as line 1) or JSON objects."""
    if file_format(path) == "jsonl":
        with open(path, encoding="utf-8-sig", newline="") as handle:
            for line, text in enumerate(handle, start=1):
                if line in lines:
                    try:
                        value = json.loads(text)
                    except json.JSONDecodeError:
                        value = {"line": text.rstrip("\r\n")}
                    yield line, value if isinstance(value, dict) else {"value": value}
        return
    for line, record in _csv_records(Path(path)):
        if line == 1 or line in lines:
            yield line, record


# Validation


def column_errors(names: Iterable[str], kind: Kind, *, allow_extra_columns: bool, line: int = 1) -> pl.DataFrame:
    """Errors of a CSV header: unknown, repeated, empty or missing required columns."""
    names = list(names)
    known = set(kind.column_names)
    entries = []
    seen = set()
    for name in names:
        if name == "":
            entries.append((line, "", "a column has no name"))
        elif name in seen:
            entries.append((line, name, "the column appears twice"))
        elif name not in known and not allow_extra_columns:
            entries.append((line, name, f"unknown column: the {kind.name} format has no such column"))
        seen.add(name)
    for name in kind.required_names:
        if name not in seen:
            entries.append((line, name, "required column missing"))
    return errors_frame(entries)


def _quoted(expr: pl.Expr, message: str) -> pl.Expr:
    return pl.concat_str([pl.lit("'"), expr, pl.lit("' " + message)])


def _invalid(condition: pl.Expr, reason: pl.Expr) -> pl.Expr:
    return pl.when(condition).then(reason).otherwise(pl.lit(None, dtype=pl.String))


def _column_checks(column: Column, max_length: int | None) -> tuple[list[pl.Expr], list[pl.Expr]]:
    """Expressions that type a column, and expressions naming what is wrong with it (null when nothing)."""
    name = column.name
    raw = pl.col(name)
    given = raw.is_not_null()
    typed: list[pl.Expr] = []
    reasons: list[pl.Expr] = []
    if column.required:
        reasons.append(_invalid(~given, pl.lit("missing required value")))
    kind = column.type
    if kind in (ColumnType.ID, ColumnType.TEXT):
        limit = ID_MAX_LENGTH if kind is ColumnType.ID else max_length
        if max_length is not None:
            limit = min(limit, max_length)
        if limit is not None:
            reasons.append(_invalid(raw.str.len_chars() > limit, pl.lit(f"longer than {limit} characters")))
        typed.append(raw)
    elif kind is ColumnType.ENUM:
        allowed = ", ".join(column.values)
        reasons.append(_invalid(given & ~raw.is_in(column.values), _quoted(raw, f"is not one of: {allowed}")))
        typed.append(raw)
    elif kind is ColumnType.DATE:
        parsed = pl.when(raw.str.contains(_DATE_PATTERN)).then(raw.str.to_date("%Y-%m-%d", strict=False))
        reasons.append(_invalid(given & parsed.is_null(), _quoted(raw, "is not a date (YYYY-MM-DD)")))
        typed.append(parsed.alias(name))
    elif kind is ColumnType.DATETIME:
        typed_exprs, reason = _datetime_checks(name)
        reasons.append(reason)
        typed.extend(typed_exprs)
    elif kind is ColumnType.BOOL:
        lowered = raw.str.to_lowercase()
        reasons.append(_invalid(given & ~lowered.is_in(["true", "false"]),
                                _quoted(raw, "is not a boolean (true or false)")))
        typed.append((lowered == "true").fill_null(False).alias(name))
    elif kind in (ColumnType.COUNTRY, ColumnType.SUBDIVISION, ColumnType.CURRENCY):
        codes, what = {
            ColumnType.COUNTRY: (country_codes(), "is not an ISO 3166-1 alpha-3 country code"),
            ColumnType.SUBDIVISION: (subdivision_codes(), "is not an ISO 3166-2 subdivision code"),
            ColumnType.CURRENCY: (currency_codes(), "is not an ISO 4217 currency code"),
        }[kind]
        reasons.append(_invalid(given & ~raw.is_in(sorted(codes)), _quoted(raw, what)))
        typed.append(raw)
    elif kind is ColumnType.COUNTRY_LIST:
        items = raw.str.split(LIST_SEPARATOR).list.eval(pl.element().str.strip_chars()).list.eval(
            pl.element().filter(pl.element() != ""))
        first_bad = items.list.eval(pl.element().filter(~pl.element().is_in(sorted(country_codes())))).list.first()
        reasons.append(_invalid(first_bad.is_not_null(),
                                _quoted(first_bad, "is not an ISO 3166-1 alpha-3 country code")))
        if column.required:
            reasons.append(_invalid(given & (items.list.len() == 0), pl.lit("missing required value")))
        typed.append(pl.when(given).then(items.list.join(LIST_SEPARATOR)).alias(name))
    elif kind is ColumnType.DECIMAL:
        reasons.append(_invalid(given & ~raw.str.contains(_DECIMAL_PATTERN), _quoted(raw, "is not a decimal number")))
        typed.append(raw)
    else:  # pragma: no cover - a new ColumnType must be taught here
        raise ValueError(f"no validation for column type {kind}")
    return typed, reasons


def _datetime_parts(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    """Split a date-time column once into helper columns (local time, offset text, offset minutes).

    Done in stages on the frame, not as one nested expression, so that the
    regular expression runs once per value.
    """
    parts = f"__parts__{name}"
    frame = frame.with_columns(pl.col(name).str.extract_groups(_DATETIME_PATTERN).alias(parts))
    field = pl.col(parts).struct.field
    frame = frame.with_columns(
        field("1").alias(f"__date__{name}"),
        pl.concat_str([field("1"), pl.lit(" "), field("2"), field("3").fill_null(":00")]).str.to_datetime(
            "%Y-%m-%d %H:%M:%S%.f", strict=False, time_unit="us").alias(f"__localdt__{name}"),
        field("4").alias(f"__offsettext__{name}"),
    ).drop(parts)
    offset = pl.col(f"__offsettext__{name}")
    length = offset.str.len_chars()
    sign = pl.when(offset.str.starts_with("-")).then(-1).otherwise(1)
    hours = offset.str.slice(1, 2).cast(pl.Int32, strict=False)
    minutes = pl.when(length > 3).then(offset.str.slice(-2, 2).cast(pl.Int32, strict=False)).otherwise(0)
    frame = frame.with_columns(hours.alias("__h"), minutes.alias("__m"))
    return frame.with_columns(
        pl.when(length == 1).then(0).otherwise(sign * (pl.col("__h") * 60 + pl.col("__m")))
        .alias(f"__minutes__{name}"),
        (pl.col("__m") >= 60).fill_null(False).alias(f"__badminutes__{name}"),
    ).drop("__h", "__m")


def _datetime_checks(name: str) -> tuple[list[pl.Expr], pl.Expr]:
    """UTC instant, offset in minutes and local date of an ISO 8601 date-time with its offset.

    Works on the helper columns `_datetime_parts` added.
    """
    raw = pl.col(name)
    date, local = pl.col(f"__date__{name}"), pl.col(f"__localdt__{name}")
    offset, minutes = pl.col(f"__offsettext__{name}"), pl.col(f"__minutes__{name}")
    given = raw.is_not_null()
    reason = (
        pl.when(given & (date.is_null() | local.is_null()))
        .then(_quoted(raw, "is not a date-time (YYYY-MM-DDTHH:MM:SS+HH:MM)"))
        .when(given & offset.is_null())
        .then(_quoted(raw, "has no UTC offset: a date-time needs one, e.g. 2012-10-01T08:15:00+08:00"))
        .when(given & (pl.col(f"__badminutes__{name}") | (minutes.abs() > _MAX_OFFSET_MINUTES)))
        .then(_quoted(raw, "has an impossible UTC offset"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    instant = (local - pl.duration(minutes=minutes)).dt.replace_time_zone("UTC")
    return [
        instant.alias(name),
        minutes.cast(pl.Int16, strict=False).alias(f"__offset__{name}"),
        local.dt.date().alias(f"__local__{name}"),
    ], reason


def _check_reasons(check) -> tuple[str, pl.Expr]:
    if isinstance(check, NotBefore):
        earlier, later = pl.col(check.earlier), pl.col(check.later)
        if check.strict:
            return check.later, _invalid(later <= earlier, pl.lit(f"must be after {check.earlier}"))
        return check.later, _invalid(later < earlier, pl.lit(f"must not be before {check.earlier}"))
    if isinstance(check, RequiredWhen):
        condition = (pl.col(check.when_column) == check.when_value) & pl.col(check.column).is_null()
        return check.column, _invalid(condition, pl.lit(f"required when {check.when_column} is {check.when_value}"))
    if isinstance(check, RequiredWith):
        condition = pl.col(check.with_column).is_not_null() & pl.col(check.column).is_null()
        return check.column, _invalid(condition, pl.lit(f"required when {check.with_column} is given"))
    if isinstance(check, Positive):
        value = pl.col(check.column)
        not_positive = value.str.starts_with("-") | value.str.contains(r"^[+-]?0+(\.0+)?$")
        return check.column, _invalid(value.str.contains(_DECIMAL_PATTERN) & not_positive,
                                      pl.lit("must be more than zero"))
    raise ValueError(f"unknown check {check!r}")  # pragma: no cover


def _derived(kind: Kind) -> list[pl.Expr]:
    exprs = []
    for item in kind.derived:
        source = item.sources[0]
        if item.derivation is Derivation.NAME_KEY:
            exprs.append(name_key_expr(*item.sources).alias(item.name))
        elif item.derivation is Derivation.DOCUMENT_NUMBER_KEY:
            exprs.append(document_number_key_expr(source).alias(item.name))
        elif item.derivation is Derivation.UTC_OFFSET:
            exprs.append(pl.col(f"__offset__{source}").alias(item.name))
        elif item.derivation is Derivation.LOCAL_DATE:
            exprs.append(pl.col(f"__local__{source}").alias(item.name))
    return exprs


def typed_schema_names(kind: Kind) -> list[str]:
    """Columns of the typed frame, in order: the kind's columns, then its derived columns."""
    return [*kind.column_names, *(item.name for item in kind.derived)]


def validate_batch(rows: pl.DataFrame, kind: Kind, *, max_lengths: Mapping[str, int] | None = None,
                   allow_extra_columns: bool = False) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Type and check one batch: (valid rows, typed, with `_line` and derived columns; errors).

    An empty cell is "not given". Every problem of every row is reported,
    each naming its line and column; a row with any problem is left out of
    the typed frame.
    """
    max_lengths = max_lengths or {}
    present = set(rows.columns)
    entries: list[pl.DataFrame] = []
    extra = [name for name in rows.columns if name != LINE and name not in kind.column_names]
    if extra and not allow_extra_columns:
        # In JSON Lines every line names its fields: the line with an unknown one is invalid.
        for name in extra:
            entries.append(rows.filter(pl.col(name).is_not_null()).select(
                pl.col(LINE).alias("line"), pl.lit(name).alias("column"),
                pl.lit(f"unknown column: the {kind.name} format has no such column").alias("reason")))
    frame = rows.select(
        pl.col(LINE),
        *[(pl.when(pl.col(name) != "").then(pl.col(name)) if name in present else pl.lit(None, dtype=pl.String))
          .alias(name) for name in kind.column_names],
    )
    for column in kind.columns:
        if column.type is ColumnType.DATETIME:
            frame = _datetime_parts(frame, column.name)
    typed_exprs: list[pl.Expr] = []
    reason_exprs: list[pl.Expr] = []
    order: list[str] = []
    for column in kind.columns:
        typed, reasons = _column_checks(column, max_lengths.get(column.name))
        typed_exprs.extend(typed)
        for index, reason in enumerate(reasons):
            reason_exprs.append(reason.alias(f"{_ERR}{len(order)}"))
            order.append(column.name)
    checked = frame.with_columns(*reason_exprs, *typed_exprs)
    check_exprs = []
    for check in kind.checks:
        column_name, reason = _check_reasons(check)
        check_exprs.append(reason.alias(f"{_ERR}{len(order)}"))
        order.append(column_name)
    if check_exprs:
        checked = checked.with_columns(*check_exprs)
    reason_names = [f"{_ERR}{index}" for index in range(len(order))]
    for index, column_name in enumerate(order):
        entries.append(checked.filter(pl.col(reason_names[index]).is_not_null()).select(
            pl.col(LINE).alias("line"), pl.lit(column_name).alias("column"),
            pl.col(reason_names[index]).alias("reason")))
    errors = pl.concat(entries, how="vertical") if entries else empty_errors()
    position = {name: index for index, name in enumerate(kind.column_names)}
    errors = (errors.unique(subset=["line", "column"], keep="first", maintain_order=True)
              .with_columns(pl.col("column").replace_strict(position, default=len(position)).alias("_order"))
              .sort("line", "_order").drop("_order"))
    valid = checked.filter(~pl.col(LINE).is_in(errors["line"].implode()))
    typed = valid.with_columns(*_derived(kind)).select(LINE, *typed_schema_names(kind))
    return typed, errors
