"""The one egress guard: every outbound connection made for a customer goes through here.

A customer types a host name (an IMAP or POP3 server, an OAuth2 token endpoint; later ESP,
webhook and API-callback URLs) and our worker connects to it. Without a guard that lets any
customer reach the operator's internal network (Redis on 127.0.0.1, 10.x services, the cloud
metadata service at 169.254.169.254) and map its ports from the error texts.

The contract:

- ``resolve_public(host, port)`` resolves the name *now* and returns the checked addresses;
  every address the name resolves to must be public (one private answer refuses the lot), a
  name that does not resolve is refused, and IPv6 forms that embed an IPv4 address (mapped
  ``::ffff:a.b.c.d``, NAT64 ``64:ff9b::/96``, 6to4 ``2002::/16``) are judged by that address.
- ``open_socket(host, port)`` connects to one of those checked addresses, never to the name,
  so a DNS answer that changes between the check and the connection (rebinding) cannot
  redirect it; with ``tls=`` the socket is wrapped and the certificate verified against the
  host name the customer typed.
- ``http_request(url, ...)`` does one HTTP(S) request the same way (no redirects followed);
  plain ``http`` only to an address the operator allows explicitly.
- Every refusal raises :class:`EgressRefused` with one and the same text, whatever the reason,
  so the answers cannot be used to tell closed, open, private or unresolvable targets apart.

``settings.EGRESS_ALLOWED_NETWORKS`` (CIDRs) lists the only non-public networks that may be
reached: loopback in development and tests (the demo's and the tests' local servers), empty in
production unless the operator sets it.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

REFUSED_TEXT = (
    "BouncePortal connects only to servers on the public internet: "
    "enter the public host name your provider gives for this service."
)
MAX_RESPONSE_BYTES = 65536

# Not reachable for a customer whatever ``ipaddress.is_global`` says in this Python version: every
# special-purpose block of RFC 6890 / the IANA registries, spelled out, plus the ranges cloud
# providers put their metadata services in (169.254.169.254, fd00:ec2::254, 100.100.100.200 are
# inside link-local, ULA and CGNAT).
BLOCKED_NETWORKS: tuple[Network, ...] = tuple(
    ipaddress.ip_network(cidr)
    for cidr in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",  # private
        "100.64.0.0/10",  # carrier-grade NAT (Alibaba's metadata service)
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local (AWS, GCP, Azure, OpenStack metadata)
        "172.16.0.0/12",  # private
        "192.0.0.0/24",  # IETF protocol assignments (Oracle's metadata service)
        "192.0.2.0/24",  # documentation
        "192.88.99.0/24",  # 6to4 relay anycast
        "192.168.0.0/16",  # private
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation
        "203.0.113.0/24",  # documentation
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and the broadcast address
        "::/96",  # unspecified, loopback and the deprecated IPv4-compatible ::a.b.c.d
        "100::/64",  # discard-only
        "64:ff9b:1::/48",  # local-use NAT64
        "2001::/23",  # IETF protocol assignments (Teredo, ORCHID, …)
        "2001:db8::/32",  # documentation
        "fc00::/7",  # unique local (AWS's IPv6 metadata service fd00:ec2::254)
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")
SIX_TO_FOUR = ipaddress.ip_network("2002::/16")


class EgressRefused(Exception):
    """The target may not be reached. ``str()`` is always :data:`REFUSED_TEXT` (safe to show)."""

    def __init__(self) -> None:
        super().__init__(REFUSED_TEXT)


@dataclass(frozen=True)
class Target:
    """A checked destination: the host name as typed (for TLS) and the addresses it resolved to."""

    host: str
    port: int
    addresses: tuple[str, ...]


def normalize_host(host: str) -> str:
    """The host as a resolver takes it: stripped, without IPv6 brackets or a trailing dot, lower case."""
    host = (host or "").strip().lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host.rstrip(".")


@lru_cache(maxsize=16)
def _networks(cidrs: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def allowed_networks() -> tuple[Network, ...]:
    """The operator's explicit exceptions (``EGRESS_ALLOWED_NETWORKS``)."""
    return _networks(tuple(getattr(settings, "EGRESS_ALLOWED_NETWORKS", ())))


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, NAT64, 6to4), which is where packets end up."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in SIX_TO_FOUR:
        return address.sixtofour
    return None


def is_allowed_address(address: IPAddress) -> bool:
    """True when a customer's connection may go to ``address``."""
    allowed = allowed_networks()
    if any(address.version == net.version and address in net for net in allowed):
        return True
    inner = embedded_ipv4(address)
    if inner is not None:
        return is_allowed_address(inner)
    if any(address.version == net.version and address in net for net in BLOCKED_NETWORKS):
        return False
    return address.is_global and not address.is_multicast


def is_explicitly_allowed(address: IPAddress) -> bool:
    """True when ``address`` is in one of the operator's exceptions (where plain http may go)."""
    inner = embedded_ipv4(address)
    candidates = [address] if inner is None else [address, inner]
    return any(a.version == net.version and a in net for a in candidates for net in allowed_networks())


def resolve_public(host: str, port: int) -> Target:
    """Resolve ``host`` now and return it with its addresses, every one of them checked.

    Raises :class:`EgressRefused` when the name is empty or invalid, does not resolve, or any
    of its addresses is not allowed.
    """
    name = normalize_host(host)
    if not name or not 0 < int(port) < 65536:
        raise EgressRefused()
    try:
        infos = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError, ValueError):
        raise EgressRefused() from None
    addresses: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        text = str(sockaddr[0]).split("%")[0]
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            raise EgressRefused() from None
        if not is_allowed_address(address):
            raise EgressRefused()
        if text not in addresses:
            addresses.append(text)
    if not addresses:
        raise EgressRefused()
    return Target(host=name, port=int(port), addresses=tuple(addresses))


def connect(target: Target, *, timeout: float | None) -> socket.socket:
    """A TCP connection to the first of ``target``'s checked addresses that answers."""
    if timeout is not None and not isinstance(timeout, int | float):  # socket._GLOBAL_DEFAULT_TIMEOUT
        timeout = socket.getdefaulttimeout()
    last_error: OSError | None = None
    for address in target.addresses:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect((address, target.port))
            return sock
        except OSError as exc:
            sock.close()
            last_error = exc
    assert last_error is not None  # resolve_public never returns a target without addresses
    raise last_error


def open_socket(
    host: str, port: int, *, timeout: float | None = None, tls: ssl.SSLContext | None = None
) -> socket.socket:
    """Resolve and check ``host``, connect to a checked address, and wrap it in TLS when asked.

    The certificate is verified against ``host`` (as typed, without a trailing dot), not
    against the address. Raises :class:`EgressRefused` or the connection's ``OSError``.
    """
    target = resolve_public(host, port)
    sock = connect(target, timeout=timeout)
    if tls is None:
        return sock
    try:
        return tls.wrap_socket(sock, server_hostname=target.host)
    except BaseException:
        sock.close()
        raise


class _CheckedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to an already checked target (http.client verifies against ``host``)."""

    def __init__(self, target: Target, *, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=context)
        self._target = target
        self._create_connection = self._connect_checked

    def _connect_checked(self, address, timeout=None, source_address=None):
        return connect(self._target, timeout=timeout)


class _CheckedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, *, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._target = target
        self._create_connection = self._connect_checked

    def _connect_checked(self, address, timeout=None, source_address=None):
        return connect(self._target, timeout=timeout)


def plain_http_allowed(target: Target) -> bool:
    """True when every address of ``target`` is one of the operator's exceptions (never in production
    unless the operator lists a network): the only case where ``http://`` may carry a secret."""
    return all(is_explicitly_allowed(ipaddress.ip_address(a)) for a in target.addresses)


@dataclass(frozen=True)
class HTTPResponse:
    status: int
    body: bytes  # at most MAX_RESPONSE_BYTES


def http_request(
    url: str,
    *,
    method: str = "POST",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 20,
) -> HTTPResponse:
    """One request to ``url`` through the guard; redirects are answers, never followed.

    https always; http only when every address of the host is in ``EGRESS_ALLOWED_NETWORKS``
    (the tests' and the demo's local servers). Raises :class:`EgressRefused`, or ``OSError`` /
    ``ssl.SSLError`` / ``http.client.HTTPException`` when the connection or the exchange fails.
    """
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise EgressRefused() from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise EgressRefused()
    target = resolve_public(parts.hostname, port)
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = _CheckedHTTPSConnection(target, timeout=timeout, context=ssl.create_default_context())
    elif plain_http_allowed(target):
        connection = _CheckedHTTPConnection(target, timeout=timeout)
    else:
        raise EgressRefused()
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return HTTPResponse(status=response.status, body=response.read(MAX_RESPONSE_BYTES))
    finally:
        connection.close()


def refused_now(host: str, port: int) -> bool:
    """True when ``host`` resolves now and would be refused: what a form can say early.

    A name that does not resolve (yet) is not judged here: the connection-time check, which
    is the one that counts, refuses it then.
    """
    try:
        resolve_public(host, port)
    except EgressRefused:
        try:
            socket.getaddrinfo(normalize_host(host), port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError, ValueError):
            return not normalize_host(host)
        return True
    return False
