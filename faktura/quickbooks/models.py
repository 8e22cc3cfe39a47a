"""Connected QuickBooks Online companies (QB-14), the per-company request budget shared by every
process (QB-12), and the links product sync makes between Faktura products and QuickBooks items
(QB-4a, QB-5)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ConnectionStatus(models.TextChoices):
    CONNECTED = "connected", _("Connected")
    # Intuit refused the tokens (revoked, expired or replaced): a user must connect again.
    NEEDS_RECONNECT = "needs_reconnect", _("Needs reconnecting")
    DISCONNECTED = "disconnected", _("Disconnected")


class QuickBooksConnection(models.Model):
    """One QuickBooks company (realm) connected through OAuth 2. Tokens are stored encrypted
    (faktura.core.encryption); only `tokens.py` reads or writes them."""

    history_type = "quickbooks_connection"

    realm_id = models.CharField(max_length=40, unique=True)
    company_name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, blank=True)
    status = models.CharField(
        max_length=20, choices=ConnectionStatus.choices, default=ConnectionStatus.CONNECTED
    )
    # Why it needs reconnecting, in words, with what Intuit said.
    status_message = models.TextField(blank=True)
    access_token = models.TextField(blank=True)
    refresh_token = models.TextField(blank=True)
    access_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_expires_at = models.DateTimeField(null=True, blank=True)
    # Single-flight refresh: the process that holds the lease is the only one calling Intuit.
    refresh_holder = models.CharField(max_length=64, blank=True)
    refresh_lease_until = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    refresh_count = models.PositiveIntegerField(default=0)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    connected_at = models.DateTimeField()
    disconnected_at = models.DateTimeField(null=True, blank=True)

    # Defaults the workflow actions need, as QuickBooks references (id and the name shown).
    income_account_id = models.CharField(max_length=40, blank=True)
    income_account_name = models.CharField(max_length=200, blank=True)
    deposit_account_id = models.CharField(max_length=40, blank=True)
    deposit_account_name = models.CharField(max_length=200, blank=True)
    fee_expense_account_id = models.CharField(max_length=40, blank=True)
    fee_expense_account_name = models.CharField(max_length=200, blank=True)
    fee_payment_account_id = models.CharField(max_length=40, blank=True)
    fee_payment_account_name = models.CharField(max_length=200, blank=True)
    fee_vendor_id = models.CharField(max_length=40, blank=True)
    fee_vendor_name = models.CharField(max_length=200, blank=True)
    refund_account_id = models.CharField(max_length=40, blank=True)
    refund_account_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["company_name", "id"]

    def __str__(self) -> str:
        return f"{self.company_name} ({self.realm_id})"

    @property
    def is_usable(self) -> bool:
        return self.status == ConnectionStatus.CONNECTED


class CompanyBudget(models.Model):
    """Intuit's limits for one company, kept for every process at once: a token bucket that
    never allows more than 500 requests in any minute, the calls in flight (`CallSlot`, at most
    10), and a pause after a 429 during which nothing is sent to that company."""

    realm_id = models.CharField(max_length=40, primary_key=True)
    tokens = models.FloatField()
    tokens_at = models.FloatField()  # Unix time the bucket was last filled
    paused_until = models.FloatField(default=0)
    throttled_count = models.PositiveIntegerField(default=0)


class CallSlot(models.Model):
    """A request to a company in flight. Leased, so a process killed mid-call frees its slot."""

    realm_id = models.CharField(max_length=40, db_index=True)
    holder = models.CharField(max_length=64, unique=True)
    lease_until = models.FloatField()


class ProductLink(models.Model):
    """A Faktura product and a QuickBooks item that product sync (QB-5) tied together. The values
    both had at the last sync are kept, so a later change on one side is copied and a change on
    both sides is a conflict shown to the user, never overwritten."""

    connection = models.ForeignKey(
        QuickBooksConnection, on_delete=models.CASCADE, related_name="product_links"
    )
    product = models.ForeignKey("sales.Product", on_delete=models.CASCADE, related_name="+")
    item_id = models.CharField(max_length=40)
    item_name = models.CharField(max_length=200)
    synced_values = models.JSONField(default=dict)
    linked_at = models.DateTimeField(auto_now_add=True)
    synced_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "product"], name="one_item_per_product"),
            models.UniqueConstraint(fields=["connection", "item_id"], name="one_product_per_item"),
        ]


class SyncStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ProductSyncRun(models.Model):
    """One run of product sync, readable in Settings → QuickBooks: what it did and the
    conflicts it left for a person to settle."""

    connection = models.ForeignKey(
        QuickBooksConnection, on_delete=models.CASCADE, related_name="product_syncs"
    )
    status = models.CharField(max_length=20, choices=SyncStatus.choices, default=SyncStatus.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    imported = models.PositiveIntegerField(default=0)
    pushed = models.PositiveIntegerField(default=0)
    linked = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    # [{"product_id", "item_id", "name", "field", "faktura", "quickbooks"}]
    conflicts = models.JSONField(default=list)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class DocumentKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    ESTIMATE = "estimate", _("Estimate")
    SALES_RECEIPT = "sales_receipt", _("Sales receipt")
    PAYMENT = "payment", _("Payment")
    EXPENSE = "expense", _("Expense")
    REFUND_RECEIPT = "refund_receipt", _("Refund receipt")


class QuickBooksDocument(models.Model):
    """One document Faktura created in QuickBooks for a deal, quote or payment (QB-1, QB-9…QB-11).
    `request_id` is the requestid the create carried: a second run of the same workflow step
    finds this row and makes no call (QB-13)."""

    connection = models.ForeignKey(
        QuickBooksConnection, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    entity = models.CharField(max_length=20)  # the QuickBooks entity: "Invoice", "Purchase", …
    qbo_id = models.CharField(max_length=40)
    doc_number = models.CharField(max_length=40, blank=True)
    total = models.DecimalField(max_digits=18, decimal_places=4)
    currency = models.CharField(max_length=3)
    object_type = models.CharField(max_length=20)  # "deal", "quote" or "payment"
    object_id = models.PositiveBigIntegerField()
    request_id = models.CharField(max_length=50)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="qb_document_record")]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "request_id"], name="one_document_per_request"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.doc_number or self.qbo_id}"
