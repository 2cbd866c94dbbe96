"""The receiving providers' own documented codes: layer 4 of the decision (:mod:`.reasons`).

Providers reuse RFC 3463 codes with meanings of their own, or add details of their own
(Exchange Online's ``5.7.606``: RFC 3463 details never go past two digits). Each row
keys on the provider's code (a regular expression on the status, or a code token in
the text), optionally narrowed by words of the text or by the remote host / reporting
MTA, and says which reason the provider's documentation gives it and, when that
documentation says so, whether the cause is the sender's. Rows are tried in order.
Sources: Microsoft "Email non-delivery reports and SMTP errors in Exchange Online"
and Outlook.com's postmaster error codes; Google's "SMTP error reference"; Yahoo's
"SMTP error codes"; Mimecast's "SMTP error codes"; Apple iCloud's postmaster page.
"""

from __future__ import annotations

import re

from .lazyre import compile_later, screen_of_later
from .phrasegate import any_in


class ProviderRule:
    """One documented provider code: what it keys on and the reason it means."""

    __slots__ = (
        "host",
        "host_re",
        "name",
        "reason",
        "sender_side",
        "status",
        "status_gate",
        "status_re",
        "status_subject",
        "token",
        "token_gate",
        "token_re",
        "words",
        "words_re",
    )

    def __init__(
        self,
        name: str,
        reason: str,
        *,
        status: str = "",  # regex the full status (X.Y.Z) must match
        token: str = "",  # regex the squashed, lower-cased text must contain
        words: str = "",  # regex the text must also contain (narrows a reused code)
        host: str = "",  # regex the remote host / reporting MTA must match (when known)
        sender_side: bool | None = None,  # None: the reason's default
    ) -> None:
        self.name, self.reason, self.sender_side = name, reason, sender_side
        self.status, self.token, self.words, self.host = status, token, words, host
        # The "S." of a status pattern written "[45]\\.S\\....": a cheap screen before the regex.
        self.status_subject = status.split("\\.")[1][:1] + "." if "\\." in status else ""
        # Compiled on first use; a token or words pattern is searched only when one of its
        # literals is in the text (lazyre's screens, precomputed in _screens.py).
        self.status_re = compile_later(status) if status else None
        self.token_re = compile_later(token) if token else None
        self.words_re = compile_later(words) if words else None
        self.host_re = compile_later(host) if host else None
        # The screens of the status and token patterns (words one of which a match holds; None:
        # not screened), tested before the patterns themselves: most rows miss most replies.
        self.status_gate = screen_of_later(self.status_re)
        self.token_gate = screen_of_later(self.token_re)

    def matches(self, status: str, text: str, host: str) -> re.Match[str] | None:
        """Return the match of the row's code (or words) on this reply, or None."""
        if (self.status_gate is not None and not any_in(self.status_gate, status)) or (
            self.token_gate is not None and not any_in(self.token_gate, text)
        ):
            return None  # a word its status or token pattern cannot match without is missing
        if self.status_re is not None and not (status[2:4] == self.status_subject and self.status_re.fullmatch(status)):
            return None
        if self.host_re is not None and not (host and self.host_re.search(host.lower())):
            return None
        found = None
        if self.token_re is not None:
            found = self.token_re.search(text)
            if not found:
                return None
        if self.words_re is not None:
            found = self.words_re.search(text)
            if not found:
                return None
        return found or re.match("", text)


PROVIDER_RULES: tuple[ProviderRule, ...] = (
    # --- Microsoft Exchange Online / Outlook.com (three-digit details are Microsoft's own)
    # 4.7.652 "The mail server [IP] has exceeded the maximum number of connections": a
    # connection limit, said before the reputation throttles of the 4.7.65x range.
    ProviderRule("microsoft 4.7.652 connection limit", "toomanyconn", status=r"4\.7\.652"),
    ProviderRule("microsoft 4.7.650-651 reputation throttle", "badreputation", status=r"4\.7\.65\d"),
    ProviderRule("microsoft 5.7.501-503 spam abuse", "badreputation", status=r"5\.7\.50[13]"),
    ProviderRule("microsoft 5.7.502/511 banned sender", "rejected", status=r"5\.7\.5(?:02|11)"),
    ProviderRule("microsoft 5.7.504-505 recipient refused", "userunknown", status=r"5\.7\.50[45]", sender_side=False),
    # 5.7.508 "Access denied, [IP] has exceeded permitted limits within [range] range": the
    # sender's IPv6 range sent too much too fast, refused for the range's standing.
    ProviderRule("microsoft 5.7.508 IPv6 range over its limits", "badreputation", status=r"5\.7\.508"),
    ProviderRule("microsoft 5.7.509 DMARC", "authfailure", status=r"5\.7\.509"),
    ProviderRule("microsoft 5.7.510 no IPv6 (the domain takes mail over IPv4)", "policyviolation", status=r"5\.7\.510"),
    ProviderRule("microsoft 5.7.512 RFC 5322 3.6.2", "notcompliantrfc", status=r"5\.7\.512"),
    ProviderRule("microsoft 5.7.515 bulk sender authentication", "authfailure", status=r"5\.7\.515"),
    ProviderRule("microsoft 5.7.703 tenant recipient block", "policyviolation", status=r"5\.7\.703"),
    ProviderRule("microsoft 5.7.705-707 tenant threshold", "badreputation", status=r"5\.7\.70[5-7]"),
    ProviderRule("microsoft 5.7.7xx tenant not accepted", "blocked", status=r"5\.7\.7\d\d"),
    # 5.7.12, 5.7.124, 5.7.133-136: delivery restrictions refuse the sender; 5.7.139
    # ("Authentication unsuccessful") is our client's SMTP AUTH, not a restriction.
    ProviderRule("microsoft 5.7.12x/13x sender not allowed", "rejected", status=r"5\.7\.1(?:2\d?|3[0-6])"),
    ProviderRule("microsoft 5.7.139 SMTP AUTH unsuccessful", "securityerror", status=r"5\.7\.139"),
    # 5.7.232-235: the sending tenant's external recipient rate limits (trial or unverified tenants).
    ProviderRule("microsoft 5.7.23x tenant recipient rate limit", "speeding", status=r"5\.7\.23\d", sender_side=True),
    ProviderRule("microsoft 5.7.520 external forwarding", "policyviolation", status=r"5\.7\.520"),
    # 5.7.900-999: the custom codes an organization's mail flow (transport) rule rejects with.
    ProviderRule("microsoft 5.7.9xx mail flow rule", "policyviolation", status=r"5\.7\.9\d\d"),
    # After the specific 5xx/6xx rows above: the rest of the documented "Access denied" ranges
    # (4.7.500-699 and 4.7.850-899 "please try again later", 5.7.5xx-6xx) refuse our host.
    ProviderRule(
        "microsoft 4.7.5xx-6xx/85x-89x, 5.7.5xx-6xx access denied", "blocked", status=r"[45]\.7\.(?:[56]\d\d|8[5-9]\d)"
    ),
    ProviderRule("microsoft 5.2.252 send-as denied", "rejected", status=r"5\.2\.252"),
    ProviderRule("microsoft x.1.90 daily recipient limit", "speeding", status=r"[45]\.1\.90"),
    ProviderRule("microsoft x.4.310 DNS domain does not exist", "hostunknown", status=r"[45]\.4\.310"),
    ProviderRule("microsoft 5.7.57 anonymous submission", "securityerror", status=r"5\.7\.57"),
    ProviderRule("microsoft 5.7.64 tenant relay", "norelaying", status=r"5\.7\.64"),
    ProviderRule("microsoft x.2.121 receive limit per sender", "speeding", status=r"[45]\.2\.121", sender_side=True),
    ProviderRule("microsoft x.2.122 receive limit", "speeding", status=r"[45]\.2\.12\d", sender_side=False),
    # 4.3.2 STOREDRV thread limits: the recipient's mailbox (Deliver) or our sending mailbox (ClientSubmit).
    ProviderRule(
        "microsoft 4.3.2 sender thread limit",
        "speeding",
        status=r"4\.3\.2",
        words=r"sender thread limit",
        sender_side=True,
    ),
    ProviderRule(
        "microsoft 4.3.2 thread limit", "speeding", status=r"4\.3\.2", words=r"thread limit", sender_side=False
    ),
    ProviderRule("microsoft 4.4.316 connection refused", "networkerror", status=r"4\.4\.316"),
    ProviderRule("microsoft 5.4.316 expired, refused", "expired", status=r"5\.4\.316"),
    ProviderRule("microsoft 4.4.0 shadow redundancy", "systemerror", status=r"4\.4\.0", words=r"made redundant"),
    ProviderRule("microsoft 5.4.300 message expired", "expired", status=r"5\.4\.300"),
    ProviderRule("microsoft x.4.3xx DNS / connection failure", "networkerror", status=r"[45]\.4\.3\d\d"),
    # x.7.321-325 are Exchange Online's own outbound checks of the *destination*: it offers no
    # STARTTLS, its certificate expired or names another host, its TLSA (DANE) or DNSSEC records
    # fail. The destination's TLS could not be verified: a server failure there, retried
    # (soft, not the sender's configuration; see the TLS decision in reasons.py).
    ProviderRule(
        "microsoft x.7.321-325 destination TLS/DANE unverifiable",
        "systemerror",
        status=r"[45]\.7\.32[1-5]",
        sender_side=False,
    ),
    ProviderRule("microsoft 5.0.350 header rejected", "contenterror", status=r"5\.0\.350"),
    ProviderRule(
        "microsoft 5.4.1 directory edge blocking",
        "userunknown",
        status=r"5\.4\.1",
        words=r"recipient address rejected: access denied",
    ),
    ProviderRule("outlook.com RP-00x reputation rate limit", "badreputation", token=r"\brp-00\d\b"),
    ProviderRule("outlook.com (S3xxx) network on block list", "blocked", token=r"\(s3\d{3}\)"),
    ProviderRule(
        "outlook.com SC/DY/OU-00x naming reputation or complaints",
        "badreputation",
        token=r"\b(?:sc|dy|ou)-00\d\b",
        words=r"reputation|complaints",
    ),
    ProviderRule("outlook.com SC/DY/OU-00x policy block", "blocked", token=r"\b(?:sc|dy|ou)-00\d\b"),
    # --- Google (Gmail / Workspace) reuses RFC codes; the documented words tell them apart.
    ProviderRule(
        "google 4.2.1 recipient receiving too fast",
        "speeding",
        status=r"[45]\.2\.1",
        words=r"receiving (?:e-?mails?|mail|messages?) (?:at a rate|too quickly|too fast)",
        sender_side=False,
    ),
    # Gmail defers a transaction whose recipients are in several domains: our client's way of
    # batching (one transaction per destination domain fixes it), so the cause is ours. Keyed on
    # the words, which say it whatever the code (Gmail's is X.3.0; a relay may drop it).
    ProviderRule(
        "google several destination domains per transaction",
        "systemerror",
        token=r"(?:multiple|several|more than one) (?:destination|recipient) domains? (?:per|in (?:one|a|the same)) (?:transaction|message|session)",
        sender_side=True,
    ),
    ProviderRule("google x.7.28 unsolicited URL", "spamdetected", status=r"[45]\.7\.28", words=r"url domain"),
    ProviderRule("google x.7.28 same message-id quota", "policyviolation", status=r"[45]\.7\.28", words=r"message-id"),
    ProviderRule(
        "google x.7.28 unusual rate", "badreputation", status=r"[45]\.7\.28", words=r"unusual rate|rate limited"
    ),
    ProviderRule(
        "google x.7.27/32 authentication",
        "authfailure",
        status=r"[45]\.7\.(?:27|3[0-2])",
        words=r"\b(?:spf|dkim|dmarc)\b|authenticat",
    ),
    ProviderRule("google x.7.29 no TLS", "failedstarttls", status=r"[45]\.7\.29", words=r"\btls\b|\bssl\b|encrypt"),
    ProviderRule("google x.4.5 sending limit", "speeding", status=r"[45]\.4\.5", words=r"sending (?:limit|quota)"),
    ProviderRule(
        "google x.7.23 PTR mismatch", "requireptr", status=r"[45]\.7\.23", words=r"\bptr\b|pointer|reverse dns"
    ),
    # --- Comcast: "BL000000" block-list and "RL000001" rate-limit reply codes.
    ProviderRule("comcast BL0000xx block list", "blocked", token=r"\bbl0000\d\d\b"),
    ProviderRule("comcast RL0000xx rate limit", "speeding", token=r"\brl0000\d\d\b"),
    # --- Yahoo / AOL documented "TSS" (temporary, sender) and "PH" codes.
    ProviderRule("yahoo TS05/TSS05 rate", "speeding", token=r"\btss?05\b"),
    ProviderRule("yahoo TSnn/TSSnn reputation deferral", "badreputation", token=r"\btss?0\d\b"),
    # --- Mimecast: "Administrative prohibition - envelope blocked" (its sender policy).
    ProviderRule(
        "mimecast SPF/DKIM/DMARC sender invalid",
        "authfailure",
        token=r"\b(?:spf|dkim|dmarc)\b[^.;]{0,40}\benvelope (?:blocked|rejected)",
    ),
    ProviderRule(
        "mimecast virus envelope rejected",
        "virusdetected",
        token=r"envelope (?:blocked|rejected)\b[^.;]{0,40}\b(?:virus|malware)",
    ),
    ProviderRule("mimecast envelope blocked", "rejected", token=r"envelope (?:blocked|rejected)"),
    ProviderRule("mimecast blocked senders list", "rejected", token=r"blocked senders"),
)
