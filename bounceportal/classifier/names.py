"""Who refused the mail: the filter product / mailbox provider and the blocklist, as data.

Each ``NameRule`` says what it names (a product or a blocklist), which evidence it keys
on and the pattern, with the source in ``shared/sending-configurations.md`` it comes
from (its **Sources** keys; ``obs`` = a host name seen in public headers only, no
vendor page). Evidence:

``reply``      the reply's own wording and codes (the diagnostic, lower-cased, squashed);
``host``       the remote MTA's host name (``Remote-MTA``, ``host X[ip] said:``);
``reporting``  the DSN's ``Reporting-MTA`` (the gateway that wrote the notice), and
``trace``      a ``Received:`` header: the top one of the returned message (its last hop)
               or the bottom one of the notice itself (where the notice was written);
               both only when no remote host answered (else they are our own relays).

Host rules are suffixes of a host name (``pphosted.com`` matches ``mx0a-1.pphosted.com``).
The product comes from the remote host, else the reply's words, else the reporting MTA or a
trace; the blocklist from the reply's words. Within a source the first rule in table order wins. Nothing here changes the reason: naming who
refused is a separate question from what the refusal means.
"""

from __future__ import annotations

import re

from .lazyre import compile_later
from .phrasegate import any_in, screen_of

REPLY, HOST, REPORTING, TRACE = "reply", "host", "reporting", "trace"
PRODUCT, BLOCKLIST = "product", "blocklist"

# The products and providers the guidance pages cover: name -> (slug, kind).
PRODUCTS: dict[str, tuple[str, str]] = {
    "Microsoft 365 / Exchange Online": ("microsoft-365", "provider"),
    "Outlook.com": ("outlook-com", "provider"),
    "Google Workspace / Gmail": ("google", "provider"),
    "Yahoo / AOL": ("yahoo", "provider"),
    "Apple iCloud": ("icloud", "provider"),
    "Proofpoint": ("proofpoint", "filter"),
    "Proofpoint Essentials": ("proofpoint-essentials", "filter"),
    "Mimecast": ("mimecast", "filter"),
    "Barracuda": ("barracuda", "filter"),
    "Cisco Secure Email": ("cisco", "filter"),
    "Sophos Email": ("sophos", "filter"),
    "Trend Micro Email Security": ("trend-micro", "filter"),
    "Symantec Email Security.cloud": ("symantec", "filter"),
    "Forcepoint Email Security": ("forcepoint", "filter"),
    "FortiMail": ("fortimail", "filter"),
    "Hornetsecurity": ("hornetsecurity", "filter"),
}
BLOCKLISTS: dict[str, str] = {
    "Spamhaus ZEN": "spamhaus-zen",
    "Spamhaus SBL": "spamhaus-sbl",
    "Spamhaus CSS": "spamhaus-css",
    "Spamhaus XBL": "spamhaus-xbl",
    "Spamhaus PBL": "spamhaus-pbl",
    "Spamhaus DBL": "spamhaus-dbl",
    "Barracuda BRBL": "barracuda-brbl",
    "SpamCop": "spamcop",
    "SORBS": "sorbs",
    "UCEPROTECT": "uceprotect",
    "Invaluement": "invaluement",
    "Cloudmark CSI": "cloudmark",
    "Microsoft block list": "microsoft-block-list",
    "Proofpoint PDR": "proofpoint-pdr",
    "Cisco Talos": "cisco-talos",
    "Trend Micro ERS": "trend-micro-ers",
}


class NameRule:
    """One identification rule: what it names, on which evidence, the pattern, the source."""

    __slots__ = ("evidence", "kind", "label", "name", "pattern", "regex", "screen", "source", "suffix")

    def __init__(self, kind: str, name: str, evidence: str, pattern: str, source: str) -> None:
        self.kind, self.name, self.evidence, self.pattern, self.source = kind, name, evidence, pattern, source
        self.suffix = evidence != REPLY  # host names: the pattern is a suffix, not a regex
        # Compiled on first use, and only tried when one of its literals is in the text.
        self.regex = None if self.suffix else compile_later(pattern)
        self.screen = None if self.suffix else screen_of(pattern)
        where = f"{_WHERE[evidence]} *.{pattern}" if self.suffix else _WHERE[evidence]
        self.label = f"{kind} {name}: {where} ({source})"[:120]

    def match(self, text: str, present: set[str] | None = None) -> str:
        """Return the words (or host) the rule keys on in ``text``, or ``""``.

        ``present``, when given, holds every screen literal of the reply rules found in ``text``.
        """
        if self.suffix:
            return text if text == self.pattern or text.endswith("." + self.pattern) else ""
        if self.screen is not None and (
            present.isdisjoint(self.screen) if present is not None else not any_in(self.screen, text)
        ):
            return ""
        found = self.regex.search(text) if self.regex is not None else None
        if not found:
            return ""
        # The whole words around the match: "zen.spamhaus.org", not "spamhaus".
        start, end = text.rfind(" ", 0, found.start()) + 1, text.find(" ", found.end())
        return text[start : end if end >= 0 else len(text)][:200]


_WHERE = {REPLY: "the reply's words", HOST: "remote host", REPORTING: "reporting MTA", TRACE: "Received: trace"}


def _rules(kind: str, evidence: str, rows: list[tuple[str, str, str]]) -> list[NameRule]:
    return [NameRule(kind, name, evidence, pattern, source) for name, pattern, source in rows]


_MS, _OLC, _GOOGLE = "Microsoft 365 / Exchange Online", "Outlook.com", "Google Workspace / Gmail"
_PP, _PPE, _MC, _BARRA = "Proofpoint", "Proofpoint Essentials", "Mimecast", "Barracuda"
_CISCO, _SOPHOS, _TREND, _SYM = (
    "Cisco Secure Email",
    "Sophos Email",
    "Trend Micro Email Security",
    ("Symantec Email Security.cloud"),
)

# Host names: the same suffixes serve the remote host, the reporting MTA and the traces.
_HOSTS: list[tuple[str, str, str]] = [
    (_OLC, "olc.protection.outlook.com", "obs, M8"),
    (_OLC, "hotmail.com", "M8"),
    (_MS, "mail.protection.outlook.com", "M1 doc"),
    (_MS, "protection.outlook.com", "M8"),
    (_MS, "prod.outlook.com", "M8"),
    (_MS, "onmicrosoft.com", "M8"),
    (_MS, "exchangelabs.com", "M8"),
    (_GOOGLE, "aspmx.l.google.com", "G6, M8"),
    (_GOOGLE, "gmail-smtp-in.l.google.com", "G6, M8"),
    (_GOOGLE, "smtp.google.com", "G6, M8"),
    (_PPE, "ppe-hosted.com", "obs, X1, P3"),
    (_PP, "pphosted.com", "obs, X1"),
    (_MC, "mimecast.com", "M8, obs"),
    (_BARRA, "ess.barracudanetworks.com", "2nd B6, obs"),
    (_BARRA, "barracudanetworks.com", "2nd B6"),
    (_CISCO, "iphmx.com", "2nd CI4, obs"),
    (_SOPHOS, "hydra.sophos.com", "SO3 doc, obs"),
    (_TREND, "tmes.trendmicro.com", "obs"),
    (_TREND, "hes.trendmicro.com", "obs"),
    (_TREND, "tmes.trendmicro.eu", "obs"),
    (_TREND, "hes.trendmicro.eu", "obs"),
    (_SYM, "messagelabs.com", "SY1 SY2 doc, obs"),
    ("Forcepoint Email Security", "mailcontrol.com", "obs; *.in.mailcontrol.com UNVERIFIED"),
    ("FortiMail", "fortimailcloud.com", "UNVERIFIED"),
    ("Hornetsecurity", "hornetsecurity.com", "obs"),
    ("Yahoo / AOL", "yahoodns.net", "M8, Y2"),
    ("Apple iCloud", "mail.icloud.com", "UNVERIFIED: not in sending-configurations.md"),
]

# The reply's wording and codes (lower-cased). Product rows first, then blocklist rows.
_REPLY_PRODUCTS: list[tuple[str, str, str]] = [
    (_OLC, r"\(s31[45]0\)", "M7"),
    (_OLC, r"5\.7\.515 access denied, sending domain", "M6"),
    (_OLC, r"4\.7\.650\b.{0,80}rate limited due to ip reputation", "M8"),
    (_MS, r"5\.7\.6[0-4]\d access denied, banned sending ip", "M5"),
    (_MS, r"5\.7\.511 access denied, banned sender", "M5"),
    (_MS, r"5\.7\.513\b.{0,80}customer block list", "M5"),
    (_MS, r"5\.7\.509\b.{0,80}does not pass dmarc verification", "M8"),
    (_MS, r"sender\.office\.com", "M5"),
    (_GOOGLE, r" - gsmtp\b", "G6"),
    (_GOOGLE, r"support\.google\.com/mail/\??\S*\?p=", "G6"),
    (_PP, r"ipcheck\.proofpoint\.com|proofpoint reputation service|support\.proofpoint\.com/dnsbl", "X1 P1"),
    (_MC, r"community\.mimecast\.com/(?:docs|s/)|csi\.mimecast\.org|spamcop\.mimecast\.org", "MC3 MC4"),
    (_MC, r"rejected by header based anti-spoofing policy|envelope blocked - user entry", "MC3"),
    (_BARRA, r"barracudanetworks\.com/reputation|is in a black list at b\.barracudacentral\.org", "X1 B6"),
    (_CISCO, r"sbrs score too low|senderbase\.org", "CI4 X1"),
    (_SOPHOS, r"sophos\.com/[a-z-]*/?threat-center/ip-lookup", "SO3 X1"),
    (_TREND, r"trend micro (?:email reputation|rbl\+)|rbl-plus\.mail-abuse\.org", "T3 X1"),
    (_SYM, r"mail delivery agent at messagelabs\.com|connection rejected by policy \[7\.\d+\]", "SY5"),
    ("Yahoo / AOL", r"\[tss?\d\d\]|postmaster\.yahooinc\.com", "Y2 M8"),
    # A product naming itself in its own reply.
    (_PPE, r"proofpoint essentials", "names itself"),
    (_PP, r"proofpoint", "names itself"),
    (_MC, r"mimecast", "names itself"),
    (_BARRA, r"barracuda(?!central)", "names itself"),
    (_CISCO, r"ironport|cisco secure email", "names itself"),
    (_SOPHOS, r"sophos", "names itself"),
    (_TREND, r"trend ?micro", "names itself"),
    (_SYM, r"messagelabs|symantec", "names itself"),
    ("Forcepoint Email Security", r"forcepoint", "names itself"),
    ("FortiMail", r"fortimail|fortiguard", "names itself"),
    ("Hornetsecurity", r"hornetsecurity", "names itself"),
    (_MS, r"exchange online protection", "names itself"),
    # Other filters with no guidance page of ours: named so the alert can group them.
    ("SpamExperts", r"spamexperts", "names itself"),
    ("SpamTitan", r"spamtitan", "names itself"),
    ("Libraesva", r"libraesva", "names itself"),
    ("SpamAssassin", r"spamassassin", "names itself"),
    ("Rspamd", r"rspamd", "names itself"),
]

_REPLY_BLOCKLISTS: list[tuple[str, str, str]] = [
    # Spamhaus: the zone or the ZEN return code says which list (SH1-SH4).
    ("Spamhaus DBL", r"dbl\.spamhaus\.org|spamhaus\.org/dbl", "SH3"),
    ("Spamhaus PBL", r"pbl\.spamhaus\.org|spamhaus\.org/pbl|127\.0\.0\.1[01]\b", "SH4 SH1"),
    ("Spamhaus CSS", r"spamhaus\.org/css|127\.0\.0\.3\b", "SH2"),
    ("Spamhaus XBL", r"xbl\.spamhaus\.org|spamhaus\.org/xbl|127\.0\.0\.[4-8]\b", "SH1"),
    ("Spamhaus SBL", r"\bsbl\.spamhaus\.org|spamhaus\.org/sbl|127\.0\.0\.2\b", "SH1 SH6"),
    ("Spamhaus ZEN", r"spamhaus", "SH1 X1"),
    ("Barracuda BRBL", r"barracudacentral|barracudanetworks\.com/reputation|barracuda reputation", "BR1 X1"),
    ("SpamCop", r"spamcop", "SC1"),
    ("SORBS", r"\bsorbs\b|sorbs\.net", "SR1 (decommissioned 2024)"),
    ("UCEPROTECT", r"uceprotect", "U1"),
    ("Invaluement", r"invaluement|\bivm(?:sip|uri)\b", "IV1"),
    ("Cloudmark CSI", r"cloudmark|csi-global", "CM1"),
    ("Microsoft block list", r"banned sending ip|\(s31[45]0\)|sender\.office\.com|delist@microsoft\.com", "M5 M7"),
    ("Microsoft block list", r"5\.7\.511 access denied, banned sender", "M5"),
    ("Proofpoint PDR", r"ipcheck\.proofpoint|proofpoint (?:dynamic )?reputation|dnsbl-lookup\.cgi", "P1 P3 X1"),
    ("Cisco Talos", r"senderbase|\bsbrs\b|talosintelligence", "CI3 CI4"),
    ("Trend Micro ERS", r"trend micro (?:email reputation|rbl\+)|mail-abuse\.(?:org|com)", "T2 T3"),
    # Lists with no guidance page of ours.
    ("Abusix", r"abusix", "names itself"),
    ("SpamRATS", r"spamrats", "names itself"),
    ("PSBL", r"\bpsbl\b|surriel\.com", "names itself"),
    ("Mailspike", r"mailspike", "names itself"),
    ("SURBL", r"\bsurbl\b", "names itself"),
    ("URIBL", r"\buribl\b", "names itself"),
    ("CBL", r"abuseat|\bcbl\b", "names itself"),
    ("AT&T RBL", r"attrbl", "names itself"),
]

RULES: tuple[NameRule, ...] = tuple(
    _rules(PRODUCT, REPLY, _REPLY_PRODUCTS)
    + _rules(BLOCKLIST, REPLY, _REPLY_BLOCKLISTS)
    + [rule for evidence in (HOST, REPORTING, TRACE) for rule in _rules(PRODUCT, evidence, _HOSTS)]
)
_BY_SOURCE: dict[tuple[str, str], tuple[NameRule, ...]] = {}
for _rule in RULES:
    _BY_SOURCE[(_rule.kind, _rule.evidence)] = (*_BY_SOURCE.get((_rule.kind, _rule.evidence), ()), _rule)


def _screen(rules: tuple[NameRule, ...]) -> tuple[str, ...] | None:
    """Literals one of which every reply rule's match contains (None: some rule has none)."""
    words: set[str] = set()
    for rule in rules:
        if rule.evidence == REPLY:
            found = screen_of(rule.pattern)
            if found is None:
                return None
            words.update(found)
    return tuple(sorted(words))


# A reply that contains none of these names no product and no list (most replies).
_SCREEN = _screen(RULES)

# Host names within DNS's bounds (labels of at most 63 characters; at most 20 of them here): an
# unbounded ``(?:[a-z0-9-]+\.)+`` rescans a long run of label characters ("550-550-...") from
# every word start, which is quadratic in attacker text.
_HOST = r"(?:[a-z0-9-]{1,63}\.){1,20}[a-z]{2,63}"
_HOST_IN_TEXT = compile_later(r"\b(" + _HOST + r")(?:\s?\[[0-9a-f.:]+\]|\s+said:|\s+\(\d{1,3}(?:\.\d{1,3}){3}\))")
_TRACE_HOST = compile_later(r"\b(?:from|by)\s+(" + _HOST + ")", re.I)
# The same on ASCII text lower-cased (same offsets, same matches): compiling without
# re.IGNORECASE costs half.
_TRACE_HOST_LOWER = compile_later(r"\b(?:from|by)\s+(" + _HOST + ")")


class Naming:
    """What the evidence names: a product and a blocklist, each with the rule and words."""

    __slots__ = ("blocklist", "notes", "product")

    def __init__(self) -> None:
        self.product = self.blocklist = ""
        self.notes: list[tuple[str, str]] = []

    def take(self, rule: NameRule, words: str) -> None:
        """Record ``rule``'s name unless its kind is named already."""
        if rule.kind == PRODUCT and not self.product:
            self.product = rule.name
        elif rule.kind == BLOCKLIST and not self.blocklist:
            self.blocklist = rule.name
        else:
            return
        self.notes.append((rule.label, words))


# Host rules by suffix, per evidence: a host's own suffixes are looked up instead of every
# rule being tried on it (the first rule in table order still wins).
_BY_SUFFIX: dict[str, dict[str, tuple[int, NameRule]]] = {}
for _rule in RULES:
    if _rule.suffix:
        _BY_SUFFIX.setdefault(_rule.evidence, {}).setdefault(_rule.pattern, (len(_BY_SUFFIX[_rule.evidence]), _rule))


def _first_host(naming: Naming, evidence: str, hosts: list[str]) -> None:
    table, best = _BY_SUFFIX.get(evidence, {}), None
    for host in hosts:
        labels = host.split(".")
        for start in range(len(labels) - 1):
            found = table.get(".".join(labels[start:]))
            if found is not None and (best is None or found[0] < best[0][0]):
                best = (found, host)
    if best is not None:
        naming.take(best[0][1], best[1])


def _first(naming: Naming, kind: str, evidence: str, texts: list[str], present: set[str] | None = None) -> None:
    if kind == PRODUCT and evidence != REPLY:
        _first_host(naming, evidence, texts)
        return
    for rule in _BY_SOURCE.get((kind, evidence), ()):
        for text in texts:
            words = rule.match(text, present)
            if words:
                naming.take(rule, words)
                return


def hosts_in(text_lower: str) -> list[str]:
    """Host names a reply quotes as the server that answered (``host X[ip] said:``)."""
    return [m.group(1) for m in _HOST_IN_TEXT.finditer(text_lower)] if "[" in text_lower or "said" in text_lower else []


def name_refusal(
    diagnostic_lower: str, *, remote_mta: str = "", reporting_mta: str = "", traces: tuple[str, ...] = ()
) -> Naming:
    """Return the product and blocklist the evidence names (see the module doc for the order).

    The product: the remote host first (the server that answered is the one that refused,
    and its name tells Outlook.com from Microsoft 365 where their codes are the same), then
    the reply's words, then the reporting MTA and the traces. The blocklist: the reply's words.
    """
    naming = Naming()
    hosts = [h for h in [remote_mta.strip().lower().rstrip("."), *hosts_in(diagnostic_lower)] if h]
    if hosts:
        _first(naming, PRODUCT, HOST, hosts)
    # The reply rules' literals in the reply, found once for all of them (None: some rule has none).
    present = set(filter(diagnostic_lower.__contains__, _SCREEN)) if diagnostic_lower and _SCREEN else None
    if diagnostic_lower and (_SCREEN is None or present):
        if not naming.product:
            _first(naming, PRODUCT, REPLY, [diagnostic_lower], present)
        _first(naming, BLOCKLIST, REPLY, [diagnostic_lower], present)
    for evidence, texts in ((REPORTING, [reporting_mta.lower()]), (TRACE, list(traces))):
        texts = [t for t in texts if t]
        if texts and not naming.product:
            _first(naming, PRODUCT, evidence, texts)
    return naming


def trace_hosts(returned_received: list[str], notice_received: list[str]) -> tuple[str, ...]:
    """The hosts of the traces we trust: the returned message's top ``Received:`` (its last hop,
    on the recipient's side) and the notice's bottom one (where the notice was written).

    Only those two: the other hops are our own path and the bounce mailbox's, and naming
    our own provider as the one that refused would send the admin to the wrong page.
    """
    headers = returned_received[:1] + notice_received[-1:]
    found: list[str] = []
    for header in headers:
        if header.isascii():
            found.extend(m.group(1) for m in _TRACE_HOST_LOWER.finditer(header.lower()))
        else:
            found.extend(m.group(1).lower() for m in _TRACE_HOST.finditer(header))
    return tuple(found)


def slug_of(name: str) -> str:
    """Return the guidance page slug of a product or blocklist name ("" when we have no page)."""
    return PRODUCTS[name][0] if name in PRODUCTS else BLOCKLISTS.get(name, "")
