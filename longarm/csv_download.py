"""CSV downloads streamed row by row, so an export of many rows never sits whole in memory."""

import csv
import itertools
from collections.abc import Iterable

from django.http import StreamingHttpResponse
from django.utils import timezone


class _Echo:
    """A file-like object whose write returns the line, so a csv writer can feed a streaming response."""

    def write(self, value):
        return value


def csv_download(rows: Iterable, *, name: str, fieldnames: list[str] | None = None) -> StreamingHttpResponse:
    """`rows` as an attachment `<name>-<local time>.csv`: dicts under a header of `fieldnames`, or, without
    them, lists written as they come (the caller's first row being its header)."""
    if fieldnames is None:
        writer = csv.writer(_Echo())
        lines = map(writer.writerow, rows)
    else:
        writer = csv.DictWriter(_Echo(), fieldnames=fieldnames, lineterminator="\n")
        lines = itertools.chain([writer.writeheader()], map(writer.writerow, rows))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    return response
