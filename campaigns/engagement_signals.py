"""Is this open or click a person or a machine? The per-request signals (pure Python, no database).

Security gateways and link scanners fetch every link and image of a message,
usually the moment it is delivered, with HEAD requests, their own user agents
or from their own address ranges. ``machine_reason`` returns the first signal
a request shows, or "" for a person. The last signal, every link of a message
clicked at once, needs the send's other clicks and is in
``campaigns.services.engagement``.
"""

import ipaddress
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import lru_cache

from campaigns.engagement_models import MachineReason

# Words of the user agents of link scanners, security gateways and HTTP libraries (lower case).
# Mail programs' and webmail image proxies' agents never contain them.
SCANNER_AGENT_WORDS = (
    "barracuda",
    "mimecast",
    "proofpoint",
    "urldefense",
    "messagelabs",
    "symantec",
    "trend micro",
    "trendmicro",
    "forcepoint",
    "sophos",
    "ironport",
    "fireeye",
    "cloudmark",
    "zscaler",
    "safelinks",
    "office existence discovery",
    "python-requests",
    "python-urllib",
    "aiohttp",
    "curl/",
    "wget/",
    "go-http-client",
    "java/",
    "okhttp",
    "libwww",
    "headlesschrome",
    "phantomjs",
    "bot",
    "spider",
    "crawler",
    "scanner",
)


@lru_cache(maxsize=64)
def _networks(cidrs: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def in_networks(ip: str | None, cidrs: Iterable[str]) -> bool:
    """True when ``ip`` is in one of ``cidrs`` ("192.0.2.0/24", "2001:db8::/32"; validated by the settings)."""
    networks = _networks(tuple(cidrs))
    if not ip or not networks:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address.version == network.version and address in network for network in networks)


def machine_reason(
    *,
    method: str,
    user_agent: str,
    ip: str | None,
    at: datetime,
    delivered_at: datetime | None,
    networks: Iterable[str] = (),
    after_delivery_seconds: int = 10,
) -> str:
    """Return the MachineReason this request shows ("" when it looks like a person)."""
    agent = (user_agent or "").strip().lower()
    if method.upper() == "HEAD":
        return MachineReason.HEAD_REQUEST
    if not agent:
        return MachineReason.NO_AGENT
    if any(word in agent for word in SCANNER_AGENT_WORDS):
        return MachineReason.SCANNER_AGENT
    if in_networks(ip, networks):
        return MachineReason.SCANNER_NETWORK
    if delivered_at is not None and at - delivered_at < timedelta(seconds=after_delivery_seconds):
        return MachineReason.RIGHT_AFTER_DELIVERY
    return ""
