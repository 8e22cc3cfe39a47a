"""`python -m qbo_sandbox --port N [--data PATH]`: run the sandbox until interrupted."""

from __future__ import annotations

import argparse

from qbo_sandbox.oauth import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from qbo_sandbox.server import Sandbox, SandboxServer


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m qbo_sandbox", description=__doc__)
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0: any free)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--data",
        default=":memory:",
        help="SQLite file holding the sandbox's state (default: in memory)",
    )
    parser.add_argument(
        "--grace",
        type=float,
        default=120.0,
        help="seconds an exchanged refresh token keeps working",
    )
    args = parser.parse_args(argv)
    server = SandboxServer((args.host, args.port), Sandbox(args.data, args.grace))
    base = server.base_url
    print(f"QuickBooks sandbox on {base}", flush=True)
    print(f"  discovery document: {base}/.well-known/openid-configuration", flush=True)
    print(f"  API base URL:       {base}/v3", flush=True)
    print(f"  demo client_id:     {DEMO_CLIENT_ID}", flush=True)
    print(f"  demo client_secret: {DEMO_CLIENT_SECRET}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
