"""Where "Open in QuickBooks" goes: Intuit's app (which opens the company the user is signed in
to, so a document has a page and a company has none), or another server's company page (the
sandbox, `QUICKBOOKS_APP_URL/companies/<realm>`)."""

from urllib.parse import urlsplit

from django.conf import settings

from faktura.quickbooks.models import QuickBooksConnection, QuickBooksDocument

# Intuit's app page of each entity.
APP_PAGES = {
    "Invoice": "invoice",
    "Estimate": "estimate",
    "SalesReceipt": "salesreceipt",
    "Payment": "recvpayment",
    "Purchase": "expense",
    "RefundReceipt": "refundreceipt",
}


def _base() -> tuple[str, bool]:
    """The app's address, and whether it is Intuit's."""
    base = settings.QUICKBOOKS_APP_URL.rstrip("/")
    host = urlsplit(base).hostname or ""
    return base, host == "intuit.com" or host.endswith(".intuit.com")


def company_url(connection: QuickBooksConnection) -> str:
    base, intuit = _base()
    return f"{base}/" if intuit else f"{base}/companies/{connection.realm_id}"


def document_url(document: QuickBooksDocument) -> str:
    base, intuit = _base()
    if intuit:
        return f"{base}/app/{APP_PAGES[document.entity]}?txnId={document.qbo_id}"
    return company_url(document.connection)
