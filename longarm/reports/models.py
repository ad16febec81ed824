"""Reference data the reports need: exchange rates into the reporting currency (exchange format: fx_rates).

The rates live here, with the reports, because converting money is only
ever done to report it: recoveries are kept in the currency they came in.
"""

from django.db import models
from django.db.models import Q

RATE = {"max_digits": 24, "decimal_places": 10}


class FxRate(models.Model):
    """The value of one unit of `currency` in the reporting currency on a date.

    An amount is converted at the latest rate on or before its date; a missing
    rate is an error, never a silent zero (see `longarm.reports.fx`).
    """

    currency = models.CharField(max_length=3, help_text="ISO 4217")
    on = models.DateField()
    rate = models.DecimalField(**RATE)

    class Meta:
        ordering = ["currency", "on"]
        verbose_name = "exchange rate"
        constraints = [
            models.UniqueConstraint(fields=["currency", "on"], name="fx_rate_one_per_currency_and_date",
                                    violation_error_message="this currency already has a rate on this date"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="fx_rate_positive",
                                   violation_error_message="an exchange rate must be more than zero"),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate} on {self.on}"
