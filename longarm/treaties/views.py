"""The treaty network page: the summary sentence, the agreements per country, and the world map of those in force."""

from itertools import groupby

from django.shortcuts import render
from django.views.decorators.http import require_GET

from longarm.access import feature_required
from longarm.geo import country_name
from longarm.reports.worldmap import world_map
from longarm.treaties.models import Treaty, TreatyStatus
from longarm.treaties.selectors import network_summary


@require_GET
@feature_required("cases")
def treaty_network(request):
    """Every agreement, grouped by country, and the countries shaded by how many agreements are in force."""
    treaties = Treaty.objects.order_by("country", "kind")
    countries = [(code, country_name(code), list(rows)) for code, rows in groupby(treaties, key=lambda t: t.country)]
    in_force = {code: sum(1 for t in rows if t.status == TreatyStatus.IN_FORCE) for code, _, rows in countries}
    return render(request, "treaties/network.html", {
        "summary": network_summary(), "countries": countries,
        "map": world_map(in_force, title="Agreements in force by country", unit="in force"),
    })
