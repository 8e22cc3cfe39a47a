"""Outbound connections to addresses that users type (S8, server-side request forgery): which
addresses are public, looking a host name up once with every address it has checked, and
HTTP(S) connections that go to the checked address itself.

A URL a user gives must not reach this server (loopback), the networks it sits in, the cloud's
metadata service (169.254.169.254) or anything else that is not on the public internet, unless
the operator allows such a network on purpose. Checking a name and then letting the HTTP client
look it up again would let a DNS server answer a public address to the check and a private one
to the connection (DNS rebinding), so the connection goes to the address that was checked,
while the Host header, TLS SNI and the certificate check keep using the host name.
"""

from __future__ import annotations

import errno
import http.client
import ipaddress
import socket
import ssl
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_PRIVATE = tuple(
    ipaddress.ip_network(cidr)
    for cidr in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT (RFC 6598)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # the last 32 bits are the IPv4 address reached
# Python 3.12 calls these global; they are deprecated and reach IPv4 or nothing.
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
_METADATA = (ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254"))


@dataclass(frozen=True)
class NotPublic:
    """An address a user's URL must not reach, and what it is in words."""

    address: IPAddress
    words: str  # "a private network address"
    # Inside someone's network (this server, a LAN, the cloud's) rather than reserved/multicast.
    private: bool

    @property
    def shown(self) -> str:
        """The address as people write it (Python 3.12 shows ::ffff:127.0.0.1 as ::ffff:7f00:1)."""
        if isinstance(self.address, ipaddress.IPv6Address) and self.address.ipv4_mapped:
            return f"::ffff:{self.address.ipv4_mapped}"
        return str(self.address)


class AddressRefused(Exception):
    def __init__(self, found: NotPublic) -> None:
        super().__init__(f"{found.address} is {found.words}")
        self.found = found


@dataclass(frozen=True)
class Resolved:
    """One checked address of a host, ready to connect to."""

    family: socket.AddressFamily
    sockaddr: tuple[Any, ...]
    address: IPAddress


def networks(values: Iterable[str], setting: str) -> list[Network]:
    """CIDRs such as 10.0.0.0/8 or fd00::/8 as networks; ValueError naming the bad one."""
    found = []
    for value in values:
        try:
            found.append(ipaddress.ip_network(value.strip()))
        except ValueError as error:
            raise ValueError(
                f"{setting}: “{value}” is not a network ({error}). Write networks as CIDRs "
                "separated by commas, such as 127.0.0.0/8,10.0.0.0/8,fd00::/8."
            ) from None
    return found


def _inside(address: IPAddress, among: Iterable[Network]) -> bool:
    # `in` does not compare versions: 0.0.0.1 would be "in" ::/96.
    return any(address.version == net.version and address in net for net in among)


def _embedded_ipv4(address: IPAddress) -> tuple[ipaddress.IPv4Address, str] | None:
    """The IPv4 address an IPv6 one reaches, and how it is written; None if none."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped, "written as IPv6"
        if address in _NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF), "through NAT64"
    return None


def not_public(address: IPAddress) -> NotPublic | None:
    """What the address is when it is not on the public internet; None when it is."""
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        inner, how = embedded
        found = not_public(inner)
        if found is None:
            return None
        return NotPublic(address, f"{found.words} ({inner} {how})", found.private)
    if address.is_unspecified:
        return NotPublic(address, "the unspecified address, which reaches this server", True)
    if address.is_loopback:
        return NotPublic(address, "a loopback address, which reaches this server", True)
    if address in _METADATA:
        return NotPublic(address, "the cloud metadata service's address", True)
    if address.is_link_local:
        return NotPublic(address, "a link-local address", True)
    if address.is_multicast:  # Python 3.12 calls multicast addresses global
        return NotPublic(address, "a multicast address", False)
    if _inside(address, _PRIVATE):
        return NotPublic(address, "a private network address", True)
    if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
        return NotPublic(address, "a site-local (private network) address", True)
    if _inside(address, [_SHARED]):
        return NotPublic(address, "a carrier-grade NAT address (shared inside a provider)", True)
    if not address.is_global or _inside(address, [_IPV4_COMPATIBLE, _SIX_TO_FOUR]):
        return NotPublic(address, "a reserved address that is not on the public internet", False)
    return None


def refused(address: IPAddress, allowed: Sequence[Network]) -> NotPublic | None:
    """Why a URL must not reach the address; None when it is public or inside `allowed`."""
    embedded = _embedded_ipv4(address)
    if _inside(address, allowed) or (embedded is not None and _inside(embedded[0], allowed)):
        return None
    return not_public(address)


def literal_address(host: str) -> IPAddress | None:
    """The address a host written as a number stands for (1.2.3.4, ::1, also 2130706433 and
    0x7f.1, which resolvers read as 127.0.0.1); None for a host name. Never uses DNS."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None, flags=socket.AI_NUMERICHOST)
    except (OSError, UnicodeError):
        return None
    return ipaddress.ip_address(found[0][4][0]) if found else None


def resolve(host: str, port: int, allowed: Sequence[Network]) -> list[Resolved]:
    """Every address of `host` from one lookup, in the resolver's order. Raises AddressRefused
    when any of them is not public and not allowed, socket.gaierror when the name is unknown."""
    checked = []
    for family, _, _, _, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        address = ipaddress.ip_address(sockaddr[0])
        found = refused(address, allowed)
        if found is not None:
            raise AddressRefused(found)
        checked.append(Resolved(family, tuple(sockaddr), address))
    return checked


def open_connection(addresses: Sequence[Resolved], timeout: float | None) -> socket.socket:
    """A TCP connection to the first of `addresses` that accepts one (as
    socket.create_connection, without looking anything up); raises the last error."""
    last: OSError = OSError(errno.EHOSTUNREACH, "the host has no address")
    for resolved in addresses:
        sock = socket.socket(resolved.family, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect(resolved.sockaddr)
        except OSError as error:
            sock.close()
            last = error
            continue
        try:
            # Requests go out in one write; Nagle's algorithm would only delay them.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError as error:
            if error.errno != errno.ENOPROTOOPT:
                sock.close()
                raise
        return sock
    raise last


class PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to `host` (its Host header) over a connection to one of `addresses`."""

    def __init__(
        self, host: str, port: int | None, addresses: Sequence[Resolved], *, timeout: float
    ) -> None:
        super().__init__(host, port, timeout=timeout)
        self.addresses = list(addresses)

    def connect(self) -> None:
        self.sock = open_connection(self.addresses, self.timeout)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to `host` over a connection to one of `addresses`; SNI and the certificate check
    use the host name, as when connecting by name."""

    def __init__(
        self,
        host: str,
        port: int | None,
        addresses: Sequence[Resolved],
        *,
        timeout: float,
        context: ssl.SSLContext,
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self.addresses = list(addresses)
        self.tls = context

    def connect(self) -> None:
        sock = open_connection(self.addresses, self.timeout)
        try:
            self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise
