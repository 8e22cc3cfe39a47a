"""The bad-input sweep over every API operation, in process (tests/bad_input_sweep.py): no
control character, lone surrogate, object or list value, 50,000-character text, 2,000-item
list, 100,000-deep or 3 MB body gets a 5xx. `bin/fuzz-api` runs it for every object type and
path family."""

import json
import os
from typing import Any

import pytest
from django.test import Client

from faktura.api.hubspot import api as hubspot_api
from tests.bad_input_sweep import OBJECT_TYPES, sweep

pytestmark = pytest.mark.django_db


def test_no_operation_answers_bad_input_with_a_server_error_or_stores_it(
    token_for, contact, settings
):
    settings.FAKTURA_API_RATE_LIMIT = "off"  # hundreds of requests, each one answered
    client = Client(raise_request_exception=False)
    headers = {"Authorization": f"Bearer {token_for(name='sweep')}"}

    def send(method: str, path: str, body: bytes | None) -> tuple[int, str]:
        kwargs: dict[str, Any] = {"headers": headers}
        if body is not None:
            kwargs |= {"data": body, "content_type": "application/json"}
        response = getattr(client, method)(path, **kwargs)
        return int(response.status_code), response.get("Content-Type", "")

    schema = json.loads(json.dumps(hubspot_api.get_openapi_schema()))
    if os.environ.get("FAKTURA_SWEEP_EVERYTHING"):  # bin/fuzz-api
        findings = sweep(send, schema, object_types=OBJECT_TYPES)
    else:  # CI: the 2026-03 paths run the same code as the v3 ones
        findings = sweep(send, schema, object_types=("contacts",), skip=("/crm/objects/2026-03",))
    assert not findings, f"{len(findings)} findings:\n" + "\n".join(map(str, findings))
