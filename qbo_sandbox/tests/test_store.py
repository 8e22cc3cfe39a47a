"""The sandbox's state lives in the --data file across restarts."""

from qbo_sandbox.companies import create_company
from qbo_sandbox.entities import Entities
from qbo_sandbox.server import Sandbox


def test_companies_and_entities_survive_a_restart(tmp_path):
    path = str(tmp_path / "sandbox.sqlite3")
    first = Sandbox(path)
    realm = create_company(first.store, "Kept Ltd")
    Entities(first.store).create(realm, "Customer", {"DisplayName": "Kept Customer"})
    first.store.db.close()

    again = Sandbox(path)
    assert again.store.companies() == [{"realm_id": realm, "name": "Kept Ltd"}]
    names = [row["DisplayName"] for row in again.entities.rows_of(realm, "customer")]
    assert names == ["Amy's Bird Sanctuary", "Kept Customer"]
