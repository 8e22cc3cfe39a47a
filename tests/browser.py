"""How Faktura starts a browser, for the browser tests and the screenshot script.

Debian's chromium (bin/test installs it); Playwright's own browser download is unreachable here.
"""

import os

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    return os.environ.get("CHROMIUM", "/usr/bin/chromium")
