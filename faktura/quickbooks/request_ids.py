"""The `requestid` every QuickBooks write carries (QB-13). QuickBooks answers a repeated id with
its first answer, so a write retried after a lost answer never makes a second record: ids are
derived from what the write does (`derived_request_id`), never random.

A validation fault is a first answer too: the sandbox repeats it, and Intuit may. Nothing was
created then, so once a write under an id was refused, its next try goes out as
"<id>-r<n>" (`current_request_id`); a fix the user made in between (an account chosen, a
name changed) then takes effect on Retry."""

from django.db import IntegrityError, transaction
from django.db.models import F

from faktura.quickbooks.models import RefusedRequest

REQUEST_ID_LENGTH = 50  # Intuit's maximum


def derived_request_id(request_id: str, suffix: str) -> str:
    """`request_id` with `suffix`, cut to Intuit's 50 characters from the left of the base."""
    tail = f"-{suffix}"
    return request_id[: REQUEST_ID_LENGTH - len(tail)] + tail


def current_request_id(realm_id: str, request_id: str) -> str:
    """The id to send for the write known as `request_id`: itself until it was refused."""
    refused = (
        RefusedRequest.objects.filter(realm_id=realm_id, request_id=request_id)
        .values_list("refusals", flat=True)
        .first()
    )
    return derived_request_id(request_id, f"r{refused}") if refused else request_id


def record_refusal(realm_id: str, request_id: str) -> None:
    """QuickBooks refused the write known as `request_id` with a validation fault."""
    updated = RefusedRequest.objects.filter(realm_id=realm_id, request_id=request_id).update(
        refusals=F("refusals") + 1
    )
    if not updated:
        try:
            with transaction.atomic():
                RefusedRequest.objects.create(realm_id=realm_id, request_id=request_id, refusals=1)
        except IntegrityError:  # another process counted it first
            record_refusal(realm_id, request_id)
