"""`python -m stripe_sandbox --port N [--data PATH]`: run the sandbox until interrupted."""

from __future__ import annotations

import argparse

from stripe_sandbox.sandbox import DEMO_PUBLISHABLE_KEY, DEMO_SECRET_KEY, Sandbox
from stripe_sandbox.server import SandboxServer


def delays(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a list of seconds: {text!r}") from error
    if any(value < 0 for value in values):
        raise argparse.ArgumentTypeError("delays cannot be negative")
    return values


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m stripe_sandbox", description=__doc__)
    parser.add_argument("--port", type=int, default=12111, help="port on 127.0.0.1 (0: any free)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--data", default=":memory:", help="SQLite file keeping the sandbox's objects"
    )
    parser.add_argument(
        "--refund-delay",
        type=float,
        default=1.0,
        help="seconds before a pending refund succeeds or fails (default 1)",
    )
    parser.add_argument(
        "--retry-delays",
        type=delays,
        default=(60.0, 300.0, 1800.0, 7200.0),
        help="seconds between webhook delivery attempts, e.g. 0.5,1,2,4",
    )
    args = parser.parse_args(argv)
    sandbox = Sandbox(args.data, args.refund_delay, args.retry_delays)
    server = SandboxServer((args.host, args.port), sandbox)
    base = server.base_url
    print(f"Stripe sandbox on {base}", flush=True)
    print(f"  API base (STRIPE_API_BASE): {base}", flush=True)
    print(f"  demo secret key:            {DEMO_SECRET_KEY}", flush=True)
    print(f"  demo publishable key:       {DEMO_PUBLISHABLE_KEY}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
