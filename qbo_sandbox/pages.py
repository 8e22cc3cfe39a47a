"""The sandbox's HTML pages: the OAuth consent page and the read-only company document lists."""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Any
from urllib.parse import quote

DOCUMENTS = ("Invoice", "Estimate", "SalesReceipt", "Payment", "Purchase", "RefundReceipt")
LISTS = ("Customer", "Vendor", "Item")
STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
    "table{border-collapse:collapse;width:100%;margin-bottom:1.5rem}"
    "td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left}"
    "label{display:block;margin:.4rem 0}button{margin-right:.5rem}"
)


def page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title><style>{STYLE}</style></head><body><h1>{escape(title)}</h1>{body}"
        "</body></html>"
    )


def consent(params: dict[str, str], client_id: str, companies: list[dict[str, str]]) -> str:
    """Lets the person pick the sandbox company an app connects to (or create one)."""
    hidden = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(params.get(k, ""))}">'
        for k in ("client_id", "redirect_uri", "state", "scope", "response_type")
    )
    choices = "".join(
        f'<label><input type="radio" name="realm_id" value="{escape(c["realm_id"])}"'
        f"{' checked' if i == 0 else ''}> {escape(c['name'])} "
        f"<small>(company id {escape(c['realm_id'])})</small></label>"
        for i, c in enumerate(companies)
    )
    checked = "" if companies else " checked"
    choices += (
        f'<label><input type="radio" name="realm_id" value="new"{checked}> '
        'A new sandbox company named <input name="company_name" '
        'value="Sandbox Company" aria-label="New company name"></label>'
    )
    return page(
        "Connect to QuickBooks (sandbox)",
        (
            f"<p>The app <strong>{escape(client_id)}</strong> asks to use your QuickBooks data "
            f"({escape(params.get('scope', ''))}). Pick the company it may use.</p>"
            f'<form method="post" action="/connect/oauth2">{hidden}'
            f"<fieldset><legend>Company</legend>{choices}</fieldset><p>"
            '<button type="submit" name="decision" value="connect">Connect</button>'
            '<button type="submit" name="decision" value="cancel">Cancel</button></p></form>'
        ),
    )


def refused(message: str) -> str:
    return page("The app cannot connect", f"<p>{escape(message)}</p>")


def companies_index(companies: list[dict[str, str]]) -> str:
    items = "".join(
        f'<li><a href="/companies/{quote(c["realm_id"])}">{escape(c["name"])}</a> '
        f"<small>(company id {escape(c['realm_id'])})</small></li>"
        for c in companies
    )
    return page(
        "QuickBooks sandbox companies",
        f"<ul>{items}</ul>" if items else "<p>No company yet: connect an app to create one.</p>",
    )


def _amount(value: Any) -> str:
    """QuickBooks' JSON numbers (5700.0) as a person reads money: 5,700.00."""
    return "" if value in (None, "") else f"{Decimal(str(value)):,.2f}"


def company_documents(name: str, rows: dict[str, list[dict[str, Any]]]) -> str:
    """Every document and list entry of one company, newest first, read-only."""
    parts = ['<p><a href="/">All companies</a></p>']
    for entity in DOCUMENTS:
        parts.append(f"<h2>{escape(entity)}</h2>")
        if not rows[entity]:
            parts.append("<p>None.</p>")
            continue
        parts.append(
            "<table><tr><th>Id</th><th>Number</th><th>Date</th><th>Customer / payee"
            "</th><th>Total</th><th>Balance</th><th>Note</th></tr>"
        )
        for row in reversed(rows[entity]):
            party = (row.get("CustomerRef") or row.get("EntityRef") or {}).get("name", "")
            cells = (
                row["Id"],
                row.get("DocNumber", ""),
                row.get("TxnDate", ""),
                party,
                _amount(row.get("TotalAmt")),
                _amount(row.get("Balance")),
                row.get("PrivateNote", ""),
            )
            parts.append("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in cells) + "</tr>")
        parts.append("</table>")
    for entity in LISTS:
        parts.append(f"<h2>{escape(entity)}</h2><ul>")
        for row in rows[entity]:
            label = row.get("DisplayName") or row.get("Name", "")
            parts.append(f"<li>{escape(str(label))} <small>(Id {escape(row['Id'])})</small></li>")
        parts.append("</ul>")
    return page(name, "".join(parts))
