"""The one table of the kernel: requests per client address in rate-limit windows."""

from django.db import models


class AddressRateWindow(models.Model):
    """Requests one address (an IPv6 /64) made to one limited page group in its current fixed
    window, keyed "scope:address" (`faktura.core.address_limits`)."""

    key = models.CharField(max_length=120, primary_key=True)
    # Unix time (seconds) at which the window began.
    window_start = models.BigIntegerField(db_index=True)
    requests = models.PositiveIntegerField(default=0)
