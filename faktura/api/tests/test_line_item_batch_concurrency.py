"""Issue 13, item 2, with real threads on PostgreSQL: while a 499-line batch is written to one
invoice, another client's writes (a contact, an edit of another invoice) go through, and the
batch lands whole. On SQLite the bench measures how long those writes wait
(bench/line_items_batch.py, docs/PERFORMANCE.md)."""

import json
import time

import pytest
from django.db import connection
from django.test import Client

from faktura.api.tests.test_line_item_batches import lines_for
from faktura.crm.models import Contact
from tests.threads import at_once

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL: run bin/test, which starts one"
    ),
]


def test_other_writes_go_through_while_a_500_line_batch_is_written(token_for, make_invoice):
    token = token_for()
    target, other = make_invoice(), make_invoice()

    def post(path: str, body: dict) -> int:
        client = Client(headers={"Authorization": f"Bearer {token}"})
        return client.post(path, json.dumps(body), content_type="application/json").status_code

    def big_batch() -> int:
        inputs = lines_for(target, 499)
        return post("/crm/v3/objects/line_items/batch/create", {"inputs": inputs})

    def other_writes() -> list[int]:
        time.sleep(0.05)  # the batch is under way
        done = []
        for n in range(5):
            done.append(post("/crm/v3/objects/contacts", {"properties": {"email": f"c{n}@x.org"}}))
        client = Client(headers={"Authorization": f"Bearer {token}"})
        edit = client.patch(
            f"/crm/v3/objects/invoices/{other.pk}",
            json.dumps({"properties": {"hs_comments": "Edited meanwhile"}}),
            content_type="application/json",
        )
        return [*done, edit.status_code]

    batch_status, others = at_once(big_batch, other_writes)
    assert batch_status == 201
    assert others == [201] * 5 + [200]
    assert target.lines.count() == 500
    assert Contact.objects.count() >= 5
    other.refresh_from_db()
    assert other.comments == "Edited meanwhile"
