"""The officials' feature frame kept on disk between resolve runs, so that a daily run computes the features
of the officials that changed, not of the whole registry.

The cache is one Arrow IPC file (uncompressed, so that it is read memory-mapped: opening it copies nothing
and reads only the pages a run touches). Its schema's metadata holds a `token` (random, drawn at each
write), the registry change `mark` the frame is current at, and the `scheme` of the features (a digest of
the code and libraries that compute them). Whoever reads it decides whether it is the one it expects:
the caller keeps the token and mark of the file it wrote, and a file of another database, another mark or
another feature code is rebuilt, never trusted. A write goes to a temporary file renamed over the old one,
so a reader sees the old file or the new one, whole (and a frame mapped from the old file stays valid).
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa


class FeatureCacheError(Exception):
    """The cache file exists but cannot be read as a feature cache."""


@dataclass(frozen=True)
class CachedFeatures:
    features: pl.DataFrame
    token: str
    mark: int
    scheme: str


@cache
def feature_scheme() -> str:
    """A digest of what computes the features (their modules' source, the libraries' versions): a cache
    written by other feature code is not this code's features."""
    from longarm.engine import normalize
    from longarm.engine.identity import blocking, chinese, features, pipeline

    digest = hashlib.sha256()
    for module in (features, chinese, normalize, blocking, pipeline):
        digest.update(Path(module.__file__).read_bytes())
    for package in ("polars", "pypinyin", "opencc"):
        digest.update(f"{package} {version(package)}".encode())
    return digest.hexdigest()[:20]


def feature_cache_read(path: Path) -> CachedFeatures | None:
    """The cached frame (memory-mapped) with its token, mark and scheme; None when there is no file."""
    if not path.exists():
        return None
    try:
        table = pa.ipc.open_file(pa.memory_map(str(path))).read_all()
        metadata = {key.decode(): value.decode() for key, value in (table.schema.metadata or {}).items()}
        token, mark, scheme = metadata["token"], int(metadata["mark"]), metadata["scheme"]
    except (OSError, pa.ArrowException, KeyError, ValueError, UnicodeDecodeError) as error:
        raise FeatureCacheError(f"{path} is not a feature cache ({type(error).__name__}: {error})") from error
    frame = pl.from_arrow(table.replace_schema_metadata(None))
    return CachedFeatures(features=frame, token=token, mark=mark, scheme=scheme)


def feature_cache_write(path: Path, features: pl.DataFrame, *, mark: int) -> str:
    """Write `features` as the cache at `mark`, atomically; returns the new file's token."""
    token = uuid.uuid4().hex
    table = features.to_arrow(compat_level=pl.CompatLevel.newest())
    table = table.replace_schema_metadata({"token": token, "mark": str(mark), "scheme": feature_scheme()})
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{token}.tmp")
    try:
        with pa.OSFile(str(temporary), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return token


def features_patched(cached: pl.DataFrame, *, replaced: Iterable[str], fresh: pl.DataFrame) -> pl.DataFrame:
    """`cached` (sorted by record_id) without the rows of the `replaced` ids, with `fresh` (the features of
    those ids' current records: changed and new officials; a deleted one has none) in their place.

    The result is what computing the features of every current record gives, row for row: features are
    computed record by record, and the frame is kept in record_id order. The kept rows are sliced, not
    gathered, so a patch of a few rows costs one copy of the frame.
    """
    replaced = pl.Series("record_id", list(replaced), dtype=pl.String).unique().sort()
    if replaced.is_empty():
        return cached
    fresh = fresh.select(cached.columns).sort("record_id")
    if not fresh["record_id"].is_in(replaced.implode()).all():
        raise ValueError("fresh features must be those of replaced records")
    ids = cached["record_id"]
    # The positions of the replaced ids the cache holds (a new official's id is not there)...
    at = ids.search_sorted(replaced, side="left").to_numpy()
    held = at < cached.height
    held[held] = (ids.gather(at[held]) == replaced.filter(pl.Series(held))).to_numpy()
    dropped = at[held]
    # ...and, for each fresh row, the position of the first cached row that sorts at or after it.
    before = ids.search_sorted(fresh["record_id"], side="left").to_numpy()
    # One walk through the cache: its rows up to each such position, the fresh rows that go there, and a
    # step over the position's own row when it is dropped.
    cuts = np.union1d(dropped, before)
    fresh_from, fresh_to = np.searchsorted(before, cuts, side="left"), np.searchsorted(before, cuts, side="right")
    pieces, start = [], 0
    for cut, low, high, drop in zip(cuts.tolist(), fresh_from.tolist(), fresh_to.tolist(),
                                    np.isin(cuts, dropped).tolist(), strict=True):
        pieces += [cached.slice(start, cut - start), fresh.slice(low, high - low)]
        start = cut + 1 if drop else cut
    pieces.append(cached.slice(start))
    return pl.concat(pieces, rechunk=True)
