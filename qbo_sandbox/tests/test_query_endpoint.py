"""The query endpoint hands the text to qbo_sandbox.query (another module) with the rows."""

import pytest
import requests

from qbo_sandbox.tests.conftest import fault_codes

pytest.importorskip("qbo_sandbox.query")


def test_a_query_by_get_and_by_post_text(api):
    api.create("Customer", {"DisplayName": "Amy's Twin"})
    by_get = api.get(
        "query", query="SELECT * FROM Customer WHERE DisplayName = 'Amy\\'s Bird Sanctuary'"
    )
    assert by_get.status_code == 200, by_get.text
    assert [c["Id"] for c in by_get.json()["QueryResponse"]["Customer"]] == ["1"]
    assert "time" in by_get.json()
    by_post = requests.post(
        api.url("query"),
        data="SELECT COUNT(*) FROM Term",
        headers={**api.headers(), "Content-Type": "application/text"},
        timeout=5,
    )
    assert by_post.json()["QueryResponse"]["totalCount"] == 5


def test_a_query_in_a_batch_answers_with_its_bid(api):
    answer = api.post(
        "batch",
        {"BatchItemRequest": [{"bId": "q1", "Query": "SELECT * FROM Term WHERE Name = 'Net 30'"}]},
    )
    item = answer.json()["BatchItemResponse"][0]
    assert item["bId"] == "q1"
    assert item["QueryResponse"]["Term"][0]["Id"] == "3"


def test_a_bad_query_is_a_fault(api):
    answer = api.get("query", query="SELECT * FROM Custmoer")
    assert answer.status_code == 400
    assert fault_codes(answer)[0].startswith("400")
