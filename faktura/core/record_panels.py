"""Cards that apps to the right in the layering add to every record page (workflows shows the
workflows a record is enrolled in): the record templates render whatever is registered here,
so crm, sales and invoices never import those apps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.http import HttpRequest

from faktura.core.registry import Registry


@dataclass(frozen=True)
class RecordPanel:
    name: str
    # The card's HTML for this record and signed-in user; "" to show nothing.
    render: Callable[[HttpRequest, models.Model], str]


record_panels: Registry[RecordPanel] = Registry("record panel")
