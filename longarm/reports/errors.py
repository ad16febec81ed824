"""Errors of the reports, each naming what is missing so that it can be supplied."""

import datetime


class ReportError(Exception):
    """A report that cannot be computed as asked; nothing was written."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class MissingRateError(ReportError):
    """No exchange rate for a currency on or before a date: the report refuses rather than count it as zero."""

    def __init__(self, currency: str, on: datetime.date):
        super().__init__(f"No exchange rate for {currency} on or before {on.isoformat()}: "
                         f"import an fx_rates row for {currency} dated {on.isoformat()} or earlier.")
        self.currency = currency
        self.on = on
