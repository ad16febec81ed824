"""Keeping the treaty register: one agreement per country and kind, each change audited."""

import datetime

from django.db import transaction

from longarm.accounts.models import Role
from longarm.audit.services import audit_record
from longarm.geo import country_codes
from longarm.treaties.errors import TreatyError
from longarm.treaties.models import Treaty, TreatyKind, TreatyStatus

# The register is national reference data: kept centrally, not by a province.
TREATY_KEEPER_ROLES = frozenset({Role.CENTRAL_ANALYST, Role.ADMINISTRATOR, Role.SYSTEM})


@transaction.atomic
def treaty_record(*, country: str, kind: TreatyKind | str, status: TreatyStatus | str, actor,
                  signed_on: datetime.date | None = None, in_force_on: datetime.date | None = None) -> Treaty:
    """Record an agreement with a country, or update the one of that kind (a signed treaty enters into force).

    An agreement cannot enter into force before it is signed, nor go back
    from in force to merely signed.
    """
    if actor is None or not actor.is_authenticated or (actor.role not in TREATY_KEEPER_ROLES
                                                        and not actor.is_superuser):
        raise TreatyError("Only central analysts and administrators keep the treaty register.")
    country = (country or "").strip().upper()
    if country not in country_codes():
        raise TreatyError(f"country: {country or 'nothing'} is not an ISO 3166-1 alpha-3 country code.")
    if kind not in TreatyKind.values:
        raise TreatyError("kind must be extradition, mutual_legal_assistance, asset_sharing or financial_intelligence.")
    if status not in TreatyStatus.values:
        raise TreatyError("status must be signed or in_force.")
    if signed_on and in_force_on and in_force_on < signed_on:
        raise TreatyError("An agreement cannot enter into force before it is signed.")
    treaty = Treaty.objects.select_for_update().filter(country=country, kind=kind).first()
    before = None
    if treaty is None:
        treaty = Treaty(country=country, kind=kind)
    else:
        before = {"status": treaty.status, "signed_on": treaty.signed_on, "in_force_on": treaty.in_force_on}
        if treaty.status == TreatyStatus.IN_FORCE and status == TreatyStatus.SIGNED:
            raise TreatyError(f"The {treaty.get_kind_display()} agreement with {country} is already in force.")
    treaty.status, treaty.signed_on, treaty.in_force_on = status, signed_on, in_force_on
    treaty.save()
    audit_record(actor=actor, action="treaty.record", target=treaty,
                 detail={"country": country, "kind": kind, "before": before,
                         "after": {"status": status, "signed_on": signed_on, "in_force_on": in_force_on}})
    return treaty
