"""The invoice as the buyer reads it: one sheet for the record page and the public page.

Amounts and dates are formatted here, in the invoice's currency and locale, so the templates
(page and PDF) only lay them out.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from faktura.accounts.logo import logo_data_url
from faktura.accounts.services import get_account_settings
from faktura.core.locales import format_amount, format_day
from faktura.core.money import plain
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
    seller_tax_id: str
    logo: str  # a data: URL, or ""
    invoice_date: str
    due_date: str
    paid_on: str
    voided_on: str
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


def _line(line: InvoiceLine, money: Callable[[Decimal], str]) -> SheetLine:
    if not line.discount_value:
        discount = ""
    elif line.discount_type == DiscountType.PERCENT:
        discount = f"{plain(line.discount_value)} % (−{money(line.discount_amount)})"
    else:
        discount = f"−{money(line.discount_amount)}"
    return SheetLine(
        name=line.name,
        description=line.description,
        quantity=plain(line.quantity),
        unit_price=money(line.unit_price),
        discount=discount,
        tax_rate=f"{plain(line.tax_rate)} %" if line.tax_rate else "",
        amount=money(line.amount),
    )


def build_sheet(invoice: Invoice) -> Sheet:
    settings = get_account_settings()

    def money(amount: Decimal) -> str:
        return format_amount(amount, invoice.currency, invoice.locale)

    totals = [Total("Subtotal", money(invoice.subtotal))]
    if invoice.total_discount:
        totals.append(Total("Discounts", f"−{money(invoice.total_discount)}"))
    totals.append(Total("Taxes", money(invoice.total_tax)))
    totals.append(Total("Total", money(invoice.total), strong=True))
    totals.append(Total("Amount paid", money(invoice.amount_paid)))
    return Sheet(
        invoice=invoice,
        title=invoice_title(invoice),
        badges=status_badges(invoice),
        seller_name=settings.company_name,
        seller_address=settings.company_address,
        seller_tax_id=invoice.tax_id,
        logo=logo_data_url(settings),
        invoice_date=format_day(invoice.invoice_date, invoice.locale),
        due_date=format_day(invoice.due_date, invoice.locale),
        paid_on=format_day(invoice.paid_at, invoice.locale),
        voided_on=format_day(invoice.voided_at, invoice.locale),
        bill_to=invoice.contacts_in_order().first(),
        companies=list(invoice.companies.order_by("id")),
        lines=[_line(line, money) for line in invoice.lines.all()],
        totals=totals,
        balance_due=money(invoice.balance_due),
    )
