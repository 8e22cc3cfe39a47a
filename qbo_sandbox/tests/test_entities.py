"""Server-computed fields, updates, delete/void and QBO's faults, over plain HTTP."""

from datetime import date, timedelta

import requests

from qbo_sandbox.tests.conftest import fault_codes

LINE = {
    "Amount": 100.0,
    "DetailType": "SalesItemLineDetail",
    "SalesItemLineDetail": {"ItemRef": {"value": "1"}},
}


def test_an_invoice_gets_its_total_balance_due_date_number_and_the_customers_address(api):
    invoice = api.create(
        "Invoice", {"CustomerRef": {"value": "1"}, "Line": [LINE, LINE], "TxnDate": "2026-06-01"}
    )
    assert invoice["TotalAmt"] == 200.0
    assert invoice["Balance"] == 200.0
    assert invoice["DueDate"] == "2026-07-01"  # the customer's Net 30
    assert invoice["DocNumber"] == "1001"
    assert invoice["BillAddr"]["City"] == "Bayshore"
    assert invoice["CustomerRef"] == {"value": "1", "name": "Amy's Bird Sanctuary"}
    assert [line["LineNum"] for line in invoice["Line"][:2]] == [1, 2]
    assert invoice["Line"][-1] == {
        "Amount": 200.0,
        "DetailType": "SubTotalLineDetail",
        "SubTotalLineDetail": {},
    }
    assert invoice["SyncToken"] == "0"
    assert invoice["MetaData"]["CreateTime"] == invoice["MetaData"]["LastUpdatedTime"]
    assert api.create("SalesReceipt", {"Line": [LINE]})["DocNumber"] == "1002"


def test_terms_on_the_invoice_win_and_custom_numbers_switch_auto_numbering_off(api):
    preferences = api.get("preferences").json()["Preferences"]
    assert preferences["SalesFormsPrefs"]["CustomTxnNumbers"] is False
    answer = api.post(
        "preferences",
        {
            "Id": "1",
            "SyncToken": preferences["SyncToken"],
            "sparse": True,
            "SalesFormsPrefs": {**preferences["SalesFormsPrefs"], "CustomTxnNumbers": True},
        },
    )
    assert answer.status_code == 200, answer.text
    invoice = api.create(
        "Invoice",
        {
            "CustomerRef": {"value": "1"},
            "Line": [LINE],
            "SalesTermRef": {"value": "2"},
            "TxnDate": "2026-06-01",
        },
    )
    assert invoice["DueDate"] == "2026-06-11"
    assert "DocNumber" not in invoice
    numbered = api.create(
        "Invoice", {"CustomerRef": {"value": "1"}, "Line": [LINE], "DocNumber": "FK-1"}
    )
    assert numbered["DocNumber"] == "FK-1"
    again = api.post(
        "invoice", {"CustomerRef": {"value": "1"}, "Line": [LINE], "DocNumber": "FK-1"}
    )
    assert fault_codes(again) == ["6140"]


def test_a_payment_lowers_the_invoice_balance_and_links_both_ways(api):
    invoice = api.create("Invoice", {"CustomerRef": {"value": "1"}, "Line": [LINE]})
    payment = api.create(
        "Payment",
        {
            "CustomerRef": {"value": "1"},
            "TotalAmt": 60,
            "Line": [{"Amount": 60, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}],
        },
    )
    read = api.get(f"invoice/{invoice['Id']}").json()["Invoice"]
    assert read["Balance"] == 40.0
    assert read["LinkedTxn"] == [{"TxnId": payment["Id"], "TxnType": "Payment"}]
    voided = api.post(
        "payment",
        {"Id": payment["Id"], "SyncToken": "0", "sparse": True},
        operation="update",
        include="void",
    )
    assert voided.json()["Payment"]["TotalAmt"] == 0
    assert api.get(f"invoice/{invoice['Id']}").json()["Invoice"]["Balance"] == 100.0


def test_full_update_replaces_lines_and_sparse_update_merges(api):
    invoice = api.create("Invoice", {"CustomerRef": {"value": "1"}, "Line": [LINE]})
    full = api.post(
        "invoice",
        {
            "Id": invoice["Id"],
            "SyncToken": "0",
            "CustomerRef": {"value": "1"},
            "Line": [{**LINE, "Amount": 75.0}],
        },
    ).json()["Invoice"]
    assert full["SyncToken"] == "1"
    assert full["Line"][0]["Id"] == "2"  # a line sent without Id is a new line
    assert full["TotalAmt"] == 75.0
    sparse = api.post(
        "invoice",
        {"Id": invoice["Id"], "SyncToken": "1", "sparse": True, "PrivateNote": "Faktura 7"},
    ).json()["Invoice"]
    assert (sparse["SyncToken"], sparse["TotalAmt"], sparse["PrivateNote"]) == (
        "2",
        75.0,
        "Faktura 7",
    )
    unchanged = api.post(
        "invoice",
        {"Id": invoice["Id"], "SyncToken": "2", "sparse": True, "PrivateNote": "Faktura 7"},
    ).json()["Invoice"]
    assert unchanged["SyncToken"] == "2"
    stale = api.post(
        "invoice", {"Id": invoice["Id"], "SyncToken": "1", "sparse": True, "PrivateNote": "late"}
    )
    assert stale.status_code == 400
    assert stale.json()["Fault"]["type"] == "ValidationFault"
    assert fault_codes(stale) == ["5010"]


def test_delete_and_void_as_qbo_allows(api):
    invoice = api.create("Invoice", {"CustomerRef": {"value": "1"}, "Line": [LINE]})
    voided = api.post("invoice", {"Id": invoice["Id"], "SyncToken": "0"}, operation="void")
    body = voided.json()["Invoice"]
    assert (body["TotalAmt"], body["Balance"], body["PrivateNote"], body["SyncToken"]) == (
        0,
        0,
        "Voided",
        "1",
    )
    deleted = api.post("invoice", {"Id": invoice["Id"], "SyncToken": "1"}, operation="delete")
    assert deleted.json()["Invoice"] == {"domain": "QBO", "status": "Deleted", "Id": invoice["Id"]}
    assert fault_codes(api.get(f"invoice/{invoice['Id']}")) == ["610"]
    customer = api.post("customer", {"Id": "1", "SyncToken": "0"}, operation="delete")
    assert fault_codes(customer) == ["500"]
    deactivated = api.post(
        "customer", {"Id": "1", "SyncToken": "0", "sparse": True, "Active": False}
    ).json()["Customer"]
    assert deactivated["DisplayName"] == "Amy's Bird Sanctuary (deleted)"


def test_python_quickbooks_empty_strings_and_numeric_sync_token_are_read_as_qbo_does(api):
    customer = api.create(
        "Customer",
        {
            "DisplayName": "Doe5, Jane",
            "SyncToken": 0,
            "CompanyName": "",
            "Notes": "",
            "Active": True,
        },
    )
    assert customer["SyncToken"] == "0"
    assert "CompanyName" not in customer
    assert customer["PrintOnCheckName"] == "Doe5, Jane"
    assert (customer["Taxable"], customer["Balance"], customer["PreferredDeliveryMethod"]) == (
        True,
        0,
        "Print",
    )


def test_required_fields_ids_and_references_are_checked(api):
    assert fault_codes(api.post("invoice", {"Line": [LINE]})) == ["2020"]
    assert fault_codes(api.post("customer", {"Notes": "no name"})) == ["2020"]
    assert fault_codes(api.post("purchase", {"AccountRef": {"value": "35"}, "Line": [LINE]})) == [
        "2020"
    ]
    assert fault_codes(api.get("invoice/1.5")) == ["2030"]
    assert fault_codes(api.post("invoice", {"CustomerRef": {"value": "404"}, "Line": [LINE]})) == [
        "2500"
    ]
    card = api.post(
        "purchase",
        {
            "PaymentType": "CreditCard",
            "AccountRef": {"value": "35"},
            "Line": [
                {
                    "Amount": 1,
                    "DetailType": "AccountBasedExpenseLineDetail",
                    "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "7"}},
                }
            ],
        },
    )
    assert fault_codes(card) == ["6000"]
    mismatch = api.post(
        "invoice",
        {
            "CustomerRef": {"value": "1"},
            "Line": [
                {
                    **LINE,
                    "SalesItemLineDetail": {"ItemRef": {"value": "1"}, "Qty": 2, "UnitPrice": 30},
                }
            ],
        },
    )
    assert fault_codes(mismatch) == ["6070"]
    assert fault_codes(api.post("widget", {})) == ["500"]


def test_company_info_preferences_and_the_sample_company_basics(api):
    info = api.get(f"companyinfo/{api.realm}").json()["CompanyInfo"]
    assert info["CompanyName"] == "Test Company"
    assert api.get("account/4").json()["Account"]["Name"] == "Undeposited Funds"
    assert api.get("term/3").json()["Term"]["Name"] == "Net 30"
    assert api.get("paymentmethod/7").json()["PaymentMethod"]["Name"] == "Visa"
    assert api.get("taxcode/2").json()["TaxCode"]["Taxable"] is True
    types = {api.get(f"account/{i}").json()["Account"]["AccountType"] for i in (1, 7, 35, 41)}
    assert types == {"Income", "Expense", "Bank", "Credit Card"}


def test_the_same_requestid_answers_the_first_create_again(api):
    body = {"DisplayName": "Once Only"}
    first = api.post("customer", body, requestid="run-771-a1")
    second = api.post("customer", body, requestid="run-771-a1")
    assert first.json()["Customer"] == second.json()["Customer"]
    other = api.post("customer", {"DisplayName": "Twice"}, requestid="run-771-a2")
    assert int(other.json()["Customer"]["Id"]) == int(first.json()["Customer"]["Id"]) + 1


def test_a_batch_answers_each_item_and_holds_at_most_30(api):
    invoice = api.create("Invoice", {"CustomerRef": {"value": "1"}, "Line": [LINE]})
    answer = api.post(
        "batch",
        {
            "BatchItemRequest": [
                {"bId": "bid1", "operation": "create", "Vendor": {"DisplayName": "Boraski"}},
                {"bId": "bid2", "operation": "delete", "Invoice": {"Id": "129", "SyncToken": "0"}},
                {
                    "bId": "bid3",
                    "operation": "update",
                    "Invoice": {"Id": invoice["Id"], "SyncToken": "9", "sparse": True},
                },
            ]
        },
    )
    assert answer.status_code == 200
    items = answer.json()["BatchItemResponse"]
    assert items[0]["Vendor"]["DisplayName"] == "Boraski"
    assert [items[1]["bId"], items[1]["Fault"]["Error"][0]["code"]] == ["bid2", "610"]
    assert [items[2]["bId"], items[2]["Fault"]["Error"][0]["code"]] == ["bid3", "5010"]
    many = [
        {"bId": f"b{i}", "operation": "create", "Vendor": {"DisplayName": f"V{i}"}}
        for i in range(31)
    ]
    assert api.post("batch", {"BatchItemRequest": many}).status_code == 400


def test_a_token_works_only_for_its_company(sandbox, api):
    other = api.control("companies", {"name": "Other"})["realmId"]
    answer = requests.get(
        f"{sandbox.base_url}/v3/company/{other}/customer/1", headers=api.headers(), timeout=5
    )
    assert answer.status_code == 403
    missing = requests.get(api.url("customer/1"), timeout=5)
    assert missing.status_code == 401
    assert missing.json()["fault"]["error"][0]["code"] == "3200"


def test_txn_date_defaults_to_the_company_today(api):
    receipt = api.create("SalesReceipt", {"Line": [LINE]})
    today = date.fromisoformat(receipt["TxnDate"])
    assert abs(today - date.today()) <= timedelta(days=1)
    assert receipt["Balance"] == 0


def test_a_body_that_is_not_json_is_refused_with_a_fault(api):
    answer = requests.post(
        api.url("customer"),
        data=b"{not json",
        headers={**api.headers(), "Content-Type": "application/json"},
        timeout=5,
    )
    assert answer.status_code == 400
    assert fault_codes(answer) == ["500"]
    xml_only = requests.get(
        api.url("customer/1"), headers={**api.headers(), "Accept": "application/xml"}, timeout=5
    )
    assert fault_codes(xml_only) == ["500"]


def test_the_customer_balance_is_what_its_invoices_leave_open(api):
    customer = api.create("Customer", {"DisplayName": "Balance Co"})
    ref = {"value": customer["Id"]}
    first = api.create("Invoice", {"CustomerRef": ref, "Line": [LINE]})
    api.create("Invoice", {"CustomerRef": ref, "Line": [LINE]})
    api.create(
        "Payment",
        {
            "CustomerRef": ref,
            "TotalAmt": 30,
            "Line": [{"Amount": 30, "LinkedTxn": [{"TxnId": first["Id"], "TxnType": "Invoice"}]}],
        },
    )
    assert api.get(f"customer/{customer['Id']}").json()["Customer"]["Balance"] == 170.0
    api.post("invoice", {"Id": first["Id"], "SyncToken": "0"}, operation="void")
    assert api.get(f"customer/{customer['Id']}").json()["Customer"]["Balance"] == 100.0


def test_a_date_driven_term_is_due_on_its_day_of_the_month(api):
    term = api.create("Term", {"Name": "15th", "DayOfMonthDue": 15, "DueNextMonthDays": 5})
    assert term["Type"] == "DATE_DRIVEN"
    ref = {"value": term["Id"]}
    early = api.create(
        "Invoice",
        {
            "CustomerRef": {"value": "1"},
            "Line": [LINE],
            "SalesTermRef": ref,
            "TxnDate": "2026-06-01",
        },
    )
    late = api.create(
        "Invoice",
        {
            "CustomerRef": {"value": "1"},
            "Line": [LINE],
            "SalesTermRef": ref,
            "TxnDate": "2026-06-12",
        },
    )
    assert (early["DueDate"], late["DueDate"]) == ("2026-06-15", "2026-07-15")
    assert fault_codes(api.post("term", {"Name": "Net 30", "DueDays": 30})) == ["6240"]
