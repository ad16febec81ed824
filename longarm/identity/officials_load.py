"""What a resolve run reads of the officials: whom to compare again, and the feature frame of everyone.

A daily run takes the registry change log's mark first, then reads the officials named in the log since
the last run's mark (`longarm.registry.changes`), by id, and compares their digests with the stored
fingerprints: those whose identity columns changed (or who are new) are compared with everyone; a changed
document or relative leaves the digest as it was and compares nobody. The feature frame of all officials
is the cache file the last run wrote (`longarm.engine.identity.feature_cache`), patched with the rows
read; when that file is not the one the last run recorded (missing, another database's, another mark or
feature code), it is rebuilt from every official's row. A run with no mark to start from (the first, a
full run, a change log that went back, too many changes) reads every official, as before the log existed.
"""

import time
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from django.conf import settings

from longarm.engine.identity.feature_cache import (
    CachedFeatures, FeatureCacheError, feature_cache_read, feature_cache_write, feature_scheme, features_patched,
)
from longarm.identity.selectors import official_fingerprints, officials_record_frame
from longarm.registry.changes import registry_change_count, registry_changes
from longarm.runs.models import Run

FINGERPRINT_SEED = 6_006
FINGERPRINT_SCHEME = f"polars {pl.__version__} seed {FINGERPRINT_SEED}"
RECORD_COLUMNS = ("record_id", "family_name", "given_name", "native_name", "date_of_birth", "sex", "national_id")
# More changes than this since the last run (a bulk import): reading every official is as quick.
CHANGES_MAX = 200_000


def feature_cache_path() -> Path:
    return Path(settings.DATA_DIR) / "identity" / "official-features.arrow"


def official_digests(records: pl.DataFrame) -> pl.DataFrame:
    """official_id and a 64-bit digest of the identity columns the model reads."""
    text = pl.concat_str([pl.col(c).cast(pl.String).fill_null("") for c in RECORD_COLUMNS[1:]], separator="\x1f")
    return records.select(pl.col("record_id").alias("official_id"),
                          text.hash(seed=FINGERPRINT_SEED).reinterpret(signed=True).alias("digest"))


@dataclass
class OfficialsLoad:
    """The officials as one run read them."""

    records: pl.DataFrame           # rows read: the officials named in the change log, or every official
    keys: list[str] | None          # the officials named in the change log (None: the log was not read)
    changed: pl.DataFrame           # official_id, digest of the officials to compare (and fingerprint)
    cached: CachedFeatures | None   # the last run's feature cache, to patch with `records`
    cache_because: str              # why the cache is rebuilt instead ("" when it is used)
    report: dict                    # how they were read, for the run's counts


def _read_all_because(*, because: str, after: int | None, mark: int) -> str:
    if because:
        return f"full run ({because})"
    if after is None:
        return "the last run recorded no registry mark"
    if after > mark:
        return f"the registry change log went back (mark {mark}, the last run's {after})"
    count = registry_change_count(after=after, upto=mark)
    if count > CHANGES_MAX:
        return f"{count} registry changes since the last run (more than {CHANGES_MAX})"
    return ""


def _last_cache(last: Run) -> tuple[CachedFeatures | None, str]:
    """The feature cache the last run wrote, or None and why it cannot be used."""
    expected = (last.counts or {}).get("feature_cache") or {}
    if not expected.get("token"):
        return None, "the last run wrote no feature cache"
    try:
        cached = feature_cache_read(feature_cache_path())
    except FeatureCacheError as error:
        return None, str(error)
    if cached is None:
        return None, "no feature cache file"
    if cached.scheme != feature_scheme():
        return None, "the cache holds features computed by other code"
    if (cached.token, cached.mark) != (expected["token"], expected.get("mark")):
        return None, "the cache file is not the one the last run wrote (another database, or a failed run)"
    return cached, ""


def officials_load(*, last: Run | None, because: str, mark: int) -> OfficialsLoad:
    """Read what the run needs of the officials (see the module docstring); `because`: why the run is full."""
    after = (last.counts or {}).get("registry_mark") if last is not None else None
    read_all_because = _read_all_because(because=because, after=after, mark=mark)
    if read_all_because:
        records = officials_record_frame()
        digests = official_digests(records)
        changed = digests if because else digests.join(official_fingerprints(), on=["official_id", "digest"],
                                                        how="anti")
        return OfficialsLoad(records=records, keys=None, changed=changed, cached=None,
                             cache_because="every official was read",
                             report={"read": "every official", "because": read_all_because, "rows": records.height})
    keys = registry_changes(after=after, upto=mark)["official"]
    cached, cache_because = _last_cache(last)
    if cached is not None:
        records = named = officials_record_frame(ids=keys)
    else:
        records = officials_record_frame()
        named = records.filter(pl.col("record_id").is_in(pl.Series(keys, dtype=pl.String).implode()))
    changed = official_digests(named).join(official_fingerprints(ids=keys), on=["official_id", "digest"], how="anti")
    return OfficialsLoad(records=records, keys=keys, changed=changed, cached=cached, cache_because=cache_because,
                         report={"read": "officials in the change log", "because": "", "changed_keys": len(keys),
                                 "rows": records.height})


def officials_features(load: OfficialsLoad) -> pl.DataFrame:
    """The feature frame of every official: the cache patched with the rows read, or computed from them all."""
    from longarm.engine.identity import pipeline

    if load.cached is not None:
        fresh = pipeline.official_record_features(load.records.select(RECORD_COLUMNS))
        return features_patched(load.cached.features, replaced=load.keys, fresh=fresh)
    return pipeline.official_record_features(load.records.select(RECORD_COLUMNS))


def officials_features_store(load: OfficialsLoad, features: pl.DataFrame, *, mark: int) -> dict:
    """Write the feature frame as the cache at `mark`; what the run records of it (the next run checks the
    file's token and mark against these)."""
    started = time.perf_counter()
    token = feature_cache_write(feature_cache_path(), features, mark=mark)
    return {"used": load.cached is not None, "because": load.cache_because,
            "patched": len(load.keys) if load.cached is not None else 0, "token": token, "mark": mark,
            "rows": features.height, "write_seconds": round(time.perf_counter() - started, 3)}
