"""How the invoice's derived properties are read: in Python for one invoice, and as database
expressions so lists filter and sort by them (declared in `properties.py`)."""

from decimal import Decimal
from operator import attrgetter
from typing import Any

from babel import Locale
from django.db import models
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Concat, StrIndex, Substr
from django.urls import reverse
from django.utils import timezone

from faktura.accounts.services import get_account_settings, invoice_link_base
from faktura.core.locales import INVOICE_LOCALES
from faktura.core.properties import Option
from faktura.crm.models import Company
from faktura.history.models import Entry
from faktura.invoices.models import Invoice, InvoiceContact, InvoiceStatus, PaymentState


def public_url(invoice: Invoice) -> str | None:
    if not invoice.public_token:
        return None
    return f"{invoice_link_base()}/i/{invoice.public_token}/"


def public_url_expression() -> Case:
    """public_url() in the database: one settings query for a whole list, not one per row."""
    domain = invoice_link_base()
    return Case(
        When(public_token__isnull=True, then=Value(None)),
        default=Concat(Value(f"{domain}/i/"), F("public_token"), Value("/")),
        output_field=models.CharField(),
    )


def lines_text(invoice: Invoice) -> str | None:
    return "; ".join(line.describe() for line in invoice.lines.all()) or None  # fmt: skip


def contacts_text(invoice: Invoice) -> str | None:
    # Lists prefetch the ordered links (see CONTACT_LINKS); a single invoice asks for them.
    links = getattr(invoice, "listed_contact_links", None)
    contacts = (
        [link.contact for link in links] if links is not None else invoice.contacts_in_order()
    )
    return (
        "; ".join(f"{c.full_name} <{c.email}>" if c.email else c.full_name for c in contacts)
        or None
    )


def companies_text(invoice: Invoice) -> str | None:
    companies = getattr(invoice, "listed_companies", None)
    if companies is None:
        companies = invoice.companies.order_by("id")
    return "; ".join(c.name for c in companies) or None


CONTACT_LINKS = models.Prefetch(
    "invoicecontact_set",
    queryset=InvoiceContact.objects.select_related("contact").order_by("position", "id"),
    to_attr="listed_contact_links",
)
COMPANIES = models.Prefetch(
    "companies", queryset=Company.objects.order_by("id"), to_attr="listed_companies"
)


class DaysBetween(models.Func):
    """Whole days from `start` (a date column) to `end` (a date), on SQLite and PostgreSQL."""

    # PostgreSQL: date - date is a number of days.
    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = models.IntegerField()

    def __init__(self, end: Any, start: Any) -> None:
        super().__init__(end, start)

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


def overdue() -> Q:
    """The database's reading of Invoice.is_overdue(), for today."""
    return Q(status=InvoiceStatus.OPEN, due_date__lt=timezone.localdate())


def payment_status_expression() -> Case:
    return Case(
        When(amount_paid__lte=0, then=Value(PaymentState.UNPAID.value)),
        When(amount_paid__lt=F("total"), then=Value(PaymentState.PARTIALLY_PAID.value)),
        default=Value(PaymentState.PAID.value),
        output_field=models.CharField(),
    )


def is_overdue_expression() -> Case:
    return Case(
        When(overdue(), then=Value(True)),
        default=Value(False),
        output_field=models.BooleanField(),
    )


def days_overdue_expression() -> Case:
    return Case(
        When(overdue(), then=DaysBetween(Value(timezone.localdate()), F("due_date"))),
        default=Value(0),
        output_field=models.IntegerField(),
    )


def latest_company_name(invoice: Invoice) -> str | None:
    """HubSpot's name for the billed company's name, as issued (or as it is on a draft)."""
    if not invoice.billed_company_id:
        return None
    return invoice.buyer_name if invoice.is_finalized else invoice.billed_company.name  # type: ignore[union-attr]


# --- what HubSpot's clients also read (reference §C5), derived from what Faktura stores ------


def beside_the_page() -> str:
    """Where the PDF is from the buyer page ("pdf/"), as the routes say."""
    page, pdf = (reverse(name, args=["t"]) for name in ("invoices:public", "invoices:public_pdf"))
    return pdf.removeprefix(page)


def public_pdf_url(invoice: Invoice) -> str | None:
    """The buyer's PDF download (INV-31), beside the buyer page as that page links it."""
    page = public_url(invoice)
    return f"{page}{beside_the_page()}" if page else None


def public_pdf_url_expression() -> Case:
    return Case(
        When(public_token__isnull=True, then=Value(None)),
        default=Concat(public_url_expression(), Value(beside_the_page())),
        output_field=models.CharField(),
    )


def language_options() -> tuple[Option, ...]:
    languages = dict.fromkeys(code.split("-")[0] for code in INVOICE_LOCALES)
    options = (
        Option(code, Locale.parse(code).get_display_name("en") or code) for code in languages
    )
    return tuple(sorted(options, key=attrgetter("label")))


def language(invoice: Invoice) -> str | None:
    """The language of the invoice's locale: "nb" for nb-NO."""
    return invoice.locale.split("-")[0] or None


def language_expression() -> Case:
    return Case(
        When(locale__contains="-", then=Substr("locale", 1, StrIndex("locale", Value("-")) - 1)),
        default=Value(None),
        output_field=models.CharField(),
    )


def created_by() -> models.QuerySet[Entry]:
    return Entry.objects.filter(
        object_type="invoice", kind=Entry.Kind.EVENT, event_type="invoice.created"
    ).order_by("id")


def source(invoice: Invoice) -> str | None:
    """Who or what created the invoice, as its history's created event says."""
    kind: str | None = (
        created_by().filter(object_id=invoice.pk).values_list("actor_kind", flat=True).first()
    )
    return kind


def source_expression() -> Subquery:
    kinds = created_by().filter(object_id=OuterRef("pk")).values("actor_kind")[:1]
    return Subquery(kinds, output_field=models.CharField())


def billed_in_company_currency(invoice: Invoice) -> Decimal | None:
    """The total when the invoice is in the account's default currency; Faktura keeps no
    exchange rates, so nothing for an invoice in another currency."""
    return invoice.total if invoice.currency == get_account_settings().default_currency else None


def billed_in_company_currency_expression() -> Case:
    return Case(
        When(currency=get_account_settings().default_currency, then=F("total")),
        default=Value(None),
        output_field=Invoice._meta.get_field("total"),
    )
