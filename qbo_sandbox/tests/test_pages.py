"""The read-only pages a demo user sees: every company and each company's documents."""

import requests

LINE = {
    "Amount": 5700.0,
    "DetailType": "SalesItemLineDetail",
    "SalesItemLineDetail": {"ItemRef": {"value": "1"}},
}


def test_the_company_page_lists_what_an_app_created(sandbox, api):
    customer = api.create("Customer", {"DisplayName": "<b>Bold</b> & Co"})
    invoice = api.create("Invoice", {"CustomerRef": {"value": customer["Id"]}, "Line": [LINE]})
    index = requests.get(f"{sandbox.base_url}/", timeout=5).text
    assert f'/companies/{api.realm}"' in index
    page = requests.get(f"{sandbox.base_url}/companies/{api.realm}", timeout=5)
    assert page.status_code == 200
    assert invoice["DocNumber"] in page.text
    assert "<td>5,700.00</td>" in page.text  # money as a person reads it, not 5700.0
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in page.text
    assert "<b>Bold</b>" not in page.text
    assert requests.get(f"{sandbox.base_url}/companies/1", timeout=5).status_code == 404


def test_the_favicon_browsers_ask_for_is_no_error(sandbox) -> None:
    answer = requests.get(f"{sandbox.base_url}/favicon.ico", timeout=5)
    assert answer.status_code == 204
