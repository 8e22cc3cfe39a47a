"""The invoice as the buyer reads it: one sheet for the record page and the public page.

Amounts are formatted here, in the invoice currency, so the template only lays them out.
"""

from dataclasses import dataclass

from faktura.accounts.services import get_account_settings
from faktura.core.money import format_money, plain
from faktura.crm.models import Company, Contact
from faktura.invoices.models import Invoice, InvoiceLine, InvoiceStatus, PaymentState
from faktura.sales.pricing import DiscountType


@dataclass(frozen=True)
class Badge:
    label: str
    style: str  # a Bootstrap text-bg-* colour


@dataclass(frozen=True)
class SheetLine:
    name: str
    description: str
    quantity: str
    unit_price: str
    discount: str
    tax_rate: str
    amount: str


@dataclass(frozen=True)
class Total:
    label: str
    amount: str
    strong: bool = False


@dataclass(frozen=True)
class Sheet:
    invoice: Invoice
    title: str  # the number, or "Draft"
    badges: list[Badge]
    seller_name: str
    seller_address: str
    bill_to: Contact | None
    companies: list[Company]
    lines: list[SheetLine]
    totals: list[Total]
    balance_due: str


_STATUS_STYLES = {
    InvoiceStatus.DRAFT: "secondary",
    InvoiceStatus.OPEN: "primary",
    InvoiceStatus.PAID: "success",
    InvoiceStatus.VOIDED: "dark",
}


def status_badges(invoice: Invoice) -> list[Badge]:
    """The status, then what a person needs to know about it: partially paid, overdue (INV-3)."""
    status = InvoiceStatus(invoice.status)
    badges = [Badge(status.label, _STATUS_STYLES[status])]
    if status == InvoiceStatus.OPEN and invoice.payment_state == PaymentState.PARTIALLY_PAID:
        badges.append(Badge(PaymentState.PARTIALLY_PAID.label, "warning"))
    if invoice.is_overdue():
        days = invoice.days_overdue()
        badges.append(Badge(f"Overdue {days} day{'s' if days != 1 else ''}", "danger"))
    return badges


def invoice_title(invoice: Invoice) -> str:
    return invoice.number or "Draft"


def _line(line: InvoiceLine, currency: str) -> SheetLine:
    if not line.discount_value:
        discount = ""
    elif line.discount_type == DiscountType.PERCENT:
        discount = (
            f"{plain(line.discount_value)} % (−{format_money(line.discount_amount, currency)})"
        )
    else:
        discount = f"−{format_money(line.discount_amount, currency)}"
    return SheetLine(
        name=line.name,
        description=line.description,
        quantity=plain(line.quantity),
        unit_price=format_money(line.unit_price, currency),
        discount=discount,
        tax_rate=f"{plain(line.tax_rate)} %" if line.tax_rate else "",
        amount=format_money(line.amount, currency),
    )


def build_sheet(invoice: Invoice) -> Sheet:
    settings = get_account_settings()
    currency = invoice.currency
    totals = [Total("Subtotal", format_money(invoice.subtotal, currency))]
    if invoice.total_discount:
        totals.append(Total("Discounts", f"−{format_money(invoice.total_discount, currency)}"))
    totals.append(Total("Taxes", format_money(invoice.total_tax, currency)))
    totals.append(Total("Total", format_money(invoice.total, currency), strong=True))
    totals.append(Total("Amount paid", format_money(invoice.amount_paid, currency)))
    return Sheet(
        invoice=invoice,
        title=invoice_title(invoice),
        badges=status_badges(invoice),
        seller_name=settings.company_name,
        seller_address=settings.company_address,
        bill_to=invoice.contacts_in_order().first(),
        companies=list(invoice.companies.order_by("id")),
        lines=[_line(line, currency) for line in invoice.lines.all()],
        totals=totals,
        balance_due=format_money(invoice.balance_due, currency),
    )
