"""Web pages of the registry: the officials list (search, filters, CSV export) and an official's file.

Every page reads through `visible_to(user)` (see selectors) and writes its
audit row: a search per list render, an export per file, a view per
official's page.
"""


from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from longarm.access import feature_required
from longarm.audit.services import audit_record, audit_view
from longarm.csv_download import csv_download
from longarm.geo import subdivision_name
from longarm.registry.forms import OfficialFilterForm
from longarm.registry.models import Official
from longarm.registry.selectors import (
    EXPORT_MAX_ROWS, SORTS, capped_count, official_file, officials_export_rows, officials_filtered, page_of,
)


@feature_required("officials_search")
def official_list(request):
    """The officials the user may see, searched, filtered, sorted, one page at a time; htmx gets the table only."""
    form = OfficialFilterForm(request.GET, user=request.user)
    page = None
    sort = ""
    if form.is_valid():
        filters = form.filters()
        sort = filters.sort
        page = page_of(officials_filtered(user=request.user, filters=filters), number=form.page_number())
        audit_record(actor=request.user, action="search", target_type="registry.official",
                     detail={**filters.as_detail(), "page": page.number, "shown": len(page.rows)})
    context = {
        "form": form, "page": page, "sort": sort,
        "sort_next": {key: f"-{key}" if sort == key else key for key in SORTS},
    }
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(request, "registry/official_list.html#results" if partial else "registry/official_list.html",
                      context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@feature_required("officials_search")
def official_export(request):
    """The filtered officials list as CSV in the exchange format's columns; one audit row per export.

    A selection larger than `EXPORT_MAX_ROWS` is refused with a message
    asking to narrow it, rather than cut silently.
    """
    form = OfficialFilterForm(request.GET, user=request.user)
    list_url = f"{reverse('registry:official-list')}?{request.GET.urlencode()}"
    if not form.is_valid():
        messages.error(request, "The export was not made: fix the filters first.")
        return redirect(list_url)
    filters = form.filters()
    queryset = officials_filtered(user=request.user, filters=filters)
    rows, too_many = capped_count(queryset, EXPORT_MAX_ROWS)
    if too_many:
        messages.error(request, f"The export was not made: it holds at most {EXPORT_MAX_ROWS:,} officials and this "
                                "selection has more. Narrow it with the search or filters.")
        return redirect(list_url)
    audit_record(actor=request.user, action="export", target_type="registry.official",
                 detail={**filters.as_detail(), "rows": rows, "format": "csv"})
    return csv_download(officials_export_rows(queryset), name="officials")


@feature_required("officials")
def official_detail(request, official_id: str):
    """An official's file; "not yours" is the same 404 as "not there". Each view writes an audit row."""
    official = Official.objects.get_visible(request.user, pk=official_id)
    audit_view(actor=request.user, target=official)
    return render(request, "registry/official_detail.html", {
        "file": official_file(user=request.user, official=official),
        "jurisdiction_name": subdivision_name(official.jurisdiction),
    })
