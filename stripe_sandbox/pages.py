"""The hosted checkout page, its 3D Secure page and the pages for closed sessions: plain HTML with
labelled fields, no JavaScript."""

from __future__ import annotations

from html import escape
from typing import Any

from stripe_sandbox import money

STYLE = """
body { font-family: system-ui, sans-serif; margin: 0; background: #f6f9fc; color: #30313d; }
main { display: flex; flex-wrap: wrap; gap: 3rem; max-width: 960px; margin: 0 auto;
  padding: 3rem 1rem; }
section { flex: 1 1 360px; }
.back { color: #635bff; text-decoration: none; }
.total { font-size: 2.2rem; font-weight: 600; margin: .3rem 0 1.5rem; }
table { width: 100%; border-collapse: collapse; }
td { padding: .5rem 0; border-bottom: 1px solid #e6ebf1; }
td.amount { text-align: right; }
label { display: block; font-size: .9rem; margin: 1rem 0 .3rem; }
input { width: 100%; box-sizing: border-box; padding: .6rem; border: 1px solid #d5dbe1;
  border-radius: 6px; font-size: 1rem; }
.row { display: flex; gap: .8rem; } .row > div { flex: 1; }
button { margin-top: 1.5rem; width: 100%; padding: .8rem; border: 0; border-radius: 6px;
  background: #635bff; color: white; font-size: 1rem; font-weight: 600; cursor: pointer; }
button.secondary { background: #e6ebf1; color: #30313d; }
.error { color: #df1b41; margin-top: 1rem; }
.note { color: #6d6e78; font-size: .85rem; margin-top: 2rem; }
"""


def layout(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width'><title>{escape(title)}</title>"
        f"<style>{STYLE}</style></head><body><main>{body}</main></body></html>"
    )


def seller(session: dict[str, Any], name: str) -> str:
    back = session.get("cancel_url")
    link = f"<a class='back' href='{escape(back)}'>← Back</a>" if back else ""
    return f"<p>{link} <strong>{escape(name)}</strong> <small>TEST MODE</small></p>"


def summary(session: dict[str, Any]) -> str:
    currency = session["currency"]
    rows = "".join(
        f"<tr><td>{escape(item['description'])}"
        + (f" × {item['quantity']}" if item["quantity"] != 1 else "")
        + f"</td><td class='amount'>{money.display(item['amount_total'], currency)}</td></tr>"
        for item in session["_line_items"]
    )
    return (
        f"<p>Pay</p><p class='total' id='total'>"
        f"{money.display(session['amount_total'], currency)}</p><table>{rows}</table>"
    )


def checkout(
    session: dict[str, Any],
    seller_name: str,
    error: str = "",
    values: dict[str, str] | None = None,
) -> str:
    values = values or {}
    email = values.get("email") or session.get("_email") or ""

    def field(
        name: str, label: str, placeholder: str, autocomplete: str, kind: str = "text"
    ) -> str:
        value = escape(values.get(name, "") if name != "email" else email)
        return (
            f"<label for='{name}'>{label}</label><input id='{name}' name='{name}' type='{kind}' "
            f"placeholder='{placeholder}' autocomplete='{autocomplete}' value='{value}'>"
        )

    message = f"<p class='error' role='alert'>{escape(error)}</p>" if error else ""
    form = (
        f"<form method='post' action='/c/pay/{escape(session['id'])}'>"
        "<h2>Pay with card</h2>"
        + field("email", "Email", "you@example.com", "email", "email")
        + field("cardnumber", "Card number", "1234 1234 1234 1234", "cc-number")
        + "<div class='row'><div>"
        + field("expiry", "Expiration (MM / YY)", "MM / YY", "cc-exp")
        + "</div><div>"
        + field("cvc", "CVC", "CVC", "cc-csc")
        + "</div></div>"
        + field("name", "Cardholder name", "Full name on card", "cc-name")
        + f"<button type='submit'>Pay {money.display(session['amount_total'], session['currency'])}"
        + "</button>"
        + message
        + "<p class='note'>Test cards: 4242 4242 4242 4242 pays, 4000 0000 0000 0002 is "
        "declined, 4000 0025 0000 3184 asks for authentication.</p></form>"
    )
    body = (
        f"<section>{seller(session, seller_name)}{summary(session)}</section>"
        f"<section>{form}</section>"
    )
    return layout(f"Pay {seller_name}", body)


def authentication(session: dict[str, Any], seller_name: str) -> str:
    action = f"/c/pay/{escape(session['id'])}/authenticate"
    amount = money.display(session["amount_total"], session["currency"])
    body = (
        "<section><h1>Confirm your payment</h1>"
        f"<p>Your bank asks you to confirm the payment of {amount} to {escape(seller_name)}.</p>"
        "<p>This is a test 3D Secure page: choose what the bank answers.</p>"
        f"<form method='post' action='{action}'>"
        "<button type='submit' name='result' value='complete'>Complete</button>"
        "<button class='secondary' type='submit' name='result' value='fail'>Fail</button>"
        "</form></section>"
    )
    return layout("Confirm your payment", body)


def closed(message: str, session: dict[str, Any] | None = None, seller_name: str = "") -> str:
    head = seller(session, seller_name) if session else ""
    return layout("Checkout", f"<section>{head}<h1>{escape(message)}</h1></section>")
