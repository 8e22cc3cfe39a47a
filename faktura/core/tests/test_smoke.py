from decimal import Decimal

from faktura.invoices.models import InvoiceStatus


def test_open_invoice_fixture_is_finalized(open_invoice):  # SPEC INV-5
    assert open_invoice.status == InvoiceStatus.OPEN
    assert open_invoice.number == "INV-1"
    assert open_invoice.balance_due == Decimal("250.00")
