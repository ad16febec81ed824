"""The two sides of a batch of pairs, as comparisons read them: a pair frame, or row positions into records.

A comparison written on sides (`Comparison.gamma_sides`) reads feature values
through one small interface, so that the same code runs on

- `FrameSides`: a pair frame (`<column>_l` / `<column>_r` columns, see
  `blocking.pair_frame`), what training, tests and the Spark engine build;
- `IndexedSides`: row positions (`index_l`, `index_r`) into `RecordColumns`,
  the feature frames held once as numpy arrays; what the pipeline uses, so
  that a batch of pairs costs one integer gather per column and side instead
  of a frame of gathered strings.

Both answer every question the same way for the same pair (the tests compare
them on random pairs). Strings are never gathered for a whole batch: equality
goes through dictionary codes (one integer per distinct value, shared by both
sides), and the fuzzy comparisons ask for the strings of the few rows they score.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
import polars as pl

SIDES = ("l", "r")


def _positions(rows: np.ndarray) -> np.ndarray:
    """Positions of `rows`, given as a boolean mask or as positions."""
    rows = np.asarray(rows)
    return np.flatnonzero(rows) if rows.dtype == bool else rows


def _filled(series: pl.Series) -> np.ndarray:
    return series.fill_null(False if series.dtype == pl.Boolean else 0).to_numpy()


def _nulls(series: pl.Series) -> np.ndarray:
    if series.dtype == pl.String:
        return (series.is_null() | (series.str.len_bytes() == 0)).to_numpy()
    return series.is_null().to_numpy()


def _equal(left: pl.Series, right: pl.Series) -> np.ndarray:
    return (left == right).fill_null(False).to_numpy()


def _contains(lists: pl.Series, values: pl.Series) -> np.ndarray:
    return pl.DataFrame({"list": lists, "value": values}).select(
        pl.col("list").list.contains(pl.col("value")).fill_null(False)).to_series().to_numpy()


def _first_letter(series: pl.Series) -> pl.Series:
    return series.str.slice(0, 1)


def equality_codes(series: pl.Series) -> np.ndarray:
    """One integer per value, equal exactly when the values are equal, 0 for null; no sort of the values:
    integers are offset, strings hashed (once it is checked that no two distinct values share a hash;
    a dense rank otherwise)."""
    present = series.is_not_null()
    if series.dtype == pl.Boolean:
        return (series.cast(pl.Int64) + 1).fill_null(0).to_numpy()
    if series.dtype.is_integer() and series.dtype != pl.UInt64:
        low, high = series.min(), series.max()
        if low is None:
            return np.zeros(series.len(), dtype=np.int64)
        if high - low < 1 << 62:
            return (series.cast(pl.Int64) - low + 1).fill_null(0).to_numpy()
    elif series.dtype == pl.UInt64:
        if not (series == 0).any():
            return series.fill_null(0).to_numpy()
    else:
        hashed = series.hash(seed=20_240_601)
        kept = hashed.filter(present)
        if not (kept == 0).any() and kept.n_unique() == series.filter(present).n_unique():
            return hashed.set(~present, 0).to_numpy() if series.null_count() else hashed.to_numpy()
    return series.rank("dense").fill_null(0).cast(pl.Int64).to_numpy()


class FrameSides:
    """Sides read from a pair frame."""

    def __init__(self, pairs: pl.DataFrame):
        self.pairs = pairs
        self.size = pairs.height

    def _series(self, column: str, side: str) -> pl.Series:
        return self.pairs[f"{column}_{side}"]

    def values(self, column: str, side: str) -> np.ndarray:
        """The values, nulls as 0 (False)."""
        return _filled(self._series(column, side))

    def nulls(self, column: str, side: str) -> np.ndarray:
        """Null, or the empty string."""
        return _nulls(self._series(column, side))

    def equal(self, column_l: str, column_r: str | None = None) -> np.ndarray:
        """Left `column_l` equals right `column_r` (default the same column); False where either is null."""
        return _equal(self._series(column_l, "l"), self._series(column_r or column_l, "r"))

    def exact(self, column: str) -> np.ndarray:
        """Int8 per pair: 0 where a side is null (or the empty string), 1 where the values are equal, else 2."""
        null = self.nulls(column, "l") | self.nulls(column, "r")
        return np.where(null, 0, np.where(self.equal(column), 1, 2)).astype(np.int8)

    def first_letter_equal(self, column_l: str, column_r: str) -> np.ndarray:
        return _equal(_first_letter(self._series(column_l, "l")), _first_letter(self._series(column_r, "r")))

    def lengths(self, column: str, side: str) -> np.ndarray:
        """Length in characters, nulls as 0."""
        return self._series(column, side).str.len_chars().fill_null(0).to_numpy()

    def strings(self, column: str, side: str, rows: np.ndarray) -> list[str]:
        """The strings of `rows` (mask or positions), nulls as ""."""
        return self._series(column, side).gather(_positions(rows)).fill_null("").to_list()

    def contains(self, list_column: str, list_side: str, value_column: str, rows: np.ndarray) -> np.ndarray:
        """Whether the list in `list_column` of `list_side` holds the other side's `value_column`, on `rows`
        (mask or positions); False elsewhere."""
        value_side = "r" if list_side == "l" else "l"
        out = np.zeros(self.size, dtype=bool)
        where = _positions(rows)
        if where.size:
            out[where] = _contains(self._series(list_column, list_side).gather(where),
                                   self._series(value_column, value_side).gather(where))
        return out


class RecordColumns:
    """The feature frames of a run (`left`, and `right` for a link run) as numpy arrays, each built once on
    first use, with rows in the order `order_l` / `order_r` (positions count in that order; None keeps the
    frame's order)."""

    def __init__(self, left: pl.DataFrame, right: pl.DataFrame | None = None, *,
                 order_l: np.ndarray | None = None, order_r: np.ndarray | None = None):
        self.same = right is None
        self.frames = {"l": left, "r": left if right is None else right}
        self.order = {"l": order_l, "r": order_l if right is None else order_r}
        self._arrays: dict[tuple, object] = {}
        self._lock = threading.RLock()

    def frame_rows(self, positions: np.ndarray, side: str) -> np.ndarray:
        """Rows of the frame at these positions."""
        order = self.order[side]
        return positions if order is None else np.take(order, positions)

    def series(self, column: str, side: str) -> pl.Series:
        frame = self.frames[side]
        if column not in frame.columns:
            raise ValueError(f"comparison needs column {column!r}, which the records frame lacks")
        return frame[column]

    def built(self, kind: str, *key) -> bool:
        """Whether the array (`array`'s kind, column, side; `codes`' columns and first_letter; `present_codes`'
        column) is built already."""
        if kind in ("values", "nulls", "lengths"):
            column, side = key
            key = (column, "l" if self.same else side)
        return (kind, *key) in self._arrays

    def _cached(self, key: tuple, build):
        found = self._arrays.get(key)
        if found is None:
            with self._lock:
                found = self._arrays.get(key)
                if found is None:
                    found = self._arrays[key] = build()
        return found

    def _ordered(self, values: np.ndarray, side: str) -> np.ndarray:
        order = self.order[side]
        return values if order is None else np.ascontiguousarray(values[order])

    def array(self, kind: str, column: str, side: str) -> np.ndarray:
        """`values` (nulls 0), `nulls` (null or empty string) or `lengths` (characters, nulls 0) per record."""
        builders = {"values": _filled, "nulls": _nulls,
                    "lengths": lambda s: s.str.len_chars().fill_null(0).to_numpy()}
        side = "l" if self.same else side
        return self._cached((kind, column, side),
                            lambda: self._ordered(builders[kind](self.series(column, side)), side))

    def codes(self, column_l: str, column_r: str, *, first_letter: bool = False
              ) -> tuple[np.ndarray, np.ndarray]:
        """Dictionary codes of left `column_l` and right `column_r` on one dictionary: equal values get
        equal codes, null gets 0 (with `first_letter`, codes of the first character)."""
        def build():
            left, right = self.series(column_l, "l"), self.series(column_r, "r")
            if first_letter:
                left, right = _first_letter(left), _first_letter(right)
            if self.same and column_l == column_r:
                code = self._ordered(equality_codes(left), "l")
                return code, code
            both = equality_codes(pl.concat([left, right.cast(left.dtype, strict=False)]))
            return self._ordered(both[:left.len()], "l"), self._ordered(both[left.len():], "r")

        return self._cached(("codes", column_l, column_r, first_letter), build)

    def blank(self, kind: str, column: str, side: str) -> bool:
        """Whether the side holds nothing in `column`: every value null or empty (`present`), or every value
        0 once nulls are (`values`). A side without a single national id (crossings) then compares as "no
        information" without building registry-wide arrays or reading a value per pair."""
        side = "l" if self.same else side
        build = {"present": lambda: bool(_nulls(self.series(column, side)).all()),
                 "values": lambda: not _filled(self.series(column, side)).any()}[kind]
        return self._cached(("blank", kind, column, side), build)

    def present_codes(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """`codes` of the column on both sides with the empty string as null (0)."""
        def build():
            code_l, code_r = self.codes(column, column)
            empty_l, empty_r = self.array("nulls", column, "l"), self.array("nulls", column, "r")
            if not empty_l.any() and not empty_r.any():
                return code_l, code_r
            present_l = np.where(empty_l, 0, code_l)
            return present_l, present_l if self.same else np.where(empty_r, 0, code_r)

        return self._cached(("present", column), build)

    def prepare(self, kinds: Sequence[tuple[str, str]]) -> None:
        """Build the (kind, column) arrays now (`codes` for equality), before threads share the object."""
        for kind, column in kinds:
            if kind == "codes":
                self.codes(column, column)
            else:
                for side in SIDES:
                    self.array(kind, column, side)


class IndexedSides:
    """Sides read through positions (`index_l`, `index_r`) into `RecordColumns`.

    A small batch (the few pairs that reach the costly comparisons) reads the
    frames at its rows instead of building registry-wide arrays of columns
    that only it needs: small means fewer pairs than `SMALL_SHARE` of the
    records (building an array reads every record once). Arrays already
    built are read whatever the batch's size.
    """

    SMALL_SHARE = 1 / 16

    def __init__(self, records: RecordColumns, index_l: np.ndarray, index_r: np.ndarray):
        self.records = records
        self.index = {"l": index_l, "r": index_r}
        self.size = index_l.size
        self._small = self.size < max(self.SMALL_SHARE * records.frames["l"].height, 1_024)

    def _rows(self, side: str, where: np.ndarray | None = None) -> np.ndarray:
        index = self.index[side] if where is None else self.index[side][where]
        return self.records.frame_rows(index, side)

    def _series(self, column: str, side: str, where: np.ndarray | None = None) -> pl.Series:
        return self.records.series(column, side).gather(self._rows(side, where))

    def _gather(self, kind: str, column: str, side: str) -> np.ndarray:
        if kind == "values" and self.records.blank(kind, column, side):
            return np.zeros(self.size, dtype=_filled(self.records.series(column, side).head(0)).dtype)
        return np.take(self.records.array(kind, column, side), self.index[side])

    def _read_frame(self, *key) -> bool:
        """Whether to read the frames (small batch, array not built yet) rather than the arrays."""
        return self._small and not self.records.built(*key)

    def values(self, column: str, side: str) -> np.ndarray:
        if self._read_frame("values", column, side):
            return _filled(self._series(column, side))
        return self._gather("values", column, side)

    def nulls(self, column: str, side: str) -> np.ndarray:
        if self._read_frame("nulls", column, side):
            return _nulls(self._series(column, side))
        return self._gather("nulls", column, side)

    def equal(self, column_l: str, column_r: str | None = None) -> np.ndarray:
        column_r = column_r or column_l
        if self._read_frame("codes", column_l, column_r, False):
            return _equal(self._series(column_l, "l"), self._series(column_r, "r"))
        code_l, code_r = self.records.codes(column_l, column_r)
        left = np.take(code_l, self.index["l"])
        return (left == np.take(code_r, self.index["r"])) & (left != 0)

    def exact(self, column: str) -> np.ndarray:
        if self._read_frame("present", column):
            return FrameSides.exact(self, column)
        if self.records.blank("present", column, "l") or self.records.blank("present", column, "r"):
            return np.zeros(self.size, dtype=np.int8)
        code_l, code_r = self.records.present_codes(column)
        left, right = np.take(code_l, self.index["l"]), np.take(code_r, self.index["r"])
        exact = np.where(left == right, np.int8(1), np.int8(2))
        exact[(left == 0) | (right == 0)] = 0
        return exact

    def first_letter_equal(self, column_l: str, column_r: str) -> np.ndarray:
        if self._read_frame("codes", column_l, column_r, True):
            return _equal(_first_letter(self._series(column_l, "l")), _first_letter(self._series(column_r, "r")))
        code_l, code_r = self.records.codes(column_l, column_r, first_letter=True)
        left = np.take(code_l, self.index["l"])
        return (left == np.take(code_r, self.index["r"])) & (left != 0)

    def lengths(self, column: str, side: str) -> np.ndarray:
        if self._read_frame("lengths", column, side):
            return self._series(column, side).str.len_chars().fill_null(0).to_numpy()
        return self._gather("lengths", column, side)

    def strings(self, column: str, side: str, rows: np.ndarray) -> list[str]:
        return self._series(column, side, _positions(rows)).fill_null("").to_list()

    def contains(self, list_column: str, list_side: str, value_column: str, rows: np.ndarray) -> np.ndarray:
        value_side = "r" if list_side == "l" else "l"
        out = np.zeros(self.size, dtype=bool)
        where = _positions(rows)
        if where.size:
            out[where] = _contains(self._series(list_column, list_side, where),
                                   self._series(value_column, value_side, where))
        return out
