"""The statements python-quickbooks builds with its query helpers are answered."""

from quickbooks.objects.customer import Customer
from quickbooks.objects.invoice import Invoice
from quickbooks.objects.item import Item

from qbo_sandbox.query import answer

TABLES = {
    "Customer": [
        {"Id": "1", "DisplayName": "Amy's Bird Sanctuary", "Active": True},
        {"Id": "2", "DisplayName": "Bill's Windsurf Shop", "Active": True},
        {"Id": "3", "DisplayName": "Gone (deleted)", "Active": False},
    ],
    "Item": [{"Id": "1", "Name": "Services", "Sku": "SV-1", "Active": True}],
    "Invoice": [
        {"Id": "5", "TxnDate": "2026-01-01", "TotalAmt": 75},
        {"Id": "6", "TxnDate": "2026-03-01", "TotalAmt": 300},
        {"Id": "7", "TxnDate": "2026-02-01", "TotalAmt": 120},
    ],
}


class Sandbox:
    """Stands in for QuickBooks(): python-quickbooks sends its statement to qb.query()."""

    def __init__(self):
        self.statements = []

    def query(self, select):
        self.statements.append(select)
        return answer(select, lambda entity: TABLES.get(entity, []))


def test_filter_escapes_a_quote_the_way_the_parser_reads_it():
    qb = Sandbox()
    found = Customer.filter(DisplayName="Amy's Bird Sanctuary", qb=qb)
    assert [c.Id for c in found] == ["1"]
    assert "\\'" in qb.statements[0]


def test_all_count_choose_and_where_with_paging():
    qb = Sandbox()
    assert [i.Sku for i in Item.all(qb=qb)] == ["SV-1"]
    assert Customer.count(qb=qb) == 2
    assert [c.Id for c in Customer.choose(["2", "3"], qb=qb)] == ["2"]
    page = Invoice.where(
        "TotalAmt > '100'", order_by="TxnDate DESC", start_position=1, max_results=1, qb=qb
    )
    assert [i.Id for i in page] == ["6"]
    assert [i.Id for i in Invoice.all(order_by="TotalAmt", qb=qb)] == ["5", "7", "6"]
