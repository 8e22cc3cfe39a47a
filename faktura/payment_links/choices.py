"""What the new-link form offers: the active products and the supported currencies."""

from faktura.core.money import CURRENCIES
from faktura.sales.models import Product

# More products than this make the picker useless; the first by name are offered.
MAX_OFFERED = 1000


def currencies() -> list[str]:
    return sorted(CURRENCIES)


def products() -> list[Product]:
    return list(
        Product.objects.filter(archived_at__isnull=True).order_by("name", "id")[:MAX_OFFERED]
    )
