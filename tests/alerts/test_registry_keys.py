"""The registry's match keys on disk (`alerts.registry_keys`): patched from the change log, they equal the
keys read afresh; a file the last run did not write is rebuilt, never trusted."""

import datetime

import polars as pl

from longarm.alerts.registry_keys import registry_keys
from longarm.documents.models import Document
from longarm.registry.changes import registry_change_mark
from longarm.registry.models import Official


def _sorted(keys):
    return (keys.people.sort("official_id", "name_key"),
            keys.numbers.sort("official_id", "issuing_state", "number_norm"))


def test_patched_keys_equal_fresh_ones_and_foreign_files_are_rebuilt(make_official, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    first, second = make_official(), make_official(family_name="LI", given_name="NA", name_key="LINA")
    Document.objects.create(document_id="D-1", official=first, doc_type="passport", number="E1", number_norm="E1",
                            issuing_state="CHN", expires_on=datetime.date(2030, 1, 1))
    built = registry_keys(mark=registry_change_mark(), tokens=None, max_changes=100)
    assert built.report["cache"] == "rebuilt" and built.report["because"] == "no files"
    assert built.people.height == 2 and built.numbers.height == 1

    Official.objects.filter(pk=second.pk).update(date_of_birth=datetime.date(1980, 1, 2), name_key="LINAN")
    Document.objects.create(document_id="D-2", official=second, doc_type="passport", number="E2", number_norm="E2",
                            issuing_state="CHN", expires_on=datetime.date(2030, 1, 1))
    Document.objects.filter(pk="D-1").update(number_norm="E9")
    third = make_official(official_id="O-NEW", name_key="WANGWEI")
    patched = registry_keys(mark=registry_change_mark(), tokens=built.report["tokens"], max_changes=100)
    assert patched.report["cache"] == "used" and patched.report["patched_officials"] == 3
    fresh = registry_keys(mark=registry_change_mark(), tokens=None, max_changes=100)
    assert fresh.report["cache"] == "rebuilt"
    for mine, theirs in zip(_sorted(patched), _sorted(fresh), strict=True):
        assert mine.equals(theirs)
    assert third.pk in patched.people["official_id"].to_list()
    assert patched.people.filter(pl.col("official_id") == second.pk)["name_key"].to_list() == ["LINAN"]

    # nothing changed since: the files are used as they are
    again = registry_keys(mark=registry_change_mark(), tokens=fresh.report["tokens"], max_changes=100)
    assert again.report == {"cache": "used", "patched_officials": 0, "tokens": fresh.report["tokens"]}
    # a file the last run did not write (another database, a failed run) is not trusted
    other = registry_keys(mark=registry_change_mark(), tokens={"people": "x", "numbers": "y"}, max_changes=100)
    assert other.report["because"] == "not the files of the last run"
    # a bulk change since the files' mark: read afresh
    Official.objects.update(position="Inspector")
    bulk = registry_keys(mark=registry_change_mark(), tokens=other.report["tokens"], max_changes=2)
    assert bulk.report["because"] == "a bulk change of the registry"
