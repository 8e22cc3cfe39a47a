"""qbo_sandbox's query answers against real QBO sandbox traffic (vendor/qbo_api, quickbooks-ruby).

The recorded company is rebuilt from the rows the recorded query responses hold; every recorded
query is then answered over that whole company and must give QBO's own answer.
"""

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from qbo_sandbox.query import NAME_LISTS, QueryError, answer, parse
from qbo_sandbox.tests.cassettes import CASSETTES, interactions, query_statements

RECORDED = list(query_statements())
RUBY_FIXTURES = Path(__file__).resolve().parent.parent / "vendor" / "quickbooks-ruby" / "fixtures"


def recorded_company() -> dict[str, dict[str, dict[str, Any]]]:
    """Entity -> Id -> the newest recorded version of that row, in first-recorded order."""
    company: dict[str, dict[str, dict[str, Any]]] = {}
    for _interaction, _statement, body in RECORDED:
        for entity, rows in body.get("QueryResponse", {}).items():
            if not isinstance(rows, list):
                continue
            table = company.setdefault(entity, {})
            for row in rows:
                old = table.get(row["Id"])
                newest = old is None or (
                    row["MetaData"]["LastUpdatedTime"] >= old["MetaData"]["LastUpdatedTime"]
                )
                if newest:
                    table[row["Id"]] = row
    return company


COMPANY = recorded_company()


def rows_of(entity: str) -> list[dict[str, Any]]:
    rows = list(COMPANY.get(entity, {}).values())
    if entity in NAME_LISTS:
        # Stored by Id, backwards: the name order QBO answers with must come from answer().
        rows.sort(key=lambda row: int(row["Id"]), reverse=True)
    return rows


def test_the_cassettes_hold_queries_of_each_kind():
    statements = [statement.upper() for _i, statement, _b in RECORDED]
    assert len(statements) >= 20
    assert any("COUNT(*)" in s for s in statements)
    assert any("\\'" in s for s in statements)
    assert any("STARTPOSITION 6" in s for s in statements)
    assert any(" IN (" in s for s in statements)
    assert {"Customer", "Vendor", "Employee", "SalesReceipt"} <= set(COMPANY)


@pytest.mark.parametrize(
    ("statement", "body"),
    [(s, b) for _i, s, b in RECORDED if "Fault" not in b],
    ids=[f"{i.cassette}:{s}" for i, s, b in RECORDED if "Fault" not in b],
)
def test_a_recorded_query_gets_qbos_recorded_answer(statement, body):
    recorded = body["QueryResponse"]
    answered = answer(statement, rows_of)["QueryResponse"]

    assert set(answered) == set(recorded)
    for key, value in recorded.items():
        if isinstance(value, list):
            assert [row["Id"] for row in answered[key]] == [row["Id"] for row in value]
            assert all(row == COMPANY[key][row["Id"]] for row in answered[key])
        else:
            assert answered[key] == value
            assert type(answered[key]) is type(value)


@pytest.mark.parametrize(
    ("statement", "body"),
    [(s, b) for _i, s, b in RECORDED if "Fault" in b],
)
def test_a_recorded_refused_query_is_refused_with_qbos_fault(statement, body):
    recorded = body["Fault"]["Error"][0]

    with pytest.raises(QueryError) as refused:
        answer(statement, rows_of)

    assert refused.value.code == recorded["code"]
    assert refused.value.message == recorded["Message"]
    assert refused.value.detail == recorded["Detail"]
    assert refused.value.fault()["Fault"]["type"] == body["Fault"]["type"]


def test_every_recorded_query_request_parses_or_is_refused_as_recorded():
    query_requests = [i for i in interactions() if i.path.endswith("/query")]
    assert query_requests
    for interaction in query_requests:
        if interaction.status == 200:
            parse(interaction.query["query"])
        else:
            with pytest.raises(QueryError):
                parse(interaction.query["query"])


def test_start_position_zero_is_refused_as_quickbooks_ruby_recorded():
    namespace = {"q": "http://schema.intuit.com/finance/v3"}
    fixture = ET.parse(RUBY_FIXTURES / "query_validation_error.xml").getroot()
    error = fixture.find("q:Fault/q:Error", namespace)
    assert error is not None

    with pytest.raises(QueryError) as refused:
        answer("SELECT * FROM Item STARTPOSITION 0 MAXRESULTS 20", rows_of)

    assert refused.value.code == error.get("code")
    assert refused.value.message == error.findtext("q:Message", namespaces=namespace)
    assert refused.value.detail == error.findtext("q:Detail", namespaces=namespace)


def test_the_cassette_reader_gives_method_path_status_and_bodies():
    create = next(i for i in interactions("create/customer.yml"))

    assert (create.method, create.path, create.status) == ("POST", "/v3/customer", 200)
    assert create.request_json() == {"DisplayName": "Doe5, Jane"}
    assert create.response_json()["Customer"]["Id"] == "70"
    assert CASSETTES.joinpath("create", "customer.yml").is_file()
