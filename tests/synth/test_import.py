"""A world written by `longarm synth` imports into longarm without a single rejected row."""

import io
import json

import pytest
from django.core.management import call_command

from longarm.documents.models import Document
from longarm.registry.models import Official
from longarm.runs.imports import import_files
from longarm.runs.services import system_user
from longarm.synth.world import KINDS


@pytest.mark.django_db
@pytest.mark.parametrize("file_format", ["csv", "jsonl"])
def test_synth_world_imports_without_error(tmp_path, file_format):
    out = tmp_path / "world"
    call_command("synth", "--officials", "200", "--seed", "3", "--public-crossings", "300", "--out", str(out),
                 "--format", file_format, stdout=io.StringIO(), stderr=io.StringIO())
    manifest = json.loads((out / "manifest.json").read_text())
    result = import_files(paths=[out / f"{kind}.{file_format}" for kind in KINDS], actor=system_user())
    assert [(f.kind, f.status, f.error_count) for f in result.files if f.status != "imported"] == []
    assert Official.objects.count() == manifest["counts"][f"officials.{file_format}"]
    assert Document.objects.count() == manifest["counts"][f"documents.{file_format}"]


def test_synth_command_reports_what_it_wrote_and_refuses_a_bad_date(tmp_path):
    from django.core.management.base import CommandError

    stdout = io.StringIO()
    call_command("synth", "--officials", "150", "--seed", "1", "--out", str(tmp_path), stdout=stdout,
                 stderr=io.StringIO())
    # 150 officials, 10 of them registered a second time, and 6 look-alikes (3 twins, 3 same-pinyin).
    assert "officials.csv 166," in stdout.getvalue() and (tmp_path / "truth.csv").exists()
    with pytest.raises(CommandError, match="as-of"):
        call_command("synth", "--officials", "150", "--out", str(tmp_path), "--as-of", "31/10/2026",
                     stdout=io.StringIO(), stderr=io.StringIO())
