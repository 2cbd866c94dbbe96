"""Category and subtype vocabulary shared by the classifier and the Django models.

DESIGN.md §2 maps each machine reason (Sisimai's vocabulary) to a human category and
subtype. The machine values below are what the JSON output and the database store; the
labels are the words admins see. Two extra categories cover recipients that did not
bounce at all: ``delivered`` (an ``Action: delivered/relayed/expanded`` DSN) and
``deferred`` (an ``Action: delayed`` DSN, the send is retried).
"""

from __future__ import annotations

# Category machine values.
HARD = "hard"
SOFT = "soft"
BLOCK = "block"
AUTOREPLY = "autoreply"
COMPLAINT = "complaint"
UNSUBSCRIBE = "unsubscribe"
UNDETERMINED = "undetermined"
DELIVERED = "delivered"
DEFERRED = "deferred"

CATEGORY_LABELS = {
    HARD: "Hard bounce",
    SOFT: "Soft bounce",
    BLOCK: "Mail block",
    AUTOREPLY: "Auto reply",
    COMPLAINT: "Complaint",
    UNSUBSCRIBE: "Unsubscribe request",
    UNDETERMINED: "Undetermined",
    DELIVERED: "Delivered",
    DEFERRED: "Deferred",
}
CATEGORY_CHOICES = list(CATEGORY_LABELS.items())

# Subtype machine value -> (category, human label).
SUBTYPES = {
    "address_unknown": (HARD, "Address does not exist"),
    "domain_unknown": (HARD, "Domain does not exist"),
    "address_moved": (HARD, "Address has moved"),
    "domain_no_mail": (HARD, "Domain accepts no mail"),
    "mailbox_full": (SOFT, "Mailbox full"),
    "message_too_large": (SOFT, "Message too large"),
    "dns_server_failure": (SOFT, "DNS or server failure"),
    "account_disabled": (SOFT, "Account disabled"),
    "delivery_expired": (SOFT, "Delivery expired"),
    "rate_limited": (SOFT, "Rate limited"),
    "soft_general": (SOFT, "General"),
    "block_general": (BLOCK, "General"),
    "known_spammer": (BLOCK, "Known spammer"),
    "relay_denied": (BLOCK, "Relay denied"),
    "spam_detected": (BLOCK, "Spam detected"),
    "virus_detected": (BLOCK, "Attachment or virus detected"),
    "content_rejected": (BLOCK, "Content rejected"),
    "policy": (BLOCK, "Policy"),
    "sender_configuration": (BLOCK, "Sender configuration (SPF, DKIM, DMARC, PTR, TLS)"),
    "relay_suppressed": (BLOCK, "Suppressed by the relay"),
    "auto_reply": (AUTOREPLY, "Auto reply"),
    "spam_complaint": (COMPLAINT, "Spam complaint"),
    "unsubscribe_request": (UNSUBSCRIBE, "Unsubscribe request"),
    "undetermined": (UNDETERMINED, "Undetermined"),
    "delivered": (DELIVERED, "Delivered"),
    "deferred": (DEFERRED, "Deferred"),
}
SUBTYPE_LABELS = {slug: label for slug, (_, label) in SUBTYPES.items()}
SUBTYPE_CHOICES = list(SUBTYPE_LABELS.items())

# Every reason of Sisimai's vocabulary -> subtype. notaccept is listed as hard; with a
# 4xx reply code categorize() moves it to soft.
REASON_TO_SUBTYPE = {
    "userunknown": "address_unknown",
    "hostunknown": "domain_unknown",
    "hasmoved": "address_moved",
    "notaccept": "domain_no_mail",
    "mailboxfull": "mailbox_full",
    "mesgtoobig": "message_too_large",
    "exceedlimit": "message_too_large",
    "systemfull": "dns_server_failure",
    "systemerror": "dns_server_failure",
    "mailererror": "dns_server_failure",
    "networkerror": "dns_server_failure",
    "suspend": "account_disabled",
    "expired": "delivery_expired",
    "toomanyconn": "rate_limited",
    "speeding": "rate_limited",
    "blocked": "block_general",
    "badreputation": "known_spammer",
    "norelaying": "relay_denied",
    "spamdetected": "spam_detected",
    "virusdetected": "virus_detected",
    "contenterror": "content_rejected",
    "policyviolation": "policy",
    "filtered": "block_general",
    "rejected": "block_general",
    "authfailure": "sender_configuration",
    "requireptr": "sender_configuration",
    "notcompliantrfc": "content_rejected",
    "failedstarttls": "sender_configuration",
    "securityerror": "sender_configuration",
    "suppressed": "relay_suppressed",
    "vacation": "auto_reply",
    "feedback": "spam_complaint",
    "onhold": "undetermined",
    "syntaxerror": "undetermined",
    "undefined": "undetermined",
    "delivered": "delivered",
}
REASONS = tuple(REASON_TO_SUBTYPE)

HARD_REASONS = frozenset({"userunknown", "hostunknown", "hasmoved", "notaccept"})

# Reasons whose cause is on the sender's side (DESIGN "Classifier contract": blocklist,
# reputation, authentication, content, the sender's rate): the default of a recipient's
# ``sender_side``; a rule may say so for other reasons too (e.g. a syntax error of ours).
SENDER_SIDE_REASONS = frozenset(
    {
        "blocked",
        "badreputation",
        "norelaying",
        "spamdetected",
        "virusdetected",
        "contenterror",
        "policyviolation",
        "rejected",
        "authfailure",
        "requireptr",
        "notcompliantrfc",
        "failedstarttls",
        "securityerror",
        "speeding",
        "toomanyconn",
        "exceedlimit",
        "mesgtoobig",
        "syntaxerror",
    }
)


def is_temporary(reply_code: str, status: str) -> bool:
    """Return True when the SMTP reply code (or, lacking one, the status) is 4xx."""
    if reply_code:
        return reply_code[:1] == "4"
    return status[:1] == "4"


def categorize(reason: str, reply_code: str = "", status: str = "") -> tuple[str, str, bool]:
    """Return ``(category, subtype, hard)`` for a reason and its SMTP codes.

    ``hard`` is true exactly for userunknown, hostunknown and hasmoved, and for notaccept
    unless a 4xx code says the refusal is temporary (then it is a soft bounce).
    Unknown reasons fall back to ``undetermined``.
    """
    subtype = REASON_TO_SUBTYPE.get(reason, "undetermined")
    if reason == "notaccept" and is_temporary(reply_code, status):
        subtype = "soft_general"
    category = SUBTYPES[subtype][0]
    return category, subtype, category == HARD
