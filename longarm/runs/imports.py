"""`import_files`: bulk import of exchange-format files, one transaction per file.

The rules it keeps (shared/spec/exchange-formats.md, "Conventions" and "Bad
input"): a file is written all or nothing unless `partial`; every invalid
row is reported as `file:line: column: reason`; a row naming a record that
is neither in the database nor in an earlier file of the same run is
invalid; importing the same file twice changes nothing; an import killed at
any point leaves the database as before that file or with that file
complete, because each file is one transaction.

How: each batch of the file is validated by the engine and its valid rows
go into a staging table (COPY on PostgreSQL, `executemany` on SQLite).
References and ids repeated in the file are checked there in SQL, then one
`INSERT … SELECT … ON CONFLICT (pk) DO UPDATE … WHERE <something differs>`
merges staging into the target table. Nothing holds more than one batch of
rows in Python.
"""

import csv
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.conf import settings
from django.db import connection, models, transaction

from longarm.audit.services import audit_record
from longarm.border.models import Crossing
from longarm.cases.models import Case, Recovery
from longarm.documents.models import CustodyEvent, Document
from longarm.engine.formats import KINDS, Kind, dependency_rank, kind_from_filename
from longarm.engine.loaders import (
    LINE,
    LoadError,
    column_errors,
    file_format,
    read_batches,
    read_header,
    read_records,
    typed_schema_names,
    validate_batch,
)
from longarm.registry.models import Official, Relative
from longarm.reports.models import FxRate
from longarm.runs.models import RunKind
from longarm.runs.services import run_finish, run_start
from longarm.travel.models import Trip
from longarm.treaties.models import Treaty
from longarm.watchlist.models import WatchlistEntry

# Writer mapping: the model each kind is stored in. A typed column is stored
# in the model field whose `attname` has the column's name.
WRITERS: dict[str, type[models.Model]] = {
    "officials": Official,
    "relatives": Relative,
    "documents": Document,
    "custody": CustodyEvent,
    "trips": Trip,
    "crossings": Crossing,
    "watchlist": WatchlistEntry,
    "cases": Case,
    "recoveries": Recovery,
    "fx_rates": FxRate,
    "treaties": Treaty,
}

STAGING = "longarm_import_staging"


class ImportRefused(Exception):
    """The import cannot start: a file is missing or its kind is unknown. Nothing was written."""


@dataclass(frozen=True)
class RowError:
    file: str
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.reason}"


@dataclass
class FileResult:
    path: Path
    kind: str
    status: str = "pending"  # imported | invalid | skipped
    run_id: int | None = None
    sha256: str = ""
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    rejects_path: Path | None = None

    @property
    def counts(self) -> dict:
        return {"rows": self.rows, "inserted": self.inserted, "updated": self.updated,
                "unchanged": self.unchanged, "rejected": self.rejected}


@dataclass
class ImportResult:
    files: list[FileResult]

    @property
    def ok(self) -> bool:
        return all(item.status == "imported" for item in self.files)


def _fetch_all(cursor, size: int = 10_000):
    """The rows of the last query, fetched a slice at a time (a file may hold millions of bad rows)."""
    while rows := cursor.fetchmany(size):
        yield from rows


class _FileInvalid(Exception):
    """Raised inside a file's transaction to roll it back."""


def plan_files(paths: Sequence[Path | str], kind: str | None = None) -> list[tuple[Path, str]]:
    """The files of a run with their kinds, in dependency order (officials before what refers to them)."""
    planned = []
    problems = []
    for raw in paths:
        path = Path(raw)
        file_kind = kind or kind_from_filename(path.name)
        if not path.is_file():
            problems.append(f"{path}: no such file")
        elif file_kind not in KINDS:
            problems.append(f"{path}: unknown kind {file_kind!r} (one of: {', '.join(KINDS)}; or give --kind)")
        else:
            planned.append((path, file_kind))
    if problems:
        raise ImportRefused("\n".join(problems))
    return sorted(planned, key=lambda item: (dependency_rank(item[1]), str(item[0])))


def import_files(*, paths: Sequence[Path | str], actor, kind: str | None = None, partial: bool = False,
                 allow_extra_columns: bool = False, rejects_dir: Path | str | None = None,
                 progress: Callable[[int], None] | None = None) -> ImportResult:
    """Import files in dependency order, each in its own transaction with its run and audit row.

    In all-or-nothing mode the first invalid file stops the run: it writes
    nothing and the files after it are skipped (they may depend on it).
    """
    planned = plan_files(paths, kind)
    results = [FileResult(path=path, kind=file_kind) for path, file_kind in planned]
    for result in results:
        _import_one(result, actor=actor, partial=partial, allow_extra_columns=allow_extra_columns,
                    rejects_dir=Path(rejects_dir) if rejects_dir else None, progress=progress)
        if result.status != "imported":
            for later in results[results.index(result) + 1:]:
                later.status = "skipped"
            break
    return ImportResult(files=results)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _import_one(result: FileResult, *, actor, partial: bool, allow_extra_columns: bool,
                rejects_dir: Path | None, progress) -> None:
    result.sha256 = _sha256(result.path)
    parameters = {"file": str(result.path), "kind": result.kind, "partial": partial,
                  "allow_extra_columns": allow_extra_columns, "sha256": result.sha256}
    run = run_start(kind=RunKind.IMPORT, actor=actor, parameters=parameters)
    result.run_id = run.pk
    try:
        with transaction.atomic():
            _FileImport(result, partial=partial, allow_extra_columns=allow_extra_columns,
                        rejects_dir=rejects_dir, progress=progress).run()
            audit_record(actor=actor, action="import", target=run, detail={
                "kind": result.kind, "file": str(result.path), "sha256": result.sha256, "counts": result.counts,
                "partial": partial, "rejects": str(result.rejects_path or "")})
    except _FileInvalid:
        result.status = "invalid"
        result.inserted = result.updated = result.unchanged = 0
        summary = "\n".join(str(error) for error in result.errors)
        if result.error_count > len(result.errors):
            summary += f"\n… and {result.error_count - len(result.errors)} more"
        run_finish(run=run, counts=result.counts, error=summary or "invalid file")
        return
    result.status = "imported"
    log = f"rejects written to {result.rejects_path}" if result.rejects_path else ""
    run_finish(run=run, counts=result.counts, log=log)


class _FileImport:
    """One file through validation, staging, checks and merge, inside the caller's transaction."""

    def __init__(self, result: FileResult, *, partial: bool, allow_extra_columns: bool,
                 rejects_dir: Path | None, progress):
        self.result = result
        self.kind: Kind = KINDS[result.kind]
        self.model = WRITERS[result.kind]
        self.partial = partial
        self.allow_extra_columns = allow_extra_columns
        self.rejects_dir = rejects_dir
        self.progress = progress
        self.limit = settings.LONGARM_IMPORT_ERROR_LIMIT
        self.label = str(result.path)
        fields = {f.attname: f for f in self.model._meta.concrete_fields}
        self.columns = typed_schema_names(self.kind)
        missing = [name for name in self.columns if name not in fields]
        if missing:  # a contract column without a model field is a programming error
            raise LookupError(f"{self.model.__name__} has no field for {', '.join(missing)}")
        self.fields = [fields[name] for name in self.columns]
        self.max_lengths = {f.attname: f.max_length for f in self.fields if getattr(f, "max_length", None)}
        self.key = self.kind.key
        self.table = self.model._meta.db_table
        # The columns that identify a record: its id, or a natural key (an fx rate's currency and date),
        # which then has a unique constraint to conflict on.
        by_name = {f.attname: f for f in self.fields}
        self.key_columns = [by_name[name].column for name in self.kind.key_columns]
        self.reasons: dict[int, list[str]] = {}  # partial mode: every rejected line and why

    # errors

    def _add_errors(self, entries) -> None:
        for line, column, reason in entries:
            self.result.error_count += 1
            if len(self.result.errors) < self.limit:
                self.result.errors.append(RowError(self.label, line, column, reason))
            if self.partial:
                self.reasons.setdefault(line, []).append(f"{column}: {reason}" if column else reason)

    # the steps

    def run(self) -> None:
        header = self._read_header()
        if header is not None:
            header_errors = column_errors(header, self.kind, allow_extra_columns=self.allow_extra_columns)
            if header_errors.height:
                self._add_errors(header_errors.iter_rows())
                raise _FileInvalid()
        q = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {q(STAGING)}")
            definitions = ", ".join(f"{q(f.column)} {f.db_type(connection)}" for f in self.fields)
            suffix = " ON COMMIT DROP" if connection.vendor == "postgresql" else ""
            cursor.execute(f"CREATE TEMPORARY TABLE {q(STAGING)} ({q(LINE)} bigint, {definitions}){suffix}")
            try:
                self._stage(cursor)
                cursor.execute(f"CREATE INDEX {q(STAGING + '_key')} ON {q(STAGING)} ({', '.join(q(c) for c in self.key_columns)})")
                self._check_duplicates(cursor)
                self._check_references(cursor)
                if self.result.error_count and not self.partial:
                    raise _FileInvalid()
                self._merge(cursor)
                self.result.rejected = len(self.reasons)
                if self.reasons:
                    self.result.rejects_path = self._write_rejects()
            finally:
                if connection.vendor == "sqlite":
                    cursor.execute(f"DROP TABLE IF EXISTS {q(STAGING)}")

    def _read_header(self):
        try:
            return read_header(self.result.path)
        except LoadError as error:
            self._add_errors([(error.line, "", error.reason)])
            raise _FileInvalid() from error

    def _stage(self, cursor) -> None:
        batch_rows = settings.LONGARM_IMPORT_BATCH_ROWS
        try:
            for batch in read_batches(self.result.path, batch_rows=batch_rows):
                self.result.rows += batch.rows.height + batch.errors.height
                self._add_errors(batch.errors.iter_rows())
                typed, errors = validate_batch(batch.rows, self.kind, max_lengths=self.max_lengths,
                                               allow_extra_columns=self.allow_extra_columns)
                self._add_errors(errors.iter_rows())
                # Past the error limit an all-or-nothing import only counts: staging more is wasted work.
                if typed.height and (self.partial or self.result.error_count < self.limit):
                    self._write_staging(cursor, typed)
                if self.progress:
                    self.progress(batch.rows.height + batch.errors.height)
        except LoadError as error:
            # Broken quoting or encoding: nothing after this point can be read reliably.
            self._add_errors([(error.line, "", error.reason)])
            raise _FileInvalid() from error

    def _db_frame(self, typed: pl.DataFrame) -> pl.DataFrame:
        """The typed frame in the representation Django stores for each field on this database."""
        sqlite = connection.vendor == "sqlite"
        exprs = [pl.col(LINE)]
        for name, model_field in zip(self.columns, self.fields):
            column = pl.col(name)
            internal = model_field.get_internal_type()
            if internal == "DateTimeField":
                # Django keeps UTC; on SQLite as text "YYYY-MM-DD HH:MM:SS[.ffffff]" (str of a naive datetime).
                seconds = column.dt.strftime("%Y-%m-%d %H:%M:%S")
                micro = column.dt.microsecond()
                fraction = pl.when(micro != 0).then(
                    pl.lit(".") + micro.cast(pl.String).str.zfill(6)).otherwise(pl.lit(""))
                column = pl.concat_str([seconds, fraction, pl.lit("" if sqlite else "+00:00")])
            elif internal == "DateField":
                column = column.dt.strftime("%Y-%m-%d")
            elif internal == "BooleanField" and sqlite:
                column = column.cast(pl.Int8)
            elif isinstance(model_field, (models.CharField, models.TextField)) and not model_field.null:
                column = column.fill_null("")
            exprs.append(column.alias(name))
        return typed.select(exprs)

    def _write_staging(self, cursor, typed: pl.DataFrame) -> None:
        frame = self._db_frame(typed)
        q = connection.ops.quote_name
        names = ", ".join(q(name) for name in [LINE, *(f.column for f in self.fields)])
        if connection.vendor == "postgresql":
            buffer = io.BytesIO()
            frame.write_csv(buffer, include_header=False)
            with cursor.cursor.copy(f"COPY {q(STAGING)} ({names}) FROM STDIN (FORMAT csv)") as copy:
                copy.write(buffer.getvalue())
        else:
            marks = ", ".join(["%s"] * frame.width)
            cursor.executemany(f"INSERT INTO {q(STAGING)} ({names}) VALUES ({marks})", frame.iter_rows())

    def _check_duplicates(self, cursor) -> None:
        """An id (or natural key) given twice in one file: the later rows are invalid."""
        q = connection.ops.quote_name
        line, staging = q(LINE), q(STAGING)
        keys = [q(c) for c in self.key_columns]
        key_list = ", ".join(keys)
        joined = " AND ".join(f"f.{k} = s.{k}" for k in keys)
        shown = " || ';' || ".join(f"s.{k}" for k in keys) if len(keys) > 1 else f"s.{keys[0]}"
        cursor.execute(
            f"SELECT s.{line}, {shown}, f.first_line FROM {staging} s JOIN "
            f"(SELECT {key_list}, MIN({line}) AS first_line FROM {staging} GROUP BY {key_list} HAVING COUNT(*) > 1) f "
            f"ON {joined} WHERE s.{line} > f.first_line ORDER BY s.{line}")
        what = "id" if len(keys) == 1 else "+".join(self.kind.key_columns)
        self._add_errors((row_line, self.kind.key_columns[-1] if len(keys) > 1 else self.key,
                          f"duplicate {what} {value} (first given on line {first})")
                         for row_line, value, first in _fetch_all(cursor))
        if self.partial:
            cursor.execute(f"DELETE FROM {staging} WHERE {line} IN (SELECT s.{line} FROM {staging} s JOIN "
                           f"(SELECT {key_list}, MIN({line}) AS first_line FROM {staging} GROUP BY {key_list}) f "
                           f"ON {joined} WHERE s.{line} > f.first_line)")

    def _check_references(self, cursor) -> None:
        """A row naming a record that is not in the database (earlier files of the run included) is invalid."""
        q = connection.ops.quote_name
        line, staging = q(LINE), q(STAGING)
        for column in self.kind.references:
            target = WRITERS[column.references]._meta
            model_field = next(f for f in self.fields if f.attname == column.name)
            col, target_table, target_pk = q(model_field.column), q(target.db_table), q(target.pk.column)
            missing = (f"{col} IS NOT NULL AND NOT EXISTS "
                       f"(SELECT 1 FROM {target_table} t WHERE t.{target_pk} = {staging}.{col})")
            cursor.execute(f"SELECT {line}, {col} FROM {staging} WHERE {missing} ORDER BY {line}")
            self._add_errors((row_line, column.name, f"unknown {column.name} {value}: no such record in "
                              f"{column.references} (imported earlier or in this run)")
                             for row_line, value in _fetch_all(cursor))
            if self.partial:
                cursor.execute(f"DELETE FROM {staging} WHERE {missing}")

    def _merge(self, cursor) -> None:
        """Upsert staging into the table; a row equal to the stored one is left untouched."""
        q = connection.ops.quote_name
        table, staging = q(self.table), q(STAGING)
        keys = [q(c) for c in self.key_columns]
        key = ", ".join(keys)
        columns = [q(f.column) for f in self.fields]
        others = [c for c in columns if c not in keys]
        distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
        cursor.execute(f"SELECT COUNT(*) FROM {staging}")
        staged = cursor.fetchone()[0]
        joined = " AND ".join(f"t.{k} = s.{k}" for k in keys)
        cursor.execute(f"SELECT COUNT(*) FROM {staging} s JOIN {table} t ON {joined}")
        existing = cursor.fetchone()[0]
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM {staging} WHERE true "
            f"ON CONFLICT ({key}) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in others)} "
            f"WHERE {' OR '.join(f'{table}.{c} {distinct} excluded.{c}' for c in others)}")
        changed = cursor.rowcount
        self.result.inserted = staged - existing
        self.result.updated = changed - self.result.inserted
        self.result.unchanged = existing - self.result.updated

    def _write_rejects(self) -> Path:
        """`<name>.rejects.csv` (or `.jsonl`): each rejected record as it came, plus `reason`.

        Written to a temporary name and renamed, so a killed import never
        leaves half a rejects file.
        """
        path = self.result.path
        jsonl = file_format(path) == "jsonl"
        name = f"{path.stem}.rejects.{'jsonl' if jsonl else 'csv'}"
        directory = self.rejects_dir or path.parent
        if self.rejects_dir is None and not os.access(directory, os.W_OK):
            directory = Path.cwd()
        directory.mkdir(parents=True, exist_ok=True)
        handle = tempfile.NamedTemporaryFile("w", dir=directory, prefix=f".{name}.", delete=False,
                                             encoding="utf-8", newline="")
        try:
            with handle:
                writer = None if jsonl else csv.writer(handle, lineterminator="\n")
                for line, record in read_records(path, set(self.reasons)):
                    reason = "; ".join(self.reasons.get(line, ()))
                    if jsonl:
                        handle.write(json.dumps({**record, "reason": reason}, ensure_ascii=False) + "\n")
                    elif line == 1:
                        writer.writerow([*record, "reason"])
                    else:
                        writer.writerow([*record, reason])
            os.replace(handle.name, directory / name)
        except BaseException:
            Path(handle.name).unlink(missing_ok=True)
            raise
        return directory / name
