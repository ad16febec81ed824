"""The registry's match keys, kept on disk between daily reconciliations on PostgreSQL.

A daily run on PostgreSQL filters the day's crossings against every official's name key, date of birth and
sex, and every registered document's number (`snapshot._known_to_registry`). Reading those 17 million rows
costs about ten seconds of a core each day; the server's own joins of the day with the registry cost half a
minute. So they are kept in two Arrow files under `DATA_DIR/reconcile/` (written and read as the identity
feature cache is: `engine.identity.feature_cache`), current at a registry change mark, and a daily run reads
them memory-mapped and patches them with the officials the change log names since (an official's row,
documents and custody all log the official).

A file is trusted only when its token is the one the last successful run recorded (a file of another
database, or written by a run that then failed, is rebuilt) and when the change log since its mark is not
a bulk change. Otherwise both are rebuilt from the tables.
"""

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.conf import settings

from longarm.engine.identity.feature_cache import FeatureCacheError, feature_cache_read, feature_cache_write
from longarm.registry.changes import registry_change_count, registry_changes

DATE_FORMAT = "%Y-%m-%d"
PEOPLE_COLUMNS = ["official_id", "name_key", "date_of_birth", "sex"]
NUMBER_COLUMNS = ["official_id", "issuing_state", "number_norm"]


@dataclass
class RegistryKeys:
    """`people`: official_id, name_key, date_of_birth (a date), sex; `numbers`: official_id, issuing_state,
    number_norm; `report`: how they were read (for the run's counts, with the files' tokens)."""

    people: pl.DataFrame
    numbers: pl.DataFrame
    report: dict = field(default_factory=dict)


def _paths() -> tuple[Path, Path]:
    folder = Path(settings.DATA_DIR) / "reconcile"
    return folder / "registry-people.arrow", folder / "registry-numbers.arrow"


def _read_people(where: str = "", params: list | None = None) -> pl.DataFrame:
    from longarm.alerts.snapshot import read_text

    frame = read_text("SELECT official_id, name_key, CAST(date_of_birth AS TEXT), sex FROM registry_official "
                      + where, params or [], PEOPLE_COLUMNS)
    return frame.with_columns(pl.col("date_of_birth").str.to_date(DATE_FORMAT))


def _read_numbers(where: str = "", params: list | None = None) -> pl.DataFrame:
    from longarm.alerts.snapshot import read_text

    return read_text("SELECT official_id, issuing_state, number_norm FROM documents_document " + where,
                     params or [], NUMBER_COLUMNS)


def _write(people: pl.DataFrame, numbers: pl.DataFrame, *, mark: int) -> dict:
    people_path, numbers_path = _paths()
    return {"people": feature_cache_write(people_path, people, mark=mark),
            "numbers": feature_cache_write(numbers_path, numbers, mark=mark)}


def registry_keys(*, mark: int, tokens: dict | None, max_changes: int) -> RegistryKeys:
    """The keys current at `mark` (a registry change mark): the files patched with the officials changed
    since theirs, when they are the ones whose `tokens` the last run recorded; else rebuilt from the tables."""
    from longarm.alerts.snapshot import _in_values, _json

    people_path, numbers_path = _paths()
    because = ""
    try:
        people, numbers = feature_cache_read(people_path), feature_cache_read(numbers_path)
    except FeatureCacheError as error:
        people = numbers = None
        because = f"unreadable: {error}"
    if not because:
        if people is None or numbers is None:
            because = "no files"
        elif tokens != {"people": people.token, "numbers": numbers.token} or people.mark != numbers.mark:
            because = "not the files of the last run"
        elif people.mark > mark:
            because = "files newer than the change log"
        elif registry_change_count(after=people.mark, upto=mark) > max_changes:
            because = "a bulk change of the registry"
    if because:
        fresh_people, fresh_numbers = _read_people(), _read_numbers()
        return RegistryKeys(fresh_people, fresh_numbers, {
            "cache": "rebuilt", "because": because, "people": fresh_people.height, "numbers": fresh_numbers.height,
            "tokens": _write(fresh_people, fresh_numbers, mark=mark)})
    changed = registry_changes(after=people.mark, upto=mark)["official"]
    if not changed:
        return RegistryKeys(people.features, numbers.features, {
            "cache": "used", "patched_officials": 0, "tokens": tokens})
    ids = pl.Series(changed, dtype=pl.String).implode()
    condition = f"WHERE {_in_values('official_id')}"
    patched_people = pl.concat([people.features.filter(~pl.col("official_id").is_in(ids)),
                                _read_people(condition, [_json(changed)])])
    patched_numbers = pl.concat([numbers.features.filter(~pl.col("official_id").is_in(ids)),
                                 _read_numbers(condition, [_json(changed)])])
    return RegistryKeys(patched_people, patched_numbers, {
        "cache": "used", "patched_officials": len(changed),
        "tokens": _write(patched_people, patched_numbers, mark=mark)})
