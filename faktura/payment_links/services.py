"""Payment links (PAY-6): make one from products, open a purchase for a buyer, and complete it
once Stripe says it is paid: a contact, a deal named "Payment Link" closed won (QB-8's trigger)
and the online payment, each exactly once per purchase."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from faktura.accounts.models import User
from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation, require
from faktura.core.money import format_money, normalize_currency, parse_amount
from faktura.crm import services as crm
from faktura.crm.models import Contact
from faktura.history import services as history
from faktura.invoices.sending import send_receipt_later
from faktura.payment_links import rules
from faktura.payment_links.models import PaymentLink, PaymentLinkItem, Purchase, PurchaseStatus
from faktura.payments import services as payments
from faktura.payments.models import Payment
from faktura.sales import services as sales
from faktura.sales.lines import LineInput
from faktura.sales.models import DealStage, Product

# QB-8's workflow trigger reads this exact name: keep it in one place.
DEAL_NAME = "Payment Link"
MAX_ITEMS = 20
# Who acts when Stripe's payment completes a purchase (history, the deal's and payment's log).
COMPLETER = Actor.integration("Stripe payment link")


@dataclass(frozen=True)
class ItemInput:
    product_id: object
    quantity: object = 1


class Paid(Protocol):
    """What stripe_payments tells a completer about a paid Checkout Session (its PaidSession)."""

    @property
    def payment_intent_id(self) -> str: ...
    @property
    def amount(self) -> Decimal: ...
    @property
    def currency(self) -> str: ...
    @property
    def fee(self) -> Decimal: ...
    @property
    def customer_email(self) -> str: ...
    @property
    def reference(self) -> str: ...


def _new_token() -> str:
    return secrets.token_urlsafe(24)


def _quantity(value: object, name: str) -> Decimal:
    text = str(value).strip() if value is not None else ""
    try:
        quantity = Decimal(text)
    except ArithmeticError:
        quantity = Decimal("NaN")
    if not quantity.is_finite() or quantity != quantity.to_integral_value():
        raise RuleViolation(
            _("The quantity of %(name)s must be a whole number, like 1 or 3; got '%(value)s'.")
            % {"name": name, "value": text},
            code="invalid_quantity",
        )
    if quantity <= 0:
        raise RuleViolation(
            _("The quantity of %(name)s must be at least 1.") % {"name": name},
            code="invalid_quantity",
        )
    return quantity


def _limit(value: object) -> int | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    if not text.isdigit() or int(text) < 1:
        raise RuleViolation(
            _(
                "The limit is a whole number of payments, 1 or more (got '%(value)s'); leave it "
                "empty for no limit."
            )
            % {"value": text},
            code="invalid_limit",
        )
    return int(text)


def _items(raw: Sequence[ItemInput], currency: str) -> list[PaymentLinkItem]:
    if not raw:
        raise RuleViolation(
            _("Choose at least one product for the link to sell."), code="no_products"
        )
    if len(raw) > MAX_ITEMS:
        raise RuleViolation(
            _("A payment link sells at most %(max)s products; this one has %(count)s.")
            % {"max": MAX_ITEMS, "count": len(raw)},
            code="too_many_products",
        )
    ids = [str(item.product_id).strip() for item in raw]
    products = Product.objects.in_bulk([int(pk) for pk in ids if pk.isdigit()])
    items = []
    for position, (item, pk) in enumerate(zip(raw, ids, strict=True)):
        product = products.get(int(pk)) if pk.isdigit() else None
        if product is None:
            raise RuleViolation(
                _("Product %(id)s does not exist; choose a product from the list.") % {"id": pk},
                code="unknown_product",
            )
        if product.archived_at is not None:
            raise RuleViolation(
                _("Product %(name)s is archived; restore it first or choose another.")
                % {"name": product.name},
                code="archived_product",
            )
        quantity = _quantity(item.quantity, product.name)
        try:
            unit_price = parse_amount(product.unit_price, currency, field="Unit price")
        except RuleViolation:
            raise RuleViolation(
                _(
                    "The price of %(name)s (%(price)s) has more decimals than %(currency)s "
                    "allows: choose another currency, or change the product's price."
                )
                % {
                    "name": product.name,
                    "price": product.unit_price.normalize(),
                    "currency": currency,
                },
                code="price_not_in_currency",
            ) from None
        if unit_price <= 0:
            raise RuleViolation(
                _("Product %(name)s has no price; give it a price above zero first.")
                % {"name": product.name},
                code="no_price",
            )
        items.append(
            PaymentLinkItem(
                product=product,
                position=position,
                name=product.name,
                sku=product.sku,
                description=product.description,
                quantity=quantity,
                unit_price=unit_price,
                tax_rate=product.tax_rate,
            )
        )
    return items


def create_link(
    *,
    actor: Actor,
    name: str,
    currency: str,
    items: Sequence[ItemInput],
    payment_limit: object = None,
) -> PaymentLink:
    """A link selling copies of the products' lines as they are now (a later product edit
    leaves the published link alone)."""
    require(rules.can_manage_links(actor))
    name = (name or "").strip()
    if not name:
        raise RuleViolation(_("Give the link a name, for your own lists."), code="required")
    if len(name) > 200:
        raise RuleViolation(_("A link's name is at most 200 characters."), code="too_long")
    currency = normalize_currency(currency)
    lines = _items(items, currency)
    limit = _limit(payment_limit)
    with transaction.atomic():
        link = PaymentLink.objects.create(
            name=name,
            currency=currency,
            payment_limit=limit,
            token=_new_token(),
            created_by=actor.user if isinstance(actor.user, User) else None,
        )
        for line in lines:
            line.link = link
        PaymentLinkItem.objects.bulk_create(lines)
        history.record_event(
            link,
            "payment_link.created",
            actor=actor,
            data={"total": str(link.total), "currency": currency},
        )
    return link


def set_active(link: PaymentLink, active: bool, *, actor: Actor) -> PaymentLink:
    """Deactivate (the public page then says so) or activate again."""
    require(rules.can_manage_links(actor))
    with transaction.atomic():
        link = PaymentLink.objects.select_for_update().get(pk=link.pk)
        if link.active != active:
            link.active = active
            link.save(update_fields=["active", "updated_at"])
            event = "payment_link.activated" if active else "payment_link.deactivated"
            history.record_event(link, event, actor=actor)
    return link


def payments_made(link: PaymentLink) -> int:
    return link.purchases.filter(status=PurchaseStatus.COMPLETED).count()


def check_buyer(name: str, email: str) -> tuple[str, str]:
    """The buyer's name and email as typed, or a sentence saying what to correct."""
    name = " ".join((name or "").split())
    email = (email or "").strip()
    if not name:
        raise RuleViolation(_("Enter your name."), code="name")
    if len(name) > 200:
        raise RuleViolation(_("Your name is at most 200 characters."), code="name")
    try:
        validate_email(email)
    except ValidationError:
        raise RuleViolation(
            _("Enter a valid email address, like name@example.com: your receipt goes there."),
            code="email",
        ) from None
    return name, email


def open_purchase(link: PaymentLink, *, name: str, email: str) -> Purchase:
    """The buyer's attempt, refused when the link is inactive or at its limit. The Stripe
    session is opened afterwards, outside the lock (checkout.start_purchase)."""
    name, email = check_buyer(name, email)
    with transaction.atomic():
        link = PaymentLink.objects.select_for_update().get(pk=link.pk)
        require(rules.can_take_payment(link, payments_made(link)))
        total = link.total
        if total <= 0:
            raise RuleViolation(_("This payment link has nothing to pay."), code="empty")
        return Purchase.objects.create(
            link=link,
            buyer_name=name,
            buyer_email=email,
            amount=total,
            currency=link.currency,
            token=_new_token(),
        )


def record_session(purchase: Purchase, *, session_id: str, url: str) -> Purchase:
    with transaction.atomic():
        purchase = Purchase.objects.select_for_update().get(pk=purchase.pk)
        purchase.stripe_session_id = session_id
        purchase.checkout_url = url
        purchase.save(update_fields=["stripe_session_id", "checkout_url"])
    return purchase


def expire_purchase(purchase: Purchase) -> None:
    """Stripe's session expired unpaid: the purchase is over (a new visit opens another)."""
    with transaction.atomic():
        Purchase.objects.select_for_update().filter(
            pk=purchase.pk, status=PurchaseStatus.OPEN
        ).update(status=PurchaseStatus.EXPIRED)


def _split_name(name: str) -> dict[str, str]:
    first, _sep, last = name.partition(" ")
    return {"firstname": first, "lastname": last}


def _contact_for(name: str, email: str, actor: Actor) -> Contact:
    """The contact with this email (any case; the oldest if several), else a new one."""
    found = (
        Contact.objects.filter(email__iexact=email, archived_at__isnull=True).order_by("id").first()
    )
    if found is not None:
        return found
    return crm.create_contact(actor=actor, email=email, **_split_name(name))


def _deal_lines(items: Iterable[PaymentLinkItem]) -> list[LineInput]:
    return [
        LineInput(
            name=item.name,
            unit_price=item.unit_price,
            quantity=item.quantity,
            tax_rate=item.tax_rate,
            product_id=item.product_id,
            sku=item.sku,
            description=item.description,
        )
        for item in items
    ]


def complete_purchase(paid: Paid, *, actor: Actor = COMPLETER) -> Payment:
    """Stripe says the purchase is paid: contact, deal "Payment Link" (closed won, the link's
    lines), the online payment with Stripe's fee, all associated, and the receipt queued. Once
    per purchase however often or concurrently it is called: the purchase row is locked and
    re-checked. A purchase completing after the link reached its limit still completes."""
    with transaction.atomic():
        purchase = (
            Purchase.objects.select_for_update()
            .select_related("link")
            .filter(pk=int(paid.reference) if str(paid.reference).isdigit() else 0)
            .first()
        )
        if purchase is None:
            raise RuleViolation(
                f"Payment link purchase {paid.reference!r} does not exist.", code="not_found"
            )
        if purchase.status == PurchaseStatus.COMPLETED and purchase.payment is not None:
            return purchase.payment
        link = purchase.link
        email = paid.customer_email or purchase.buyer_email
        contact = _contact_for(purchase.buyer_name, email, actor)
        payment, created = payments.record_online_payment(
            actor=actor,
            processor_payment_id=paid.payment_intent_id,
            amount=paid.amount,
            currency=paid.currency,
            fees=paid.fee,
            contact=contact,
            customer_email=email,
        )
        deal = payment.deal or sales.create_deal(
            actor=actor,
            contacts=[contact],
            lines=_deal_lines(link.items.all()),
            dealname=DEAL_NAME,
            dealstage=DealStage.WON,
            closedate=timezone.localdate(),
            deal_currency_code=link.currency,
        )
        payment = payments.associate_deal(payment, deal, actor=actor)
        purchase.status = PurchaseStatus.COMPLETED
        purchase.completed_at = timezone.now()
        purchase.payment = payment
        purchase.contact = contact
        purchase.deal = deal
        purchase.save()
        history.record_event(
            link,
            "payment_link.paid",
            actor=actor,
            data={
                "purchase": purchase.pk,
                "payment": payment.pk,
                "deal": deal.pk,
                "amount": format_money(payment.amount, payment.currency),
            },
        )
        if created:
            send_receipt_later(payment)
    return payment
