"""PDF rendering with WeasyPrint (INV-19): HTML templates from `templates/invoices/pdf/` to
PDF/A-3b. The renderer fetches nothing but inline data: URLs (no network, no files), so text a
user typed (escaped by the template) can never make it reach anything."""

from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

STYLESHEET = Path(__file__).parent / "templates" / "invoices" / "pdf" / "document.css"


def _fetcher() -> URLFetcher:
    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False, timeout=1)


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    return pdf_from_html(render_to_string(template, context))


def pdf_from_html(html: str) -> bytes:
    fetcher = _fetcher()
    stylesheet = CSS(string=STYLESHEET.read_text(encoding="utf-8"), url_fetcher=fetcher)
    document = HTML(string=html, base_url=None, url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(stylesheets=[stylesheet], pdf_variant="pdf/a-3b")
    return pdf
