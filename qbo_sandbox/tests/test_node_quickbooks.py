"""node-quickbooks (npm), pointed at the sandbox by its URL constants only, works unchanged.

`tests/node/drive.js` runs node-quickbooks through every entity Faktura uses and prints one JSON
line per step; this test connects a company through the OAuth flow and checks each step.
"""

import json
import os
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from intuitlib.client import AuthClient

from qbo_sandbox.oauth import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from qbo_sandbox.server import SandboxServer

NODE_PROJECT = Path(__file__).parent / "node"
INSTALL = "npm ci --prefix qbo_sandbox/tests/node"


def drive(sandbox: SandboxServer, auth: AuthClient) -> dict[str, dict[str, Any]]:
    """Run drive.js against the sandbox; its steps by name."""
    pinned = json.loads((NODE_PROJECT / "package.json").read_text())["dependencies"]
    installed = NODE_PROJECT / "node_modules" / "node-quickbooks" / "package.json"
    if not installed.is_file():
        pytest.fail(f"node-quickbooks is not installed: run `{INSTALL}` (bin/test does).")
    version = json.loads(installed.read_text())["version"]
    if version != pinned["node-quickbooks"]:
        pytest.fail(
            f"node-quickbooks {version} is installed but package.json pins "
            f"{pinned['node-quickbooks']}: run `{INSTALL}`."
        )
    node = shutil.which("node")
    assert node, "Node 20 is needed for the node-quickbooks test (it is on every machine here)."
    env = {
        **os.environ,
        "QBO_ACCESS_TOKEN": auth.access_token,
        "QBO_REFRESH_TOKEN": auth.refresh_token,
        "QBO_CLIENT_ID": DEMO_CLIENT_ID,
        "QBO_CLIENT_SECRET": DEMO_CLIENT_SECRET,
    }
    run = subprocess.run(
        [node, "drive.js", sandbox.base_url, auth.realm_id],
        cwd=NODE_PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    steps = {}
    for line in run.stdout.splitlines():
        step = json.loads(line)
        assert step["ok"], f"node-quickbooks step {step['step']} failed: {step}"
        steps[step.pop("step")] = step
    assert run.returncode == 0, run.stderr
    return steps


def test_node_quickbooks_creates_and_queries_every_entity_faktura_uses(sandbox, auth):
    steps = drive(sandbox, auth)

    assert steps["refresh"] == {
        "ok": True,
        "new_access_token": True,
        "new_refresh_token": True,
        "expires_in": 3600,
    }
    customer = steps["customer"]
    assert (customer["sync_token"], customer["email"]) == ("0", "ada@example.com")
    retried = steps["request_id"]
    assert retried["again"] == retried["first"]
    assert steps["vendor"]["name"] == "Stripe"
    item = steps["item"]
    assert (item["sku"], item["income_account"]) == ("D-1", "1")

    invoice = steps["invoice"]
    assert (invoice["total"], invoice["balance"]) == (150, 150)
    assert invoice["doc_number"] == "1001"
    assert (
        invoice["due_date"] == (date.fromisoformat(invoice["txn_date"]) + timedelta(30)).isoformat()
    )
    assert invoice["item_name"] == "Design"
    # QBO does not copy the customer's email into BillEmail (the recorded invoice has none).
    assert invoice["bill_email"] is None
    assert (steps["estimate"]["total"], steps["estimate"]["status"]) == (150, "Pending")
    receipt = steps["sales_receipt"]
    assert (receipt["total"], receipt["deposit_to"]) == (150, "Undeposited Funds")
    payment = steps["payment"]
    assert (payment["unapplied"], payment["invoice_balance"]) == (0, 0)
    purchase = steps["purchase"]
    assert (purchase["total"], purchase["vendor"]) == (4.65, steps["vendor"]["id"])
    assert steps["refund_receipt"]["total"] == 150

    assert steps["find_customers"]["ids"] == [customer["id"]]
    quoted = steps["find_customers_quote"]
    assert quoted["ids"] == [quoted["expected"]]
    assert steps["find_customers_like"]["names"] == ["Ada Lovelace"]
    assert steps["find_items"]["by_sku"] == [item["id"]]
    assert "Design" in steps["find_items"]["all"]
    # Amy's Bird Sanctuary (the sample company's) plus the three created (one of them retried).
    assert steps["count_customers"]["count"] == 4

    assert steps["company"] == {
        "ok": True,
        "name": "Test Company",  # the name chosen on the consent page
        "custom_txn_numbers": False,
        "banks": ["Checking"],
        "net30": [30],
    }
    batch = steps["batch"]
    assert batch["queried"] == ["Ada Lovelace"]
    assert batch["created"] == "PayPal"
    assert batch["refused"] == ["6240"]  # "Stripe" is taken: each batch item answers on its own
    changed = steps["void_and_delete"]
    assert (changed["voided_total"], changed["voided_balance"]) == (0, 0)
    assert changed["deleted_status"] == "Deleted"

    assert steps["sparse_update"] == {
        "ok": True,
        "sync_token": "1",
        "company": "Analytical Engines",
    }
    stale = steps["stale_sync_token"]["fault"]
    assert stale["status"] == 400
    assert [error["code"] for error in stale["errors"]] == ["5010"]

    assert steps["revoke"]["token_cleared"] is True
    revoked = steps["after_revoke"]["fault"]
    assert (revoked["status"], revoked["type"]) == (401, "AUTHENTICATION")
    assert [error["code"] for error in revoked["errors"]] == ["3200"]
