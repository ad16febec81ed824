"""Blocking: which pairs of records are worth scoring at all.

A registry of n records holds n(n-1)/2 pairs; scoring them all is out of the
question at 7 million officials. Blocking keeps the pairs that agree exactly
on at least one *blocking rule* (an equi-join on one or more key columns),
and the union of several rules reaches the true pairs that any single rule
misses: a typo in the name is caught by the date-of-birth rule, a
day/month-swapped date by the name rule, and so on.

Rules of the game:

- a record whose key is null (or an empty string) in any column of a rule
  takes no part in that rule;
- a rule may join different columns on the two sides (`right_columns`): the
  name key of one record against the swapped name key (given + family) of
  the other, the date of birth against the day/month-swapped date;
- blocks larger than the cap (`max_block_size` records on either side) are
  skipped, never silently: `BlockingReport` counts the blocks, records and
  pairs left out per rule, and a later rule may still reach those pairs;
- every pair comes out once, from the first rule that reaches it: a later
  rule drops the pairs an earlier rule already produced (Splink's trick), so
  that the union streams rule by rule and chunk by chunk without ever
  holding all pairs in memory;
- dedupe pairs have index_l < index_r (row positions in the records frame);
  link pairs are (row in left, row in right).

Everything is columnar: keys are hashed once per rule with Polars, blocks are
runs of equal hashes after one sort, and the pairs of a block are generated
with numpy arithmetic, not Python loops.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import polars as pl

DEFAULT_MAX_BLOCK_SIZE = 2_000
DEFAULT_CHUNK_PAIRS = 4_000_000
ROW_BITS = 24  # rows per frame up to 16.7 million share a 64-bit sort key with their 40-bit block code
CODE_BITS = 64 - ROW_BITS
# A record without a key gets a code of its own above every block code (2^40 + 2 row on the left, + 1 on the
# right), so that "reached by this rule" is one comparison of codes, never true for a record without a key.
NO_KEY = np.uint64(1 << CODE_BITS)


@dataclass(frozen=True)
class BlockingRule:
    """Pairs agreeing exactly on `columns` (left record) = `right_columns` (right record)."""

    name: str
    columns: tuple[str, ...]
    right_columns: tuple[str, ...] | None = None
    max_block_size: int | None = None

    def __post_init__(self):
        if self.right_columns is not None and len(self.right_columns) != len(self.columns):
            raise ValueError(f"blocking rule {self.name!r}: columns and right_columns differ in length")

    @property
    def symmetric(self) -> bool:
        return self.right_columns is None or tuple(self.right_columns) == tuple(self.columns)

    @property
    def other_columns(self) -> tuple[str, ...]:
        return tuple(self.columns if self.right_columns is None else self.right_columns)

    @property
    def all_columns(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.columns, *self.other_columns)))


@dataclass
class RuleCount:
    """What one rule contributed, and what its cap left out."""

    rule: str
    blocks: int = 0
    pairs: int = 0                   # new pairs (not already produced by an earlier rule)
    pairs_in_blocks: int = 0         # pairs in the blocks it scored, before dropping earlier rules' pairs
    skipped_blocks: int = 0
    skipped_records: int = 0
    skipped_pairs: int = 0
    largest_block: int = 0


@dataclass
class BlockingReport:
    rules: list[RuleCount] = field(default_factory=list)

    @property
    def pairs(self) -> int:
        return sum(count.pairs for count in self.rules)

    @property
    def skipped_pairs(self) -> int:
        return sum(count.skipped_pairs for count in self.rules)

    def as_dict(self) -> dict:
        return {"pairs": self.pairs, "skipped_pairs": self.skipped_pairs, "rules": [vars(c) for c in self.rules]}

    def summary(self) -> str:
        lines = [f"{self.pairs:,} candidate pairs"]
        for c in self.rules:
            line = f"  {c.rule}: {c.pairs:,} new pairs in {c.blocks:,} blocks (largest {c.largest_block:,})"
            if c.skipped_blocks:
                line += (f"; skipped {c.skipped_blocks:,} blocks over the cap ({c.skipped_records:,} records, "
                         f"{c.skipped_pairs:,} pairs)")
            lines.append(line)
        return "\n".join(lines)


# --- keys ------------------------------------------------------------------------------------------

def _key_frame(frame: pl.DataFrame, columns: Sequence[str], names: Sequence[str]) -> pl.DataFrame:
    exprs = []
    for column, name in zip(columns, names, strict=True):
        if column not in frame.columns:
            raise ValueError(f"blocking needs column {column!r}, which the records frame lacks")
        expr = pl.col(column)
        if frame.schema[column] == pl.String:
            expr = pl.when(expr.str.len_bytes() > 0).then(expr)
        exprs.append(expr.alias(name))
    return frame.select(exprs)


def _no_key_codes(rows: np.ndarray, side: int) -> np.ndarray:
    return NO_KEY + (rows.astype(np.uint64) << np.uint64(1)) + np.uint64(side)


def _codes(left: pl.DataFrame, right: pl.DataFrame | None, rule: BlockingRule,
           use_other_on_right: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Block codes of the rule's key per record (see `NO_KEY` for records without one), and validity
    (no null key column).

    Left and right are hashed in one frame so that equal keys get equal codes.
    """
    names = [f"k{i}" for i in range(len(rule.columns))]
    keys_left = _key_frame(left, rule.columns, names)
    parts = [keys_left]
    if right is not None:
        right_columns = rule.other_columns if use_other_on_right else rule.columns
        keys_right = _key_frame(right, right_columns, names)
        # Same dtype on both sides, or the hashes would differ for equal values.
        keys_right = keys_right.cast(dict(keys_left.schema), strict=False)
        parts.append(keys_right)
    keys = pl.concat(parts, how="vertical_relaxed")
    hashed = keys.select(
        code=pl.struct(names).hash(seed=7),
        valid=pl.all_horizontal([pl.col(n).is_not_null() for n in names]),
    )
    # Keep the top 40 bits of the hash: a block is then found by sorting (code << 24 | row) once, which
    # is several times faster than an argsort and keeps rows ascending within a block. Rare collisions
    # merge two blocks into one: extra candidate pairs, scored like the others, never a lost one.
    code = hashed["code"].to_numpy() >> np.uint64(ROW_BITS)
    valid = hashed["valid"].to_numpy()
    n = left.height
    code_l, valid_l = code[:n], valid[:n]
    code_l[~valid_l] = _no_key_codes(np.flatnonzero(~valid_l), 0)
    if right is None:
        return code_l, valid_l, None, None
    code_r, valid_r = code[n:], valid[n:]
    code_r[~valid_r] = _no_key_codes(np.flatnonzero(~valid_r), 1)
    return code_l, valid_l, code_r, valid_r


def dob_days_swapped(dob_days: pl.Expr | str = "dob_days") -> pl.Expr:
    """Days since 1970 of the date with day and month exchanged (1984-03-07 -> 1984-07-03); null when
    that is no date or the same date. Blocks a record against its day/month-swapped twin."""
    days = pl.col(dob_days) if isinstance(dob_days, str) else dob_days
    date = days.cast(pl.Int32).cast(pl.Date)
    day, month = date.dt.day(), date.dt.month()
    swapped = pl.date(date.dt.year(), day.clip(1, 12), month)
    return pl.when((day <= 12) & (day != month)).then(swapped.cast(pl.Int32))


# --- pair generation -------------------------------------------------------------------------------

def _position_type(rows: int) -> type:
    """Row positions are int32 up to 2^31 rows: pair arrays half the size of int64 ones."""
    return np.int32 if rows < (1 << 31) else np.int64


def _sorted_members(code: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows with a key, ordered by block code then row, and their codes in that order."""
    every = bool(valid.all())
    members = np.arange(code.size) if every else np.flatnonzero(valid)
    position = _position_type(code.size)
    if code.size < (1 << ROW_BITS):
        key = ((code if every else code[members]) << np.uint64(ROW_BITS)) | members.astype(np.uint64)
        key.sort()
        return (key & np.uint64((1 << ROW_BITS) - 1)).astype(position), key >> np.uint64(ROW_BITS)
    order = members[np.argsort(code[members], kind="stable")].astype(position)
    return order, code[order]


def _runs(sorted_codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and length of each run of equal values in a sorted array."""
    if sorted_codes.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    change = np.flatnonzero(sorted_codes[1:] != sorted_codes[:-1]) + 1
    starts = np.concatenate([[0], change]).astype(np.int64)
    lengths = np.diff(np.concatenate([starts, [sorted_codes.size]])).astype(np.int64)
    return starts, lengths


def _cumsum(values: np.ndarray) -> np.ndarray:
    return np.cumsum(values, dtype=values.dtype)


def _pair_type(order: np.ndarray, pairs: int) -> type:
    """The positions' type, or int64 when the pairs of one chunk outnumber what int32 counts."""
    return order.dtype if pairs < (1 << 31) else np.dtype(np.int64)


def _within_block_pairs(order: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every unordered pair of records inside each block (order[starts[b]: starts[b] + sizes[b]])."""
    dtype = _pair_type(order, int((sizes.astype(np.int64) * (sizes - 1) // 2).sum()))
    if starts.size == 0:
        return np.zeros(0, dtype), np.zeros(0, dtype)
    starts, sizes = starts.astype(dtype), sizes.astype(dtype)
    block_of_member = np.repeat(np.arange(starts.size, dtype=dtype), sizes)
    member_start = np.repeat(starts, sizes)
    offset = np.arange(block_of_member.size, dtype=dtype) - np.repeat(_cumsum(sizes) - sizes, sizes)
    later = sizes[block_of_member] - 1 - offset  # how many members follow this one in its block
    position = member_start + offset
    # The partners of the member at `position` are the `later` positions after it: position + 1 + step,
    # step counting from 0 within the member's run of pairs.
    first_pair = _cumsum(later) - later
    right_position = np.arange(int(later.sum()), dtype=dtype) + np.repeat(position + 1 - first_pair, later)
    return np.take(order, np.repeat(position, later)).astype(dtype, copy=False), np.take(order, right_position)


def _cross_block_pairs(order_l: np.ndarray, starts_l: np.ndarray, sizes_l: np.ndarray,
                       order_r: np.ndarray, starts_r: np.ndarray, sizes_r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (left member, right member) pair of each matched block."""
    left_members, fanout, right = _cross_block_members(order_l, starts_l, sizes_l, order_r, starts_r, sizes_r)
    return np.repeat(left_members, fanout), right


def _cross_block_members(order_l: np.ndarray, starts_l: np.ndarray, sizes_l: np.ndarray,
                         order_r: np.ndarray, starts_r: np.ndarray, sizes_r: np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`_cross_block_pairs` before the left members are repeated: (left members, pairs of each, right side of
    every pair), so that what depends on the left record alone is read once per record, not once per pair."""
    dtype = _pair_type(np.zeros(0, np.promote_types(order_l.dtype, order_r.dtype)),
                       int((sizes_l.astype(np.int64) * sizes_r).sum()))
    if starts_l.size == 0:
        return np.zeros(0, dtype), np.zeros(0, dtype), np.zeros(0, dtype)
    starts_l, sizes_l = starts_l.astype(dtype), sizes_l.astype(dtype)
    starts_r, sizes_r = starts_r.astype(dtype), sizes_r.astype(dtype)
    member_block = np.repeat(np.arange(starts_l.size, dtype=dtype), sizes_l)
    offset = np.arange(member_block.size, dtype=dtype) - np.repeat(_cumsum(sizes_l) - sizes_l, sizes_l)
    left_members = np.take(order_l, np.repeat(starts_l, sizes_l) + offset).astype(dtype, copy=False)
    fanout = sizes_r[member_block]
    first_pair = _cumsum(fanout) - fanout
    right_position = np.arange(int(fanout.sum()), dtype=dtype) + np.repeat(starts_r[member_block] - first_pair,
                                                                            fanout)
    return left_members, fanout, np.take(order_r, right_position).astype(dtype, copy=False)


def _block_members(order: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    offset = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return order[np.repeat(starts, sizes) + offset]


def _marked(ids: np.ndarray, order: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Whether each block holds at least one record marked in `ids`."""
    running = np.concatenate([[0], np.cumsum(ids[order], dtype=np.int64)])
    return running[starts + sizes] - running[starts] > 0


def _by_first_row(order: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Blocks in the order of their first record's row rather than of their code: when the rows are in an
    order where a block's records are neighbours (the pipeline's locality order), pairs then come out
    sweeping through the records once instead of jumping about."""
    return np.argsort(np.take(order, starts), kind="stable")


def _chunks_of_blocks(pair_counts: np.ndarray, chunk_pairs: int) -> Iterator[slice]:
    """Consecutive block ranges holding about `chunk_pairs` pairs each (a bigger block goes alone)."""
    if pair_counts.size == 0:
        return
    cumulative = np.cumsum(pair_counts)
    start = 0
    while start < pair_counts.size:
        base = cumulative[start - 1] if start else 0
        stop = int(np.searchsorted(cumulative, base + chunk_pairs, side="right"))
        stop = max(stop, start + 1)
        yield slice(start, stop)
        start = stop


@dataclass
class _RuleCodes:
    rule: BlockingRule
    code_l: np.ndarray
    valid_l: np.ndarray
    code_r: np.ndarray
    valid_r: np.ndarray

    def drop(self, rows_l: np.ndarray, rows_r: np.ndarray | None) -> None:
        """Records of skipped blocks no longer count as reached by this rule (for the later rules)."""
        symmetric = self.code_r is self.code_l
        self.code_l, self.valid_l = self.code_l.copy(), self.valid_l.copy()
        self.code_l[rows_l], self.valid_l[rows_l] = _no_key_codes(rows_l, 0), False
        if symmetric:
            self.code_r, self.valid_r = self.code_l, self.valid_l
        else:
            self.code_r, self.valid_r = self.code_r.copy(), self.valid_r.copy()
            self.code_r[rows_r], self.valid_r[rows_r] = _no_key_codes(rows_r, 1), False


def _reached_by(earlier: _RuleCodes, left: np.ndarray, right: np.ndarray, dedupe: bool) -> np.ndarray:
    """Whether an earlier rule already produced the pair (left, right)."""
    hit = np.take(earlier.code_l, left) == np.take(earlier.code_r, right)
    if dedupe and not earlier.rule.symmetric:
        hit |= np.take(earlier.code_l, right) == np.take(earlier.code_r, left)
    return hit


@dataclass
class PairChunk:
    """One chunk of candidate pairs still to be made: `make()` returns (index_l, index_r, pairs in its
    blocks before dropping those of earlier rules). Chunks are independent of one another, so they may be
    made in any order or at once (threads); `add_to_report` counts one in its rule's figures."""

    count: RuleCount
    make: Callable[[], tuple[np.ndarray, np.ndarray, int]]

    def add_to_report(self, pairs: int, pairs_in_blocks: int) -> None:
        self.count.pairs += pairs
        self.count.pairs_in_blocks += pairs_in_blocks


def iter_candidate_pairs(left: pl.DataFrame, rules: Sequence[BlockingRule], *, right: pl.DataFrame | None = None,
                         ids: np.ndarray | None = None, max_block_size: int = DEFAULT_MAX_BLOCK_SIZE,
                         chunk_pairs: int = DEFAULT_CHUNK_PAIRS,
                         report: BlockingReport | None = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Candidate pairs in chunks of row positions (index_l, index_r), each pair once over all rules.

    Dedupe when `right` is None (pairs within `left`, index_l < index_r), link
    otherwise. `ids` (dedupe only): a boolean mask over `left`; only pairs
    with at least one marked record come out (incremental runs). `report`
    (optional) is filled in with the per-rule counts as the chunks go by.
    """
    for chunk in iter_pair_chunks(left, rules, right=right, ids=ids, max_block_size=max_block_size,
                                  chunk_pairs=chunk_pairs, report=report):
        index_l, index_r, in_blocks = chunk.make()
        chunk.add_to_report(index_l.size, in_blocks)
        if index_l.size:
            yield index_l, index_r


def iter_pair_chunks(left: pl.DataFrame, rules: Sequence[BlockingRule], *, right: pl.DataFrame | None = None,
                     ids: np.ndarray | None = None, max_block_size: int = DEFAULT_MAX_BLOCK_SIZE,
                     chunk_pairs: int = DEFAULT_CHUNK_PAIRS,
                     report: BlockingReport | None = None) -> Iterator[PairChunk]:
    """`iter_candidate_pairs` as chunks still to be made (`PairChunk`): what a caller running chunks in
    parallel iterates. The rule-level counts (blocks, skipped) are in `report` when a rule's first chunk
    comes out; pairs are counted by `PairChunk.add_to_report`."""
    dedupe = right is None
    if ids is not None and not dedupe:
        raise ValueError("ids= restricts a dedupe run; a link run restricts its left frame instead")
    report = report if report is not None else BlockingReport()
    done: list[_RuleCodes] = []
    if not dedupe:
        yield from _link_chunks(left, right, rules, max_block_size, chunk_pairs, report)
        return
    for rule in rules:
        cap = rule.max_block_size or max_block_size
        count = RuleCount(rule.name)
        report.rules.append(count)
        earlier = tuple(done)
        if dedupe and rule.symmetric:
            code, valid, _, _ = _codes(left, None, rule, False)
            codes = _RuleCodes(rule, code, valid, code, valid)
            yield from _dedupe_symmetric(codes, ids, cap, chunk_pairs, count, earlier)
        else:
            other = left if dedupe else right
            code_l, valid_l, code_r, valid_r = _codes(left, other, rule, True)
            codes = _RuleCodes(rule, code_l, valid_l, code_r, valid_r)
            yield from _cross(codes, dedupe, ids, cap, chunk_pairs, count, earlier)
        done.append(codes)


def _dedupe_symmetric(codes: _RuleCodes, ids, cap, chunk_pairs, count: RuleCount, done) -> Iterator[PairChunk]:
    order, sorted_codes = _sorted_members(codes.code_l, codes.valid_l)
    starts, sizes = _runs(sorted_codes)
    keep = sizes >= 2
    if ids is not None:  # blocks holding at least one marked record
        keep &= _marked(ids, order, starts, sizes)
    over = keep & (sizes > cap)
    count.skipped_blocks = int(over.sum())
    count.skipped_records = int(sizes[over].sum())
    count.skipped_pairs = int((sizes[over] * (sizes[over] - 1) // 2).sum())
    if over.any():  # records of skipped blocks do not count as reached by this rule for later rules
        codes.drop(_block_members(order, starts[over], sizes[over]), None)
    keep &= ~over
    starts, sizes = starts[keep], sizes[keep]
    by_row = _by_first_row(order, starts)
    starts, sizes = starts[by_row], sizes[by_row]
    count.blocks = int(starts.size)
    count.largest_block = int(sizes.max()) if sizes.size else 0
    pair_counts = sizes * (sizes - 1) // 2

    def make(part: slice) -> tuple[np.ndarray, np.ndarray, int]:
        a, b = _within_block_pairs(order, starts[part], sizes[part])
        return *_fresh(a, b, True, ids, done), a.size

    for part in _chunks_of_blocks(pair_counts, chunk_pairs):
        yield PairChunk(count, lambda part=part: make(part))


def _cross(codes: _RuleCodes, dedupe: bool, ids, cap, chunk_pairs, count: RuleCount, done) -> Iterator[PairChunk]:
    order_l, sc_l = _sorted_members(codes.code_l, codes.valid_l)
    order_r, sc_r = _sorted_members(codes.code_r, codes.valid_r)
    starts_l, sizes_l = _runs(sc_l)
    starts_r, sizes_r = _runs(sc_r)
    block_l, block_r = sc_l[starts_l] if starts_l.size else sc_l[:0], sc_r[starts_r] if starts_r.size else sc_r[:0]
    common, at_l, at_r = np.intersect1d(block_l, block_r, assume_unique=True, return_indices=True)
    starts_l, sizes_l, starts_r, sizes_r = starts_l[at_l], sizes_l[at_l], starts_r[at_r], sizes_r[at_r]
    if ids is not None:  # blocks with a marked record on either side
        keep = _marked(ids, order_l, starts_l, sizes_l) | _marked(ids, order_r, starts_r, sizes_r)
        starts_l, sizes_l, starts_r, sizes_r = starts_l[keep], sizes_l[keep], starts_r[keep], sizes_r[keep]
    over = (sizes_l > cap) | (sizes_r > cap)
    count.skipped_blocks = int(over.sum())
    count.skipped_records = int(sizes_l[over].sum() + sizes_r[over].sum())
    count.skipped_pairs = int((sizes_l[over] * sizes_r[over]).sum())
    if over.any():
        codes.drop(_block_members(order_l, starts_l[over], sizes_l[over]),
                   _block_members(order_r, starts_r[over], sizes_r[over]))
    keep = ~over
    starts_l, sizes_l, starts_r, sizes_r = starts_l[keep], sizes_l[keep], starts_r[keep], sizes_r[keep]
    by_row = _by_first_row(order_l, starts_l)
    starts_l, sizes_l, starts_r, sizes_r = starts_l[by_row], sizes_l[by_row], starts_r[by_row], sizes_r[by_row]
    count.blocks = int(starts_l.size)
    count.largest_block = int(max(sizes_l.max(), sizes_r.max())) if sizes_l.size else 0
    pair_counts = sizes_l * sizes_r
    code_l, code_r = codes.code_l, codes.code_r

    def make(part: slice) -> tuple[np.ndarray, np.ndarray, int]:
        a, b = _cross_block_pairs(order_l, starts_l[part], sizes_l[part], order_r, starts_r[part], sizes_r[part])
        in_blocks = a.size
        if dedupe:
            distinct = a != b
            a, b = a[distinct], b[distinct]
            lo, hi = np.minimum(a, b), np.maximum(a, b)
            # A pair can come out in both orientations (i's key = j's other key and back): keep it once,
            # from the orientation (lo, hi) when that one holds, else from (hi, lo).
            forward = a == lo
            both = np.take(code_l, lo) == np.take(code_r, hi)
            once = forward | ~both
            a, b = lo[once], hi[once]
        return *_fresh(a, b, dedupe, ids, done), in_blocks

    for part in _chunks_of_blocks(pair_counts, chunk_pairs):
        yield PairChunk(count, lambda part=part: make(part))


# --- link runs -------------------------------------------------------------------------------------
#
# A link run (the day's crossings against the registry) meets the same keys in several rules (the name and
# date of birth of a crossing against the name, or the swapped name, of an official), and a registry many
# times the size of the other side. So each side's key is hashed and sorted once however many rules use it,
# a side without any key makes its rule a no-op, and a pair is checked against an earlier rule first by its
# left record (few left records sit in an earlier rule's blocks, except for the date-of-birth rules) instead
# of reading both records' codes in registry-sized arrays for every pair.

def _link_chunks(left: pl.DataFrame, right: pl.DataFrame, rules: Sequence[BlockingRule], max_block_size: int,
                 chunk_pairs: int, report: BlockingReport) -> Iterator[PairChunk]:
    """`iter_pair_chunks` of a link run: the next rule's keys are hashed and sorted in a thread of their own
    while this rule's chunks go out (numpy's sort and Polars' hash let other threads run)."""
    keys = _LinkKeys(left, right, rules)
    done: list[_LinkRuleCodes] = []
    with ThreadPoolExecutor(1, thread_name_prefix="identity-blocking") as ahead:
        prepared = ahead.submit(keys.prepare, rules[0]) if rules else None
        for position, rule in enumerate(rules):
            codes = prepared.result()
            if position + 1 < len(rules):
                prepared = ahead.submit(keys.prepare, rules[position + 1])
            count = RuleCount(rule.name)
            report.rules.append(count)
            yield from _link(codes, keys, rule.max_block_size or max_block_size, chunk_pairs, count, tuple(done))
            if codes.share_l:  # a rule that reached no record cannot have produced a later rule's pair
                done.append(codes)


class _LinkKeys:
    """Block codes and sorted members of each side's key columns, built once per key (left = side 0); the
    sorted members are let go once the last rule using them has them."""

    def __init__(self, left: pl.DataFrame, right: pl.DataFrame, rules: Sequence[BlockingRule]):
        self.frames = (left, right)
        self._codes: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
        self._members: dict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
        self._uses: dict[tuple, int] = {}
        for rule in rules:
            schema = self.schema(rule)
            for side, columns in ((0, rule.columns), (1, rule.other_columns)):
                key = (side, tuple(columns), tuple(schema.values()))
                self._uses[key] = self._uses.get(key, 0) + 1

    def schema(self, rule: BlockingRule) -> dict:
        """The types both sides' keys of `rule` are hashed as: the left side's."""
        names = [f"k{i}" for i in range(len(rule.columns))]
        return dict(_key_frame(self.frames[0].head(0), rule.columns, names).schema)

    def prepare(self, rule: BlockingRule) -> _LinkRuleCodes:
        """The rule's codes, with both sides' sorted members built (when either side has a key)."""
        codes = _LinkRuleCodes.of(rule, self)
        if codes.valid_l.any() and codes.valid_r.any():
            self.members(0, rule.columns, codes.schema, take=False)
            self.members(1, rule.other_columns, codes.schema, take=False)
        return codes

    def codes(self, side: int, columns: Sequence[str], schema: dict) -> tuple[np.ndarray, np.ndarray]:
        """Block codes (records without a key: `NO_KEY` + side, which no other record's code equals) and
        validity of `columns` of the side, cast to `schema` (the left side's types: equal values, equal codes)."""
        key = (side, tuple(columns), tuple(schema.values()))
        if key not in self._codes:
            names = list(schema)
            keys = _key_frame(self.frames[side], columns, names)
            if side:
                keys = keys.cast(schema, strict=False)
            hashed = keys.select(
                code=pl.struct(names).hash(seed=7),
                valid=pl.all_horizontal([pl.col(n).is_not_null() for n in names]),
            )
            code = hashed["code"].to_numpy() >> np.uint64(ROW_BITS)  # as `_codes`: the top 40 bits of the hash
            valid = hashed["valid"].to_numpy()
            code[~valid] = NO_KEY + np.uint64(side)
            self._codes[key] = code, valid
        return self._codes[key]

    def members(self, side: int, columns: Sequence[str], schema: dict, *, take: bool = True
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Rows with a key sorted by code then row, their codes, and the start and size of each block
        (`take`: one rule's use of them; after the last, they are no longer held here)."""
        key = (side, tuple(columns), tuple(schema.values()))
        found = self._members.get(key)
        if found is None:
            order, sorted_codes = _sorted_members(*self.codes(side, columns, schema))
            found = self._members[key] = (order, sorted_codes, *_runs(sorted_codes))
        if take:
            self._uses[key] -= 1
            if self._uses[key] <= 0:
                del self._members[key]
        return found


@dataclass
class _LinkRuleCodes(_RuleCodes):
    """A link rule's codes; once its blocks are known, left records outside every block it scores get
    `NO_KEY` (no pair of theirs is this rule's), and `share_l` says how many of the left records are in one."""

    schema: dict = field(default_factory=dict)
    share_l: float = 0.0

    @classmethod
    def of(cls, rule: BlockingRule, keys: _LinkKeys) -> _LinkRuleCodes:
        schema = keys.schema(rule)
        code_l, valid_l = keys.codes(0, rule.columns, schema)
        code_r, valid_r = keys.codes(1, rule.other_columns, schema)
        return cls(rule, code_l, valid_l, code_r, valid_r, schema)

    def reached(self, left_members: np.ndarray, fanout: np.ndarray, index_r: np.ndarray) -> np.ndarray:
        """Whether this (earlier) rule produced each pair (left_members repeated fanout times, index_r)."""
        code = np.take(self.code_l, left_members)
        in_blocks = code < NO_KEY
        if self.share_l > 0.5:  # most left records are in a block: compare every pair's codes
            return np.repeat(code, fanout) == np.take(self.code_r, index_r)
        hit = np.zeros(index_r.size, dtype=bool)
        where = np.flatnonzero(np.repeat(in_blocks, fanout))
        if where.size:
            hit[where] = np.repeat(code, fanout)[where] == np.take(self.code_r, np.take(index_r, where))
        return hit


def _common_blocks(codes_l: np.ndarray, codes_r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions in two sorted arrays of distinct block codes of the codes they share (in code order): the
    positions `np.intersect1d` gives, found by a search of the smaller in the larger instead of a sort of
    both."""
    if codes_l.size > codes_r.size:
        at_r, at_l = _common_blocks(codes_r, codes_l)
        return at_l, at_r
    found = np.searchsorted(codes_r, codes_l)
    if codes_r.size == 0:
        return found[:0], found[:0]
    at_l = np.flatnonzero(np.take(codes_r, np.minimum(found, codes_r.size - 1)) == codes_l)
    return at_l, found[at_l]


def _link(codes: _LinkRuleCodes, keys: _LinkKeys, cap: int, chunk_pairs: int, count: RuleCount,
          done: Sequence[_LinkRuleCodes]) -> Iterator[PairChunk]:
    """`_cross` for a link run (see the section's comment)."""
    rule = codes.rule
    if not codes.valid_l.any() or not codes.valid_r.any():
        return
    order_l, sc_l, starts_l, sizes_l = keys.members(0, rule.columns, codes.schema)
    order_r, sc_r, starts_r, sizes_r = keys.members(1, rule.other_columns, codes.schema)
    at_l, at_r = _common_blocks(sc_l[starts_l], sc_r[starts_r])
    starts_l, sizes_l, starts_r, sizes_r = starts_l[at_l], sizes_l[at_l], starts_r[at_r], sizes_r[at_r]
    over = (sizes_l > cap) | (sizes_r > cap)
    count.skipped_blocks = int(over.sum())
    count.skipped_records = int(sizes_l[over].sum() + sizes_r[over].sum())
    count.skipped_pairs = int((sizes_l[over] * sizes_r[over]).sum())
    if over.any():
        codes.drop(_block_members(order_l, starts_l[over], sizes_l[over]),
                   _block_members(order_r, starts_r[over], sizes_r[over]))
    keep = ~over
    starts_l, sizes_l, starts_r, sizes_r = starts_l[keep], sizes_l[keep], starts_r[keep], sizes_r[keep]
    in_blocks = np.zeros(codes.code_l.size, dtype=bool)
    in_blocks[_block_members(order_l, starts_l, sizes_l)] = True
    codes.code_l = np.where(in_blocks, codes.code_l, NO_KEY)
    codes.share_l = float(in_blocks.mean()) if in_blocks.size else 0.0
    by_row = _by_first_row(order_l, starts_l)
    starts_l, sizes_l, starts_r, sizes_r = starts_l[by_row], sizes_l[by_row], starts_r[by_row], sizes_r[by_row]
    count.blocks = int(starts_l.size)
    count.largest_block = int(max(sizes_l.max(), sizes_r.max())) if sizes_l.size else 0
    pair_counts = sizes_l * sizes_r

    def make(part: slice) -> tuple[np.ndarray, np.ndarray, int]:
        left_members, fanout, b = _cross_block_members(order_l, starts_l[part], sizes_l[part], order_r,
                                                       starts_r[part], sizes_r[part])
        fresh = None
        for earlier in done:
            reached = earlier.reached(left_members, fanout, b)
            fresh = ~reached if fresh is None else fresh & ~reached
        a = np.repeat(left_members, fanout)
        if fresh is not None:
            a, b = a[fresh], b[fresh]
        return a, b, int(fanout.sum())

    for part in _chunks_of_blocks(pair_counts, chunk_pairs):
        yield PairChunk(count, lambda part=part: make(part))


def _fresh(a: np.ndarray, b: np.ndarray, dedupe: bool, ids, done) -> tuple[np.ndarray, np.ndarray]:
    """The pairs with a marked record (`ids`) that no earlier rule produced."""
    if ids is not None:
        involved = ids[a] | ids[b]
        a, b = a[involved], b[involved]
    if done and a.size:
        fresh = ~_reached_by(done[0], a, b, dedupe)
        for earlier in done[1:]:
            fresh &= ~_reached_by(earlier, a, b, dedupe)
        a, b = a[fresh], b[fresh]
    return a, b


def candidate_pairs(left: pl.DataFrame, rules: Sequence[BlockingRule], *, right: pl.DataFrame | None = None,
                    ids: np.ndarray | None = None, max_block_size: int = DEFAULT_MAX_BLOCK_SIZE
                    ) -> tuple[np.ndarray, np.ndarray, BlockingReport]:
    """All candidate pairs at once (small and medium data; the pipeline streams `iter_candidate_pairs`)."""
    report = BlockingReport()
    parts = list(iter_candidate_pairs(left, rules, right=right, ids=ids, max_block_size=max_block_size,
                                      report=report))
    if not parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), report
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]), report


def blocking_recall(left_ids: pl.Series, index_l: np.ndarray, index_r: np.ndarray, true_pairs: pl.DataFrame, *,
                    right_ids: pl.Series | None = None) -> float:
    """Share of true pairs (record_id_l, record_id_r) that blocking reached (dedupe: in either order)."""
    right_ids = left_ids if right_ids is None else right_ids
    found = pl.DataFrame({"record_id_l": left_ids.gather(index_l), "record_id_r": right_ids.gather(index_r)})
    truth = true_pairs.select("record_id_l", "record_id_r").unique()
    if truth.height == 0:
        return 1.0
    hits = truth.join(found, on=["record_id_l", "record_id_r"], how="semi").height
    if right_ids is left_ids:
        swapped = found.select(record_id_l="record_id_r", record_id_r="record_id_l")
        hits += truth.join(found, on=["record_id_l", "record_id_r"], how="anti").join(
            swapped, on=["record_id_l", "record_id_r"], how="semi").height
    return hits / truth.height


# --- pair frames -----------------------------------------------------------------------------------

def pair_frame(left: pl.DataFrame, right: pl.DataFrame, index_l: np.ndarray, index_r: np.ndarray,
               columns: Sequence[str]) -> pl.DataFrame:
    """The frame comparisons read: `id_l`, `id_r` (row positions) and `<c>_l`, `<c>_r` per feature column."""
    columns = list(dict.fromkeys(columns))
    side_l = left.select(columns)[index_l]
    side_r = right.select(columns)[index_r]
    return pl.concat(
        [
            pl.DataFrame({"id_l": index_l, "id_r": index_r}),
            side_l.rename({c: f"{c}_l" for c in columns}),
            side_r.rename({c: f"{c}_r" for c in columns}),
        ],
        how="horizontal",
    )


def random_pairs(n_left: int, n_right: int | None, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`count` pairs drawn uniformly at random (dedupe when n_right is None: two distinct records)."""
    rng = np.random.default_rng(seed)
    if n_right is None:
        if n_left < 2:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        a = rng.integers(0, n_left, count)
        b = rng.integers(0, n_left - 1, count)
        b = b + (b >= a)  # never the record itself
        return np.minimum(a, b), np.maximum(a, b)
    if n_left == 0 or n_right == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return rng.integers(0, n_left, count), rng.integers(0, n_right, count)
