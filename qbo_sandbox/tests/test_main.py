"""`python -m qbo_sandbox` starts a server on 127.0.0.1 and prints where and the demo client."""

import subprocess
import sys
from pathlib import Path

import requests

from qbo_sandbox.oauth import DEMO_CLIENT_ID

ROOT = Path(__file__).resolve().parents[2]


def test_the_command_serves_the_discovery_document(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "qbo_sandbox", "--port", "0", "--data", str(tmp_path / "s.db")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(5)]
        base = lines[0].split(" on ")[1].strip()
        assert base.startswith("http://127.0.0.1:")
        assert DEMO_CLIENT_ID in lines[3]
        document = requests.get(f"{base}/.well-known/openid-configuration", timeout=5).json()
        assert document["token_endpoint"] == f"{base}/oauth2/v1/tokens/bearer"
    finally:
        process.terminate()
        process.wait(timeout=5)
