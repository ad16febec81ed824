"""An incremental resolve run reads the officials named in the registry change log since the last run, and
patches the officials' feature cache instead of reading and featurising the whole registry."""

import datetime

import polars as pl
import pytest

from longarm.documents.models import Document
from longarm.engine.identity import pipeline
from longarm.engine.identity.feature_cache import feature_cache_read, feature_cache_write
from longarm.identity.models import CandidatePair, PairKind, PairStatus
from longarm.identity.officials_load import RECORD_COLUMNS, feature_cache_path
from longarm.identity.selectors import officials_record_frame
from longarm.identity.services import identity_resolve
from longarm.registry.models import Official
from longarm.runs.models import Run, RunStatus
from tests.identity.conftest import crossing, national_id


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def full_features() -> pl.DataFrame:
    return pipeline.official_record_features(officials_record_frame().select(RECORD_COLUMNS))


def cached_features() -> pl.DataFrame:
    return feature_cache_read(feature_cache_path()).features


def live_pairs(kind=PairKind.DUPLICATE) -> dict[str, tuple[str, float]]:
    return {pair.ref: (pair.status, round(pair.match_probability, 12))
            for pair in CandidatePair.objects.filter(kind=kind).exclude(status=PairStatus.BELOW)}


def test_a_first_run_reads_every_official_and_writes_the_cache_at_its_mark(registry, system):
    run = identity_resolve(actor=system)
    assert run.counts["officials_read"]["read"] == "every official"
    assert run.counts["officials_read"]["because"] == "full run (first run)"
    cache = run.counts["feature_cache"]
    assert not cache["used"] and cache["mark"] == run.counts["registry_mark"] > 0
    on_disk = feature_cache_read(feature_cache_path())
    assert (on_disk.token, on_disk.mark) == (cache["token"], cache["mark"])
    assert on_disk.features.equals(full_features())


def test_changing_one_name_compares_exactly_that_official_and_finds_what_a_full_run_finds(registry, system):
    identity_resolve(actor=system)
    # CHEN Jianguo's record is rewritten as a second record of WANG Fang: a new duplicate pair
    wang = registry["O-GD-003"]
    Official.objects.filter(pk="O-GD-004").update(
        family_name=wang.family_name, given_name=wang.given_name, native_name=wang.native_name, sex=wang.sex,
        date_of_birth=wang.date_of_birth, national_id=wang.national_id, name_key="WANGFANG")
    run = identity_resolve(actor=system)
    assert run.parameters["mode"] == "incremental"
    assert run.counts["officials_read"] == {"read": "officials in the change log", "because": "",
                                            "changed_keys": 1, "rows": 1}
    assert run.counts["officials_compared"] == 1 and run.counts["fingerprints_written"] == 1
    assert run.counts["feature_cache"]["used"] and run.counts["feature_cache"]["patched"] == 1
    assert cached_features().equals(full_features())
    incremental = live_pairs()
    assert incremental["O-GD-003;O-GD-004"][0] == PairStatus.MATCHED

    full = identity_resolve(actor=system, full=True)
    assert full.counts["duplicates"]["new"] == 0 and full.counts["duplicates"]["below"] == 0
    assert live_pairs() == incremental


def test_a_new_official_and_a_deleted_one_are_patched_into_the_cache(registry, system, make_official):
    identity_resolve(actor=system)
    make_official(official_id="O-AA-000", family_name="ZHAO", given_name="LEI", native_name="赵磊")
    make_official(official_id="O-ZZ-999", family_name="ZHANG", given_name="XIAOMING", native_name="張曉明",
                  date_of_birth=datetime.date(1970, 5, 17), national_id=registry["O-GD-001"].national_id,
                  jurisdiction="CN-SH")
    Official.objects.filter(pk="O-GD-002").delete()
    run = identity_resolve(actor=system)
    assert run.counts["officials_read"]["changed_keys"] == 3 and run.counts["officials_compared"] == 2
    assert run.counts["feature_cache"]["used"] and run.counts["officials"] == Official.objects.count()
    assert cached_features().equals(full_features())
    assert CandidatePair.objects.get(ref="O-GD-001;O-ZZ-999").status == PairStatus.MATCHED


def test_changing_a_document_or_an_organisation_compares_nobody(registry, system):
    identity_resolve(actor=system)
    Document.objects.create(document_id="D-1", official=registry["O-GD-003"], doc_type="passport",
                            number="E1234567", number_norm="E1234567", issuing_state="CHN",
                            expires_on=datetime.date(2030, 1, 1))
    Official.objects.filter(pk="O-SH-003").update(organization="Shanghai Customs")
    run = identity_resolve(actor=system)
    assert run.counts["officials_read"]["changed_keys"] == 2
    assert run.counts["officials_compared"] == 0 and run.counts["fingerprints_written"] == 0
    assert run.counts["scored_pairs"]["duplicates"] == 0
    assert run.counts["feature_cache"]["used"] and cached_features().equals(full_features())


@pytest.mark.parametrize("spoil", ["missing", "another database", "corrupt"])
def test_a_missing_foreign_or_corrupt_cache_is_rebuilt_not_trusted(registry, system, spoil):
    identity_resolve(actor=system)
    path = feature_cache_path()
    if spoil == "missing":
        path.unlink()
    elif spoil == "another database":
        # the same path written by a run on another database: other rows, its own token, perhaps the same mark
        stale = cached_features().filter(pl.col("record_id") != "O-GD-003")
        feature_cache_write(path, stale, mark=feature_cache_read(path).mark)
    else:
        path.write_bytes(b"not an arrow file")
    Official.objects.filter(pk="O-GD-003").update(given_name="FANGFANG")
    run = identity_resolve(actor=system)
    cache = run.counts["feature_cache"]
    assert not cache["used"] and cache["because"]
    assert run.counts["officials_read"]["read"] == "officials in the change log"
    assert run.counts["officials_compared"] == 1 and run.counts["officials"] == Official.objects.count()
    assert cached_features().equals(full_features())
    assert identity_resolve(actor=system).counts["feature_cache"]["used"]


def test_a_run_after_a_bulk_change_reads_every_official(registry, system, monkeypatch):
    from longarm.identity import officials_load

    identity_resolve(actor=system)
    monkeypatch.setattr(officials_load, "CHANGES_MAX", 1)
    Official.objects.filter(pk__in=["O-GD-003", "O-GD-004"]).update(given_name="FANGFANG")
    run = identity_resolve(actor=system)
    assert run.counts["officials_read"]["read"] == "every official"
    assert "more than 1" in run.counts["officials_read"]["because"]
    assert run.counts["officials_compared"] == 2 and not run.counts["feature_cache"]["used"]


def test_the_next_days_crossings_link_to_the_same_officials_with_or_without_the_cache(registry, system, wide_band):
    crossing("X-1", day=datetime.date(2024, 5, 1))
    identity_resolve(actor=system)
    Official.objects.filter(pk="O-SH-001").update(family_name="ZHANG", given_name="XIAOMING")
    Official.objects.create(
        official_id="O-GD-010", family_name="ZHANG", given_name="XIAOMIN", native_name="张晓敏", sex="M",
        date_of_birth=datetime.date(1970, 5, 17), national_id=national_id("44010619700517555"),
        organization="Guangdong Department of Finance", position="Clerk", rank="staff", jurisdiction="CN-GD",
        status="active", name_key="ZHANGXIAOMIN")
    crossing("X-2", day=datetime.date(2024, 5, 2))
    with_cache = identity_resolve(actor=system)
    assert with_cache.counts["feature_cache"]["used"] and with_cache.counts["crossings_linked"] == 1
    matches = live_pairs(PairKind.POSSIBLE_MATCH)
    assert {ref for ref in matches if ref.startswith("X-2;")} >= {"X-2;O-GD-001", "X-2;O-GD-010"}

    # The same day again, as if that run had failed: its cache file is not the last successful run's
    Run.objects.filter(pk=with_cache.pk).update(status=RunStatus.FAILED)
    without = identity_resolve(actor=system)
    assert not without.counts["feature_cache"]["used"] and without.counts["crossings_linked"] == 1
    assert without.counts["possible_matches"]["new"] == 0
    assert without.counts["possible_matches"]["found"] == with_cache.counts["possible_matches"]["found"]
    assert live_pairs(PairKind.POSSIBLE_MATCH) == matches


def test_a_cache_of_other_feature_code_is_rebuilt(registry, system, monkeypatch):
    from longarm.identity import officials_load

    identity_resolve(actor=system)
    monkeypatch.setattr(officials_load, "feature_scheme", lambda: "another version of the features")
    run = identity_resolve(actor=system)
    assert not run.counts["feature_cache"]["used"]
    assert run.counts["feature_cache"]["because"] == "the cache holds features computed by other code"


def test_a_change_log_that_went_back_makes_the_run_read_every_official(registry, system):
    first = identity_resolve(actor=system)
    first.counts["registry_mark"] += 1_000_000  # as if the log had been emptied and started again
    first.save(update_fields=["counts"])
    run = identity_resolve(actor=system)
    assert run.counts["officials_read"]["read"] == "every official"
    assert run.counts["officials_read"]["because"].startswith("the registry change log went back")
    assert run.counts["officials_compared"] == 0 and run.counts["registry_mark"] < first.counts["registry_mark"]
