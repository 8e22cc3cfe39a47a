"""What changed on a finalized invoice, and the message proposed to the customer (INV-7)."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from faktura.accounts.services import get_account_settings
from faktura.core.money import format_money
from faktura.invoices.models import Invoice
from faktura.invoices.properties import BUYER_VISIBLE, INVOICE, MONEY_PROPERTIES, public_url


@dataclass(frozen=True)
class Change:
    property: str
    label: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.label}: {self.old} → {self.new}"


@dataclass(frozen=True)
class ProposedMessage:
    to: list[str]
    subject: str
    body: str


def summarize(before: Mapping[str, str | None], after: Mapping[str, str | None]) -> list[Change]:
    """Buyer-visible changes between two snapshots; amounts in each snapshot's own currency."""
    changes = []
    for name in BUYER_VISIBLE:
        if before.get(name) == after.get(name):
            continue
        old = _show(name, before.get(name), before.get("hs_currency") or "")
        new = _show(name, after.get(name), after.get("hs_currency") or "")
        changes.append(Change(name, INVOICE.property(name).label, old, new))
    return changes


def _show(name: str, text: str | None, currency: str) -> str:
    if text is not None and name in MONEY_PROPERTIES:
        return format_money(Decimal(text), currency)
    return INVOICE.property(name).display(text)


def customer_message(invoice: Invoice, changes: list[Change]) -> ProposedMessage:
    company = get_account_settings().company_name
    recipients = [c.email for c in invoice.contacts_in_order() if c.email]
    lines = "\n".join(f"- {change}" for change in changes)
    body = (
        f"Hello,\n\ninvoice {invoice.number} from {company} has been updated. What changed:\n\n"
        f"{lines}\n\nThe amount due is now {format_money(invoice.balance_due, invoice.currency)}, "
        f"due {invoice.due_date:%Y-%m-%d}. The updated invoice is here:\n{public_url(invoice)}\n\n"
        f"Kind regards,\n{company}\n"
    )
    return ProposedMessage(
        to=recipients,
        subject=f"Invoice {invoice.number} from {company} has been updated",
        body=body,
    )
