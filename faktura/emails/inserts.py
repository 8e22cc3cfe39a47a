"""What a composer's Insert menu offers: sources other apps register (the invoices app adds
"Invoice") so the emails app needs to know none of them."""

from dataclasses import dataclass

from faktura.core.registry import Registry


@dataclass(frozen=True)
class InsertSource:
    label: str
    url: str  # a picker that answers with options carrying `data-insert-text`


insert_sources: Registry[InsertSource] = Registry("insert source")
