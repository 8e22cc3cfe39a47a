"""Existing deals with line items get their amount stored: the lines' total, as it was computed
and shown until now. Deals without line items keep an empty amount (it showed as 0.00)."""

from typing import Any

from django.db import migrations

from faktura.sales.pricing import line_amounts, totals

BATCH = 500


def store_amounts(apps: Any, schema_editor: Any) -> None:
    Deal = apps.get_model("sales", "Deal")
    deals = Deal.objects.filter(line_items__isnull=False).distinct().order_by("pk")
    changed = []
    for deal in deals.prefetch_related("line_items").iterator(chunk_size=BATCH):
        deal.amount = totals(
            line_amounts(
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_type=line.discount_type,
                discount_value=line.discount_value,
                tax_rate=line.tax_rate,
                currency=deal.currency,
            )
            for line in deal.line_items.all()
        ).total
        changed.append(deal)
        if len(changed) >= BATCH:
            Deal.objects.bulk_update(changed, ["amount"])
            changed = []
    Deal.objects.bulk_update(changed, ["amount"])


class Migration(migrations.Migration):
    dependencies = [("sales", "0005_deal_amount")]

    operations = [migrations.RunPython(store_amounts, migrations.RunPython.noop)]
