"""A world map drawn on the server as inline SVG, each country shaded by a count (returns, agreements …).

The outlines come from pygal_maps_world (LGPL, used unmodified as data): its
`worldmap.svg` holds one `<g class="xx country map-element">` per country,
keyed by ISO 3166-1 alpha-2 in lower case. Our records use alpha-3, so codes
are mapped with pycountry. The file is parsed once per process.
"""

import functools
import re
from importlib.resources import files

import pycountry
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from longarm.geo import country_name

SHADES = 5
_COUNTRY = re.compile(r'<g class="([a-z]{2}) country map-element">(.*?)</g>', re.DOTALL)
_VIEWBOX = re.compile(r'viewBox="([^"]+)"')


@functools.cache
def _outlines() -> tuple[str, tuple[tuple[str, str], ...]]:
    """The map's viewBox and, per alpha-2 code, its paths (trusted markup from the package)."""
    text = (files("pygal_maps_world") / "worldmap.svg").read_text(encoding="utf-8")
    return _VIEWBOX.search(text).group(1), tuple(_COUNTRY.findall(text))


def _alpha_2(alpha_3: str) -> str:
    country = pycountry.countries.get(alpha_3=alpha_3.upper())
    return country.alpha_2.lower() if country else ""


def shade(value: int, largest: int) -> int:
    """0 for nothing, else 1..SHADES in proportion to the largest value."""
    if value <= 0 or largest <= 0:
        return 0
    return max(1, min(SHADES, -(-value * SHADES // largest)))


def world_map(counts: dict[str, int], *, title: str, unit: str = "") -> SafeString:
    """The world with each country (alpha-3 keys) shaded by its count; each shaded country names its count."""
    by_alpha_2 = {}
    for alpha_3, value in counts.items():
        code = _alpha_2(alpha_3)
        if code:
            by_alpha_2[code] = (alpha_3, value)
    largest = max((value for _, value in by_alpha_2.values()), default=0)
    viewbox, outlines = _outlines()
    groups = []
    for code, paths in outlines:
        alpha_3, value = by_alpha_2.get(code, ("", 0))
        label = f"{country_name(alpha_3)}: {value} {unit}".strip() if value else ""
        groups.append((code, shade(value, largest), label, mark_safe(paths)))  # noqa: S308 (package data)
    body = format_html_join(
        "", '<g class="country {0} shade-{1}">{2}{3}</g>',
        ((code, level, format_html("<title>{}</title>", label) if label else "", paths)
         for code, level, label, paths in groups))
    summary = "; ".join(f"{country_name(a3)}: {value}" for a3, value in sorted(by_alpha_2.values()) if value)
    return format_html(
        '<svg class="worldmap" role="img" aria-label="{}" viewBox="{}" width="100%" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        f"{title}. {summary or 'none'}", viewbox, title, body)
