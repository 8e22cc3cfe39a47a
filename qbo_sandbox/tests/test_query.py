"""The QBO query language, clause by clause."""

from decimal import Decimal

import pytest

from qbo_sandbox.query import QueryError, answer, parse


def customer(id_: str, name: str, **fields):
    return {"Id": id_, "SyncToken": "0", "domain": "QBO", "DisplayName": name,
            "FullyQualifiedName": name, "Active": True, **fields}  # fmt: skip


CUSTOMERS = [
    customer("1", "Amy's Bird Sanctuary", GivenName="Amy",
             PrimaryEmailAddr={"Address": "Birds@Intuit.com"},
             MetaData={"CreateTime": "2015-10-01T16:48:43-07:00",
                       "LastUpdatedTime": "2020-09-29T06:02:35-07:00"}),
    customer("2", "Bill's Windsurf Shop", GivenName="Bill", Balance=85.0,
             MetaData={"CreateTime": "2015-10-01T16:49:28-07:00",
                       "LastUpdatedTime": "2015-10-08T12:56:01-07:00"}),
    customer("3", "Cool Cars", GivenName="Grace", Balance=0,
             MetaData={"CreateTime": "2015-10-01T16:51:22-07:00",
                       "LastUpdatedTime": "2015-10-09T12:59:21-07:00"}),
    customer("4", "Old Customer (deleted)", Active=False),
]  # fmt: skip
INVOICES = [
    {"Id": "10", "TxnDate": "2026-01-05", "TotalAmt": 100.0, "CustomerRef": {"value": "2"}},
    {"Id": "9", "TxnDate": "2026-02-01", "TotalAmt": 250.5, "CustomerRef": {"value": "1"}},
    {"Id": "11", "TxnDate": "2025-12-24", "TotalAmt": 20, "CustomerRef": {"value": "2"}},
]
TABLES = {"Customer": CUSTOMERS, "Invoice": INVOICES}


def rows_of(entity):
    return TABLES.get(entity, [])


def ids(statement):
    response = answer(statement, rows_of)["QueryResponse"]
    found = [rows for key, rows in response.items() if isinstance(rows, list)]
    return [row["Id"] for row in found[0]] if found else []


def refused(statement):
    with pytest.raises(QueryError) as error:
        answer(statement, rows_of)
    return error.value


def test_an_escaped_quote_is_part_of_the_value():
    assert ids("SELECT * FROM Customer WHERE DisplayName = 'Amy\\'s Bird Sanctuary'") == ["1"]


def test_keywords_and_entity_names_are_case_insensitive():
    assert ids("select * from customer where displayname = 'cool cars'") == ["3"]


def test_like_matches_percent_wildcards_only():
    assert ids("SELECT * FROM Customer WHERE DisplayName LIKE '%s%'") == ["1", "2", "3"]
    assert ids("SELECT * FROM Customer WHERE DisplayName LIKE 'B%'") == ["2"]
    assert ids("SELECT * FROM Customer WHERE DisplayName LIKE 'Cool_Cars'") == []


def test_in_matches_any_listed_value():
    assert ids("SELECT * FROM Customer WHERE Id IN ('3', '1', '99')") == ["1", "3"]


def test_inactive_rows_are_hidden_unless_the_query_mentions_active():
    assert "4" not in ids("SELECT * FROM Customer")
    assert ids("SELECT * FROM Customer WHERE Active = false") == ["4"]
    assert "4" in ids("SELECT * FROM Customer WHERE Active IN (true, false)")


def test_a_ref_compares_by_its_value_and_an_email_by_its_address():
    assert ids("SELECT * FROM Invoice WHERE CustomerRef = '2'") == ["10", "11"]
    assert ids("SELECT * FROM Customer WHERE PrimaryEmailAddr = 'birds@intuit.com'") == ["1"]


def test_numbers_dates_and_times_compare_by_value_not_text():
    assert ids("SELECT * FROM Invoice WHERE TotalAmt > '99.5'") == ["10", "9"]
    assert ids("SELECT * FROM Invoice WHERE TotalAmt >= 250.5") == ["9"]
    assert ids("SELECT * FROM Invoice WHERE TxnDate < '2026-01-05'") == ["11"]
    assert ids("SELECT * FROM Invoice WHERE Id > '9'") == ["10", "11"]
    # 2015-10-09T12:59:21-07:00 is 19:59:21 UTC.
    after = "SELECT * FROM Customer WHERE MetaData.LastUpdatedTime > '2015-10-09T19:59:00Z'"
    assert ids(after) == ["1", "3"]


def test_conditions_are_joined_with_and():
    statement = "SELECT * FROM Invoice WHERE CustomerRef = '2' AND TxnDate >= '2026-01-01'"
    assert ids(statement) == ["10"]


def test_orderby_sorts_each_key_and_desc_reverses():
    assert ids("SELECT * FROM Invoice ORDERBY TotalAmt DESC") == ["9", "10", "11"]
    assert ids("SELECT * FROM Invoice ORDER BY CustomerRef, TxnDate ASC") == ["9", "11", "10"]
    assert ids("SELECT * FROM Invoice ORDERBY Id") == ["9", "10", "11"]


def test_transactions_keep_stored_order_and_name_lists_come_by_name():
    assert ids("SELECT * FROM Invoice") == ["10", "9", "11"]
    assert ids("SELECT * FROM Customer WHERE Id IN ('3', '2', '1')") == ["1", "2", "3"]


def test_paging_is_one_based_and_reports_what_it_returned():
    page = answer("SELECT * FROM Customer STARTPOSITION 2 MAXRESULTS 1", rows_of)
    assert page["QueryResponse"]["startPosition"] == 2
    assert page["QueryResponse"]["maxResults"] == 1
    assert [row["Id"] for row in page["QueryResponse"]["Customer"]] == ["2"]
    assert answer("SELECT * FROM Customer STARTPOSITION 4", rows_of) == {"QueryResponse": {}}


def test_max_results_defaults_to_100_and_is_capped_at_1000():
    many = {"Item": [{"Id": str(n), "Name": f"Item {n:04}"} for n in range(1, 1202)]}

    def items(entity):
        return many.get(entity, [])

    assert answer("SELECT * FROM Item", items)["QueryResponse"]["maxResults"] == 100
    capped = answer("SELECT * FROM Item MAXRESULTS 5000", items)["QueryResponse"]
    assert capped["maxResults"] == 1000
    assert parse("SELECT * FROM Item MAXRESULTS 1000").max_results == 1000


def test_count_answers_total_count_and_ignores_paging():
    assert answer("SELECT COUNT(*) FROM Customer MAXRESULTS 1", rows_of) == {
        "QueryResponse": {"totalCount": 3}
    }
    assert answer("select count(*) from Vendor", rows_of) == {"QueryResponse": {"totalCount": 0}}


def test_an_empty_result_is_an_empty_query_response():
    assert answer("SELECT * FROM Customer WHERE DisplayName = 'Nobody'", rows_of) == {
        "QueryResponse": {}
    }


def test_selected_fields_come_with_id_and_domain_marked_sparse():
    response = answer(
        "SELECT DisplayName, MetaData.CreateTime FROM Customer WHERE Id = '3'", rows_of
    )
    assert response["QueryResponse"]["Customer"] == [
        {"sparse": True, "domain": "QBO", "Id": "3", "DisplayName": "Cool Cars",
         "MetaData": {"CreateTime": "2015-10-01T16:51:22-07:00"}}
    ]  # fmt: skip
    everything = answer("SELECT *, Sku FROM Customer WHERE Id = '3'", rows_of)
    assert everything["QueryResponse"]["Customer"] == [CUSTOMERS[2]]


def test_or_is_refused_as_an_invalid_query():
    error = refused("SELECT * FROM Customer WHERE Id = '1' OR Id = '2'")
    assert (error.code, error.message) == ("4001", "Invalid query")
    assert error.detail == "QueryValidationError: OR operation is not supported"


def test_an_unknown_entity_is_an_invalid_context_declaration():
    error = refused("SELECT * FROM Custmoer")
    assert error.code == "4001"
    assert error.detail == "QueryValidationError: invalid context declaration: Custmoer"


def test_a_syntax_error_names_the_token_and_its_column():
    # The unescaped quote of node-quickbooks issue #56: QBO's own detail, column for column.
    error = refused("select * from Vendor where DisplayName = 'Cutlery 'R Us'")
    assert (error.code, error.message) == ("4000", "Error parsing query")
    assert error.detail.startswith(
        'QueryParserError: Encountered " <IDENTIFIER> "R "" at line 1, column 52.\n'
        "Was expecting one of:\n    <EOF> \n    <AND> ...\n"
    )


def test_an_unsupported_character_is_a_lexical_error_at_its_column():
    error = refused("SELECT * FROM Customer WHERE Id != '1'")
    assert error.code == "4000"
    assert error.detail == (
        "QueryParserError: Invalid content. Lexical error at line 1, column 33.  "
        'Encountered: "!" (33), after : ""'
    )


@pytest.mark.parametrize(
    ("statement", "detail"),
    [
        ("", "QueryParserError: The query provided was empty"),
        ("SELECT * FROM Customer WHERE DisplayName = 'open", "Lexical error at line 1, column 49"),
        ("SELECT FROM Customer", 'Encountered " "from" "FROM "" at line 1, column 8.'),
        ("SELECT * FROM Customer WHERE", 'Encountered "<EOF>" at line 1, column 29.'),
        ("SELECT * FROM Customer MAXRESULTS 5 MAXRESULTS 6", "at line 1, column 37."),
    ],
)
def test_malformed_statements_are_parse_errors(statement, detail):
    error = refused(statement)
    assert error.code == "4000"
    assert detail in error.detail


def test_start_position_below_one_is_refused():
    error = refused("SELECT * FROM Customer STARTPOSITION 0")
    assert error.code == "4001"
    assert error.detail == "QueryValidationError: value 0 is too small. Min allowed value is 1"


def test_the_fault_body_is_qbos_envelope():
    assert refused("SELECT * FROM Nothing").fault() == {
        "Fault": {
            "Error": [
                {
                    "Message": "Invalid query",
                    "Detail": "QueryValidationError: invalid context declaration: Nothing",
                    "code": "4001",
                }
            ],
            "type": "ValidationFault",
        }
    }


def test_parse_reads_every_clause():
    query = parse(
        "SELECT Id, DisplayName FROM customer WHERE Balance > 10 AND Active IN (true, false) "
        "ORDERBY DisplayName DESC, Id STARTPOSITION 3 MAXRESULTS 7"
    )
    assert query.entity == "Customer"
    assert query.fields == ["Id", "DisplayName"]
    assert [(c.path, c.op, c.values) for c in query.conditions] == [
        ("Balance", ">", (Decimal(10),)),
        ("Active", "in", (True, False)),
    ]
    assert query.order == [("DisplayName", True), ("Id", False)]
    assert (query.start_position, query.max_results) == (3, 7)
