"""The query endpoint hands the text to qbo_sandbox.query (another module) with the rows."""

import pytest

from qbo_sandbox.tests.conftest import fault_codes

pytest.importorskip("qbo_sandbox.query")


def test_a_query_by_get_and_by_post_text(api):
    api.create("Customer", {"DisplayName": "Amy\u2019s Twin"})
    by_get = api.get(
        "query", query="SELECT * FROM Customer WHERE DisplayName = 'Amy\\'s Bird Sanctuary'"
    )
    assert by_get.status_code == 200, by_get.text
    assert by_get.json()["QueryResponse"]["Customer"][0]["Id"] == "1"
    assert "time" in by_get.json()
    import requests

    by_post = requests.post(
        api.url("query"),
        data="SELECT COUNT(*) FROM Term",
        headers={**api.headers(), "Content-Type": "application/text"},
        timeout=5,
    )
    assert by_post.json()["QueryResponse"]["totalCount"] == 5


def test_a_bad_query_is_a_fault(api):
    answer = api.get("query", query="SELECT * FROM Custmoer")
    assert answer.status_code == 400
    assert fault_codes(answer)[0].startswith("400")
