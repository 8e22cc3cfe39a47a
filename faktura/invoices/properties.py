"""Declared properties of invoices (HubSpot's internal names, reference §C5)."""

from decimal import Decimal
from operator import attrgetter
from typing import Any

from babel import Locale
from django.db import models
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Concat, StrIndex, Substr
from django.urls import reverse
from django.utils import timezone

from faktura.accounts.models import PaymentTerms
from faktura.accounts.services import get_account_settings, invoice_link_base
from faktura.core.actors import ActorKind
from faktura.core.locales import INVOICE_LOCALES, locale_choices
from faktura.core.properties import ObjectType, Option, Property, object_types, options_from
from faktura.core.properties import PropertyType as T
from faktura.crm.models import Company
from faktura.history.models import Entry
from faktura.invoices.models import Invoice, InvoiceContact, InvoiceStatus, PaymentState


def public_url(invoice: Invoice) -> str | None:
    if not invoice.public_token:
        return None
    return f"{invoice_link_base()}/i/{invoice.public_token}/"


def _public_url_expression() -> Case:
    """public_url() in the database: one settings query for a whole list, not one per row."""
    domain = invoice_link_base()
    return Case(
        When(public_token__isnull=True, then=Value(None)),
        default=Concat(Value(f"{domain}/i/"), F("public_token"), Value("/")),
        output_field=models.CharField(),
    )


def _lines_text(invoice: Invoice) -> str | None:
    return "; ".join(line.describe() for line in invoice.lines.all()) or None  # fmt: skip


def _contacts_text(invoice: Invoice) -> str | None:
    # Lists prefetch the ordered links (see CONTACT_LINKS); a single invoice asks for them.
    links = getattr(invoice, "listed_contact_links", None)
    contacts = (
        [link.contact for link in links] if links is not None else invoice.contacts_in_order()
    )
    return (
        "; ".join(f"{c.full_name} <{c.email}>" if c.email else c.full_name for c in contacts)
        or None
    )


def _companies_text(invoice: Invoice) -> str | None:
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


def _overdue() -> Q:
    """The database's reading of Invoice.is_overdue(), for today."""
    return Q(status=InvoiceStatus.OPEN, due_date__lt=timezone.localdate())


def _payment_status_expression() -> Case:
    return Case(
        When(amount_paid__lte=0, then=Value(PaymentState.UNPAID.value)),
        When(amount_paid__lt=F("total"), then=Value(PaymentState.PARTIALLY_PAID.value)),
        default=Value(PaymentState.PAID.value),
        output_field=models.CharField(),
    )


def _is_overdue_expression() -> Case:
    return Case(
        When(_overdue(), then=Value(True)),
        default=Value(False),
        output_field=models.BooleanField(),
    )


def _days_overdue_expression() -> Case:
    return Case(
        When(_overdue(), then=DaysBetween(Value(timezone.localdate()), F("due_date"))),
        default=Value(0),
        output_field=models.IntegerField(),
    )


def _latest_company_name(invoice: Invoice) -> str | None:
    """HubSpot's name for the billed company's name, as issued (or as it is on a draft)."""
    if not invoice.billed_company_id:
        return None
    return invoice.buyer_name if invoice.is_finalized else invoice.billed_company.name  # type: ignore[union-attr]


def _issued_properties() -> tuple[Property, ...]:
    """The seller and buyer as the issued invoice prints them (DOC-1): set when it is
    finalized and by edits under INV-6 only, so history shows each change. Empty on drafts."""
    frozen = "As printed on the issued invoice; empty on drafts."
    return (
        *(
            Property(name, label, T.STRING, field=field, read_only=True, description=frozen)
            for name, label, field in (
                ("seller_name", "Seller name", "seller_name"),
                ("seller_address", "Seller address", "seller_address"),
                ("seller_bank_account", "Seller bank account", "seller_bank_account"),
                (
                    "seller_payment_instructions",
                    "Payment instructions",
                    "seller_payment_instructions",
                ),
                ("seller_logo", "Seller logo", "seller_logo__digest"),
                ("buyer_name", "Bill to", "buyer_name"),
                ("buyer_contact_name", "Bill to contact", "buyer_contact_name"),
                ("buyer_email", "Billing email", "buyer_email"),
                ("hs_recipient_company_address", "Bill-to street address", "buyer_street"),
                ("hs_recipient_company_zip", "Bill-to postal code", "buyer_zip"),
                ("hs_recipient_company_city", "Bill-to city", "buyer_city"),
                ("hs_recipient_company_country", "Bill-to country", "buyer_country"),
                ("buyer_tax_id", "Buyer tax ID", "buyer_tax_id"),
            )
        ),
        Property(
            "hs_invoice_latest_company_name",
            "Billed company name",
            T.STRING,
            read_only=True,
            tracked=False,  # buyer_name records the change
            compute=_latest_company_name,
            select_related=("billed_company",),
        ),
    )


# --- what HubSpot's clients also read (reference §C5), derived from what Faktura stores ------


def _beside_the_page() -> str:
    """Where the PDF is from the buyer page ("pdf/"), as the routes say."""
    page, pdf = (reverse(name, args=["t"]) for name in ("invoices:public", "invoices:public_pdf"))
    return pdf.removeprefix(page)


def public_pdf_url(invoice: Invoice) -> str | None:
    """The buyer's PDF download (INV-31), beside the buyer page as that page links it."""
    page = public_url(invoice)
    return f"{page}{_beside_the_page()}" if page else None


def _public_pdf_url_expression() -> Case:
    return Case(
        When(public_token__isnull=True, then=Value(None)),
        default=Concat(_public_url_expression(), Value(_beside_the_page())),
        output_field=models.CharField(),
    )


def _language_options() -> tuple[Option, ...]:
    languages = dict.fromkeys(code.split("-")[0] for code in INVOICE_LOCALES)
    options = (
        Option(code, Locale.parse(code).get_display_name("en") or code) for code in languages
    )
    return tuple(sorted(options, key=attrgetter("label")))


def _language(invoice: Invoice) -> str | None:
    """The language of the invoice's locale: "nb" for nb-NO."""
    return invoice.locale.split("-")[0] or None


def _language_expression() -> Case:
    return Case(
        When(locale__contains="-", then=Substr("locale", 1, StrIndex("locale", Value("-")) - 1)),
        default=Value(None),
        output_field=models.CharField(),
    )


def _created_by() -> models.QuerySet[Entry]:
    return Entry.objects.filter(
        object_type="invoice", kind=Entry.Kind.EVENT, event_type="invoice.created"
    ).order_by("id")


def _source(invoice: Invoice) -> str | None:
    """Who or what created the invoice, as its history's created event says."""
    kind: str | None = (
        _created_by().filter(object_id=invoice.pk).values_list("actor_kind", flat=True).first()
    )
    return kind


def _source_expression() -> Subquery:
    kinds = _created_by().filter(object_id=OuterRef("pk")).values("actor_kind")[:1]
    return Subquery(kinds, output_field=models.CharField())


def _billed_in_company_currency(invoice: Invoice) -> Decimal | None:
    """The total when the invoice is in the account's default currency; Faktura keeps no
    exchange rates, so nothing for an invoice in another currency."""
    return invoice.total if invoice.currency == get_account_settings().default_currency else None


def _billed_in_company_currency_expression() -> Case:
    return Case(
        When(currency=get_account_settings().default_currency, then=F("total")),
        default=Value(None),
        output_field=Invoice._meta.get_field("total"),
    )


INVOICE = object_types.register(
    "invoices",
    ObjectType(
        name="invoices",
        singular="invoice",
        label="Invoices",
        model=Invoice,
        hubspot_type_id="0-53",
        properties=(
            Property(
                "hs_number",
                "Invoice number",
                T.STRING,
                field="number",
                read_only=True,
                sort_field="number_seq",
            ),
            Property(
                "hs_invoice_status",
                "Invoice status",
                T.ENUMERATION,
                field="status",
                options=options_from(InvoiceStatus),
                read_only=True,
            ),
            Property(
                "hs_payment_status",
                "Payment status",
                T.ENUMERATION,
                read_only=True,
                options=options_from(PaymentState),
                compute=lambda i: i.payment_state.value,
                expression=_payment_status_expression,
            ),
            Property("hs_currency", "Currency", T.STRING, field="currency"),
            Property("hs_invoice_date", "Invoice date", T.DATE, field="invoice_date"),
            Property("hs_due_date", "Due date", T.DATE, field="due_date"),
            Property(
                "hs_payment_terms",
                "Payment terms",
                T.ENUMERATION,
                field="payment_terms",
                options=options_from(PaymentTerms),
            ),
            Property("hs_comments", "Comments", T.STRING, field="comments"),
            Property("hs_invoice_footer", "Footer", T.STRING, field="footer"),
            Property(
                "hs_purchase_order_number",
                "Purchase order number",
                T.STRING,
                field="purchase_order_number",
            ),
            Property("hs_tax_id", "Tax ID", T.STRING, field="tax_id"),
            Property(
                "hs_locale",
                "Locale",
                T.ENUMERATION,
                field="locale",
                options=tuple(Option(code, label) for code, label in locale_choices()),
            ),
            Property(
                "hs_created_by_subscription",
                "Created by a subscription",
                T.BOOL,
                field="from_subscription",
                read_only=True,
            ),
            Property("hubspot_owner_id", "Invoice owner", T.NUMBER, field="owner_id"),
            Property(
                "hs_line_items",
                "Line items",
                T.STRING,
                read_only=True,
                compute=_lines_text,
                prefetch_related=("lines",),
            ),
            Property(
                "hs_contacts",
                "Contacts",
                T.STRING,
                read_only=True,
                compute=_contacts_text,
                prefetch_related=(CONTACT_LINKS,),
            ),
            Property(
                "hs_companies",
                "Companies",
                T.STRING,
                read_only=True,
                compute=_companies_text,
                prefetch_related=(COMPANIES,),
            ),
            Property(
                "billed_company_id",
                "Billed company",
                T.NUMBER,
                field="billed_company_id",
                read_only=True,
                description="The one company the invoice bills (DOC-2); the oldest by default.",
            ),
            *_issued_properties(),
            Property("hs_deal_id", "Deal", T.NUMBER, field="deal_id", read_only=True),
            Property("hs_quote_id", "Quote", T.NUMBER, field="quote_id", read_only=True),
            Property(
                "hs_subtotal", "Subtotal", T.NUMBER, field="subtotal", read_only=True, money=True
            ),
            Property(
                "hs_total_discount",
                "Discounts",
                T.NUMBER,
                field="total_discount",
                read_only=True,
                money=True,
            ),
            Property("hs_tax", "Taxes", T.NUMBER, field="total_tax", read_only=True, money=True),
            Property(
                "hs_amount_billed", "Total", T.NUMBER, field="total", read_only=True, money=True
            ),
            Property(
                "hs_amount_paid",
                "Amount paid",
                T.NUMBER,
                field="amount_paid",
                read_only=True,
                money=True,
            ),
            Property(
                "hs_balance_due",
                "Balance due",
                T.NUMBER,
                field="balance_due",
                read_only=True,
                money=True,
            ),
            Property(
                "hs_invoice_link",
                "Invoice link",
                T.STRING,
                read_only=True,
                compute=public_url,
                expression=_public_url_expression,
                tracked=False,
            ),
            Property(
                "hs_finalized_date",
                "Finalized date",
                T.DATETIME,
                field="finalized_at",
                read_only=True,
            ),
            Property("hs_payment_date", "Paid date", T.DATETIME, field="paid_at", read_only=True),
            Property(
                "hs_voided_date", "Voided date", T.DATETIME, field="voided_at", read_only=True
            ),
            Property(
                "hs_last_sent_date",
                "Last sent date",
                T.DATETIME,
                field="last_sent_at",
                read_only=True,
            ),
            Property(
                "hs_is_overdue",
                "Overdue",
                T.BOOL,
                read_only=True,
                tracked=False,
                compute=lambda i: i.is_overdue(),
                expression=_is_overdue_expression,
            ),
            Property(
                "hs_days_overdue",
                "Days overdue",
                T.NUMBER,
                read_only=True,
                tracked=False,
                compute=lambda i: i.days_overdue(),
                expression=_days_overdue_expression,
            ),
            Property("hs_object_id", "Record ID", T.NUMBER, field="id", read_only=True),
            Property(
                "hs_createdate",
                "Create date",
                T.DATETIME,
                field="created_at",
                read_only=True,
                tracked=False,
            ),
            Property(
                "hs_lastmodifieddate",
                "Last modified date",
                T.DATETIME,
                field="updated_at",
                read_only=True,
                tracked=False,
            ),
            Property(
                "hs_pdf_download_link",
                "PDF download link",
                T.STRING,
                read_only=True,
                tracked=False,
                compute=public_pdf_url,
                expression=_public_pdf_url_expression,
                description="The buyer's link to the invoice as a PDF, once it is finalized.",
            ),
            Property(
                "hs_language",
                "Language",
                T.ENUMERATION,
                read_only=True,
                tracked=False,  # follows hs_locale, whose changes history records
                options=_language_options(),
                compute=_language,
                expression=_language_expression,
            ),
            Property(
                "hs_invoice_source",
                "Invoice source",
                T.ENUMERATION,
                read_only=True,
                tracked=False,
                options=options_from(ActorKind),
                compute=_source,
                expression=_source_expression,
                description="Who or what created the invoice: a user, the API, a workflow, an "
                "integration or Faktura itself.",
            ),
            Property(
                "hs_amount_billed_in_company_currency",
                "Amount billed in company currency",
                T.NUMBER,
                read_only=True,
                tracked=False,
                money=True,
                compute=_billed_in_company_currency,
                expression=_billed_in_company_currency_expression,
                description="The total when the invoice is in the account's default currency; "
                "empty for an invoice in another currency (Faktura keeps no exchange rates).",
            ),
        ),
    ),
)

# What the buyer sees: the properties summarised for the customer after an edit (INV-7).
BUYER_VISIBLE = (
    "seller_name",
    "seller_address",
    "seller_bank_account",
    "seller_payment_instructions",
    "seller_logo",
    "buyer_name",
    "buyer_contact_name",
    "buyer_email",
    "hs_recipient_company_address",
    "hs_recipient_company_zip",
    "hs_recipient_company_city",
    "hs_recipient_company_country",
    "buyer_tax_id",
    "hs_currency",
    "hs_invoice_date",
    "hs_due_date",
    "hs_payment_terms",
    "hs_line_items",
    "hs_subtotal",
    "hs_total_discount",
    "hs_tax",
    "hs_amount_billed",
    "hs_balance_due",
    "hs_comments",
    "hs_invoice_footer",
    "hs_purchase_order_number",
    "hs_tax_id",
    "hs_locale",
)
MONEY_PROPERTIES = frozenset(
    {
        "hs_subtotal",
        "hs_total_discount",
        "hs_tax",
        "hs_amount_billed",
        "hs_amount_paid",
        "hs_balance_due",
    }
)
