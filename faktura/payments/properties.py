"""Declared properties of payments (HubSpot's commerce_payments names)."""

from faktura.core.properties import ObjectType, Property, object_types, options_from
from faktura.core.properties import PropertyType as T
from faktura.payments.models import Payment, PaymentMethod, PaymentStatus, Processor

PAYMENT = object_types.register(
    "commerce_payments",
    ObjectType(
        name="commerce_payments",
        singular="payment",
        label="Payments",
        model=Payment,
        hubspot_type_id="0-101",
        properties=(
            Property("hs_object_id", "Payment ID", T.NUMBER, field="id", read_only=True),
            Property("hs_initial_amount", "Amount", T.NUMBER, field="amount", money=True),
            Property("hs_currency_code", "Currency", T.STRING, field="currency"),
            Property("hs_initiated_date", "Payment date", T.DATE, field="paid_on"),
            Property(
                "hs_payment_method_type",
                "Payment method",
                T.ENUMERATION,
                field="method",
                options=options_from(PaymentMethod),
            ),
            Property("hs_reference_number", "Reference", T.STRING, field="reference"),
            Property("hs_internal_comment", "Note", T.STRING, field="note"),
            Property(
                "hs_processor_type",
                "Processor",
                T.ENUMERATION,
                field="processor",
                options=options_from(Processor),
                read_only=True,
            ),
            Property(
                "hs_payment_id",
                "Processor payment ID",
                T.STRING,
                field="processor_payment_id",
                read_only=True,
            ),
            Property(
                "hs_latest_status",
                "Status",
                T.ENUMERATION,
                field="status",
                options=options_from(PaymentStatus),
                read_only=True,
            ),
            Property(
                "hs_fees_amount", "Fees", T.NUMBER, field="fees_amount", read_only=True, money=True
            ),
            Property(
                "hs_refunds_amount",
                "Refunded amount",
                T.NUMBER,
                field="refunded_amount",
                read_only=True,
                money=True,
            ),
            Property(
                "hs_net_amount_after_refunds",
                "Net amount after refunds",
                T.NUMBER,
                read_only=True,
                compute=lambda p: p.collected_amount,
                money=True,
            ),
            Property("hs_customer_email", "Customer email", T.STRING, field="customer_email"),
            Property("hs_contact_id", "Contact", T.NUMBER, field="contact_id"),
            Property(
                "hs_createdate",
                "Create date",
                T.DATETIME,
                field="created_at",
                read_only=True,
                tracked=False,
            ),
        ),
    ),
)
