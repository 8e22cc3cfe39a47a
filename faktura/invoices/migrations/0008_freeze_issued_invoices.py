"""DOC-1, DOC-2, DOC-3 for invoices issued before: the billed company is the oldest association,
the seller and buyer are frozen as they read now (the best record left of how they were
issued), and voided invoices owe nothing."""

import hashlib
from decimal import Decimal

from django.db import migrations


def freeze(apps, schema_editor):
    Invoice = apps.get_model("invoices", "Invoice")
    InvoiceContact = apps.get_model("invoices", "InvoiceContact")
    IssuedLogo = apps.get_model("invoices", "IssuedLogo")
    AccountSettings = apps.get_model("accounts", "AccountSettings")
    account = AccountSettings.objects.filter(pk=1).first()
    logo = None
    if account is not None and account.company_logo:
        content = bytes(account.company_logo)
        logo, _ = IssuedLogo.objects.get_or_create(
            digest=hashlib.sha256(content).hexdigest(),
            defaults={"content": content, "content_type": account.company_logo_type},
        )
    for invoice in Invoice.objects.all().iterator(chunk_size=500):
        frozen = {"billed_company": invoice.companies.order_by("id").first()}
        if invoice.status != "draft":
            link = (
                InvoiceContact.objects.filter(invoice=invoice)
                .select_related("contact")
                .order_by("position", "id")
                .first()
            )
            contact = link.contact if link else None
            company = frozen["billed_company"]
            person = " ".join(p for p in (contact.first_name, contact.last_name) if p) if contact else ""
            place = company or contact
            frozen |= {
                "seller_name": account.company_name if account else "My Company",
                "seller_address": account.company_address if account else "",
                "seller_logo": logo,
                "buyer_name": company.name if company else person,
                "buyer_contact_name": person if company else "",
                "buyer_email": contact.email if contact else "",
                "buyer_street": place.address if place else "",
                "buyer_zip": place.zip if place else "",
                "buyer_city": place.city if place else "",
                "buyer_country": place.country if place else "",
                "buyer_tax_id": company.tax_id if company else "",
            }
        if invoice.status == "voided":
            frozen["balance_due"] = Decimal(0)
        # An update, not save(): the invoices' last modified dates stay as they were.
        Invoice.objects.filter(pk=invoice.pk).update(**frozen)


class Migration(migrations.Migration):
    dependencies = [
        ("invoices", "0007_issued_document"),
        ("accounts", "0004_bank_account_and_link_base"),
    ]

    operations = [migrations.RunPython(freeze, migrations.RunPython.noop)]
