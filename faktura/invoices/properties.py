"""Declared properties of invoices (HubSpot's internal names, reference §C5)."""

from faktura.accounts.models import PaymentTerms
from faktura.core.actors import ActorKind
from faktura.core.locales import locale_choices
from faktura.core.properties import ObjectType, Option, Property, object_types, options_from
from faktura.core.properties import PropertyType as T
from faktura.invoices.models import Invoice, InvoiceStatus, PaymentState
from faktura.invoices.property_values import (
    COMPANIES,
    CONTACT_LINKS,
    billed_in_company_currency,
    billed_in_company_currency_expression,
    companies_text,
    contacts_text,
    days_overdue_expression,
    is_overdue_expression,
    language,
    language_expression,
    language_options,
    latest_company_name,
    lines_text,
    payment_status_expression,
    public_pdf_url,
    public_pdf_url_expression,
    public_url,
    public_url_expression,
    source,
    source_expression,
)


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
            compute=latest_company_name,
            select_related=("billed_company",),
        ),
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
                expression=payment_status_expression,
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
                compute=lines_text,
                prefetch_related=("lines",),
            ),
            Property(
                "hs_contacts",
                "Contacts",
                T.STRING,
                read_only=True,
                compute=contacts_text,
                prefetch_related=(CONTACT_LINKS,),
            ),
            Property(
                "hs_companies",
                "Companies",
                T.STRING,
                read_only=True,
                compute=companies_text,
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
                expression=public_url_expression,
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
                expression=is_overdue_expression,
            ),
            Property(
                "hs_days_overdue",
                "Days overdue",
                T.NUMBER,
                read_only=True,
                tracked=False,
                compute=lambda i: i.days_overdue(),
                expression=days_overdue_expression,
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
                expression=public_pdf_url_expression,
                description="The buyer's link to the invoice as a PDF, once it is finalized.",
            ),
            Property(
                "hs_language",
                "Language",
                T.ENUMERATION,
                read_only=True,
                tracked=False,  # follows hs_locale, whose changes history records
                options=language_options(),
                compute=language,
                expression=language_expression,
            ),
            Property(
                "hs_invoice_source",
                "Invoice source",
                T.ENUMERATION,
                read_only=True,
                tracked=False,
                options=options_from(ActorKind),
                compute=source,
                expression=source_expression,
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
                compute=billed_in_company_currency,
                expression=billed_in_company_currency_expression,
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
