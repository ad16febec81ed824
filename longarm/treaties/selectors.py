"""What the treaty network opens: the avenues to a country, and the network in one sentence."""

from dataclasses import dataclass

from django.db.models import Count

from longarm.geo import country_name
from longarm.treaties.models import Treaty, TreatyKind, TreatyStatus

# What each kind of agreement in force makes possible, in the words of the pursuit.
AVENUE_OF_KIND = {
    TreatyKind.EXTRADITION: "extradition of the fugitive",
    TreatyKind.MUTUAL_LEGAL_ASSISTANCE: "mutual legal assistance: evidence, freezing and confiscation of proceeds",
    TreatyKind.ASSET_SHARING: "sharing and return of confiscated assets",
    TreatyKind.FINANCIAL_INTELLIGENCE: "exchange of financial intelligence to trace the money",
}
# Routes that need no agreement at all.
REMAINING_ROUTES = "deportation or voluntary return"


@dataclass(frozen=True)
class Avenue:
    kind: str
    label: str
    in_force_on: object  # datetime.date | None


@dataclass(frozen=True)
class Avenues:
    """The avenues that one country's agreements open; `message` says it plainly, including 'none'."""

    country: str
    country_name: str
    opened: tuple[Avenue, ...]
    signed_only: tuple[str, ...]  # kinds signed but not yet in force: they open nothing yet
    message: str

    @property
    def none(self) -> bool:
        return not self.opened


def avenues_for(country: str) -> Avenues:
    """The legal avenues to `country`: one per agreement in force. An agreement only signed opens none yet.

    When none is in force, the message says so, and that deportation or
    voluntary return are the remaining routes.
    """
    name = country_name(country)
    treaties = list(Treaty.objects.filter(country=country))
    order = list(TreatyKind.values)
    opened = tuple(Avenue(kind=t.kind, label=AVENUE_OF_KIND[t.kind], in_force_on=t.in_force_on)
                   for t in sorted(treaties, key=lambda t: order.index(t.kind)) if t.status == TreatyStatus.IN_FORCE)
    signed = tuple(t.kind for t in sorted(treaties, key=lambda t: order.index(t.kind))
                   if t.status == TreatyStatus.SIGNED)
    if opened:
        message = f"Agreements in force with {name} open: " + "; ".join(a.label for a in opened) + "."
    else:
        message = (f"No agreement with {name} is in force: no treaty avenue is open, "
                   f"so {REMAINING_ROUTES} are the remaining routes.")
    if signed:
        labels = ", ".join(TreatyKind(kind).label for kind in signed)
        message += f" Signed but not yet in force: {labels}."
    return Avenues(country=country, country_name=name, opened=opened, signed_only=signed, message=message)


def avenues_for_case(case) -> list[Avenues]:
    """The avenues to each country where the case's subject was last located (nothing if not located)."""
    return [avenues_for(code) for code in case.located_in_list]


@dataclass(frozen=True)
class NetworkSummary:
    agreements: int
    countries: int
    financial_intelligence_countries: int
    by_kind: dict

    @property
    def text(self) -> str:
        return (f"{self.agreements} agreements with {self.countries} countries; "
                f"financial intelligence agreements with {self.financial_intelligence_countries}")


def network_summary() -> NetworkSummary:
    """The network in one sentence: agreements signed or in force, the countries they reach, and how many
    countries share financial intelligence."""
    treaties = Treaty.objects.all()
    by_kind = {row["kind"]: row["n"] for row in treaties.values("kind").annotate(n=Count("id")).order_by("kind")}
    return NetworkSummary(
        agreements=treaties.count(),
        countries=treaties.values("country").distinct().count(),
        financial_intelligence_countries=treaties.filter(kind=TreatyKind.FINANCIAL_INTELLIGENCE)
        .values("country").distinct().count(),
        by_kind={kind: by_kind.get(kind, 0) for kind in TreatyKind.values},
    )
