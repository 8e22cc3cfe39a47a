"""The address a request came from, for throttling sign-ins and the buyer page.

Without a reverse proxy it is the connection's own address (REMOTE_ADDR): headers a client
sends cannot change it. Behind proxies, `FAKTURA_TRUSTED_PROXIES` says how many of them append
to X-Forwarded-For; the address that many entries from the right is the one the outermost
trusted proxy saw. Entries further left are the client's to write and are never believed."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

# An IPv6 client usually holds a whole /64: counting per address would let it rotate freely.
IPV6_PREFIX = 64


def client_address(request: HttpRequest) -> str:
    """The client's IP address as text ("" when the request has none, as in some tests)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = int(getattr(settings, "FAKTURA_TRUSTED_PROXIES", 0) or 0)
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote  # not through the expected proxies: the connection is the client
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def client_network(request: HttpRequest) -> str:
    """What a rate limit counts: the address for IPv4, its /64 network for IPv6."""
    address = client_address(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/{IPV6_PREFIX}", strict=False))
    return str(ip)
