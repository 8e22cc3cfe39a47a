"""The pages a CSP check walks: the main staff pages and the buyer page, made from the test
fixtures, as paths (shared by the HTML scan and the browser test)."""

from faktura.accounts.models import User
from faktura.core.actors import Actor
from faktura.crm.models import Contact
from faktura.invoices.models import Invoice
from faktura.workflows import services as workflows


def main_paths(admin_user: User, contact: Contact, draft: Invoice, finalized: Invoice) -> list[str]:
    workflow = workflows.create_workflow(
        actor=Actor.for_user(admin_user), name="Remind", object_type="invoice"
    )
    return [
        "/invoices/",
        "/contacts/",
        f"/invoices/{finalized.pk}/",
        f"/invoices/{draft.pk}/edit/",  # the line editor
        f"/contacts/{contact.pk}/",
        f"/workflows/{workflow.pk}/",
        "/settings/",
        "/settings/users/",
        "/account/profile/",
    ]


def buyer_path(finalized: Invoice) -> str:
    return f"/i/{finalized.public_token}/"
