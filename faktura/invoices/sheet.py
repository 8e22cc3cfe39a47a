"""The invoice as the buyer reads it: one sheet for the record page and the public page.

Amounts and dates are formatted here, in the invoice's currency and locale, so the templates
(page and PDF) only lay them out.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from faktura.accounts.models import PaymentTerms
from faktura.core.locales import format_amount, format_day, language_of
from faktura.core.money import plain
from faktura.invoices.issued import Buyer, Seller, buyer_of, seller_of
from faktura.invoices.models import Invoice, InvoiceLine, InvoiceStatus, PaymentState
from faktura.sales.pricing import DiscountType

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise


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
    label: "StrOrPromise"  # translated when the sheet is shown, in the invoice's language
    amount: str
    strong: bool = False


@dataclass(frozen=True)
class Sheet:
    invoice: Invoice
    title: str  # the number, or "Draft"
    badges: list[Badge]
    seller: Seller
    buyer: Buyer
    invoice_date: str
    due_date: str
    payment_terms: str  # "" for a custom due date: the due date says it
    paid_on: str
    voided_on: str
    lines: list[SheetLine]
    totals: list[Total]
    balance_due: str
    language: str  # the labels' language, from the invoice's locale (DOC-1)


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
    def money(amount: Decimal) -> str:
        return format_amount(amount, invoice.currency, invoice.locale)

    totals = [Total(_("Subtotal"), money(invoice.subtotal))]
    if invoice.total_discount:
        totals.append(Total(_("Discounts"), f"−{money(invoice.total_discount)}"))
    totals.append(Total(_("Taxes"), money(invoice.total_tax)))
    totals.append(Total(_("Total"), money(invoice.total), strong=True))
    totals.append(Total(_("Amount paid"), money(invoice.amount_paid)))
    terms = PaymentTerms(invoice.payment_terms)
    return Sheet(
        invoice=invoice,
        title=invoice_title(invoice),
        badges=status_badges(invoice),
        seller=seller_of(invoice),
        buyer=buyer_of(invoice),
        invoice_date=format_day(invoice.invoice_date, invoice.locale),
        due_date=format_day(invoice.due_date, invoice.locale),
        payment_terms="" if terms == PaymentTerms.CUSTOM else str(terms.label),
        paid_on=format_day(invoice.paid_at, invoice.locale),
        voided_on=format_day(invoice.voided_at, invoice.locale),
        lines=[_line(line, money) for line in invoice.lines.all()],
        totals=totals,
        balance_due=money(invoice.balance_due),
        language=language_of(invoice.locale),
    )
