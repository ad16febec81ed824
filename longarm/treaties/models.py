"""The treaty network: per country, the agreements signed or in force (exchange format: treaties)."""

from django.db import models
from django.db.models import Q


class TreatyKind(models.TextChoices):
    EXTRADITION = "extradition", "extradition"
    MUTUAL_LEGAL_ASSISTANCE = "mutual_legal_assistance", "mutual legal assistance"
    ASSET_SHARING = "asset_sharing", "asset sharing"
    FINANCIAL_INTELLIGENCE = "financial_intelligence", "financial intelligence"


class TreatyStatus(models.TextChoices):
    SIGNED = "signed", "signed, not yet in force"
    IN_FORCE = "in_force", "in force"


class Treaty(models.Model):
    """One agreement with one country. Only an agreement in force opens a legal avenue.

    Reference data, not data about people: every staff member may read it.
    """

    country = models.CharField(max_length=3, help_text="ISO 3166-1 alpha-3")
    kind = models.CharField(max_length=32, choices=TreatyKind.choices)
    status = models.CharField(max_length=16, choices=TreatyStatus.choices)
    signed_on = models.DateField(null=True, blank=True)
    in_force_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["country", "kind"]
        verbose_name_plural = "treaties"
        constraints = [
            models.UniqueConstraint(fields=["country", "kind"], name="treaty_one_per_country_and_kind",
                                    violation_error_message="this country already has an agreement of this kind"),
            models.CheckConstraint(condition=Q(kind__in=TreatyKind.values), name="treaty_kind_valid",
                                   violation_error_message="unknown kind of agreement"),
            models.CheckConstraint(condition=Q(status__in=TreatyStatus.values), name="treaty_status_valid",
                                   violation_error_message="status must be signed or in_force"),
            models.CheckConstraint(
                condition=Q(signed_on__isnull=True) | Q(in_force_on__isnull=True)
                | Q(in_force_on__gte=models.F("signed_on")),
                name="treaty_in_force_after_signature",
                violation_error_message="an agreement cannot enter into force before it is signed"),
        ]

    def __str__(self) -> str:
        return f"{self.country} {self.get_kind_display()} ({self.get_status_display()})"
