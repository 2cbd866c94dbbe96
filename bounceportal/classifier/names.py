"""The blocklist and the filter product a refusal names, as data (Recipient fields).

A receiving MTA that refuses us because of a DNS blocklist usually names the list
(Postfix's ``blocked using zen.spamhaus.org``, a lookup URL such as spamcop.net/bl.shtml);
a security gateway often names itself in its reply or its host name. Each row is a
pattern on the lower-cased, squashed diagnostic and the name we report. The first row
that matches wins; a DNS zone quoted after "blocked using" / "listed in" wins over the
product rows because it says exactly which list.
"""

from __future__ import annotations

import re

from .phrasegate import GatedGroups

# A DNSBL zone quoted by the refusal: "blocked using bl.example.org", "listed on/in/at ...".
_ZONE = re.compile(
    r"(?:blocked using|listed (?:on|in|at)|(?:is )?in an? (?:rbl|dnsbl|black ?list|block ?list) at|found in) "
    r"((?:[a-z0-9-]+\.)+[a-z]{2,})"
)

BLOCKLISTS: tuple[tuple[str, str], ...] = (
    (r"spamhaus", "Spamhaus"),
    (r"spamcop", "SpamCop"),
    (r"sorbs", "SORBS"),
    (r"barracudacentral|barracuda reputation|barracudanetworks\.com/reputation", "Barracuda BRBL"),
    (r"uceprotect", "UCEPROTECT"),
    (r"abusix", "Abusix"),
    (r"spamrats", "SpamRATS"),
    (r"\bpsbl\b|surriel\.com", "PSBL"),
    (r"mailspike", "Mailspike"),
    (r"\bsurbl\b", "SURBL"),
    (r"\buribl\b", "URIBL"),
    (r"invaluement", "Invaluement"),
    (r"abuseat|\bcbl\b", "CBL"),
    (r"senderbase|\bsbrs\b|talosintelligence", "Cisco SenderBase (SBRS)"),
    (r"email reputation service|trend micro email reputation|mail-abuse\.com", "Trend Micro ERS"),
    (r"ipcheck\.proofpoint|proofpoint dynamic reputation", "Proofpoint Dynamic Reputation"),
    (r"csi\.mimecast", "Mimecast CSI"),
    (r"sender\.office\.com|blocklist 1", "Microsoft"),
    (r"attrbl", "AT&T RBL"),
)

FILTER_PRODUCTS: tuple[tuple[str, str], ...] = (
    (r"mimecast", "Mimecast"),
    (r"barracuda", "Barracuda"),
    (r"proofpoint|pphosted", "Proofpoint"),
    (r"ironport|iphmx\.com|cisco secure email", "Cisco IronPort"),
    (r"sophos", "Sophos"),
    (r"trend ?micro|\btmes\b", "Trend Micro"),
    (r"fortimail|fortiguard|fortinet", "FortiMail"),
    (r"messagelabs|symantec", "Symantec Email Security.cloud"),
    (r"forcepoint|mailcontrol\.com", "Forcepoint"),
    (r"hornetsecurity", "Hornetsecurity"),
    (r"spamexperts", "SpamExperts"),
    (r"spamtitan", "SpamTitan"),
    (r"libraesva", "Libraesva"),
    (r"spamassassin", "SpamAssassin"),
    (r"rspamd", "Rspamd"),
    (r"amavis", "amavis"),
    (r"protection\.outlook\.com|exchange online protection", "Exchange Online Protection"),
)

# Literal screens (phrasegate): most refusals name no list and no product.
_BLOCKLISTS = GatedGroups([(name, (pattern,)) for pattern, name in BLOCKLISTS])
_PRODUCTS = GatedGroups([(name, (pattern,)) for pattern, name in FILTER_PRODUCTS])


def blocklist_of(text_lower: str) -> str:
    """Return the blocklist ``text_lower`` names (a quoted DNS zone, else a known list), or ``""``."""
    quoted = "using " in text_lower or "listed " in text_lower or " in a" in text_lower or "found in" in text_lower
    zone = _ZONE.search(text_lower) if quoted else None
    name = _BLOCKLISTS.first(text_lower)
    if name:
        return zone.group(1) if zone and name.split()[0].lower() in zone.group(1) else name
    return zone.group(1) if zone else ""


def filter_product_of(text_lower: str, remote_mta: str = "") -> str:
    """Return the filter or security product named by the text or the remote host, or ``""``."""
    return _PRODUCTS.first(text_lower) or (_PRODUCTS.first(remote_mta.lower()) if remote_mta else "")
