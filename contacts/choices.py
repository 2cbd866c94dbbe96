"""The words of DESIGN.md §1–2 as TextChoices, shared by every app.

The machine values match the classifier's JSON output
(``bounceportal.classifier.taxonomy``), so events store what it says verbatim.
"""

from django.db import models


class DeliverabilityStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    BOUNCED = "bounced", "Bounced"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"


class Category(models.TextChoices):
    HARD = "hard", "Hard bounce"
    SOFT = "soft", "Soft bounce"
    BLOCK = "block", "Mail block"
    AUTOREPLY = "autoreply", "Auto reply"
    COMPLAINT = "complaint", "Complaint"
    UNSUBSCRIBE = "unsubscribe", "Unsubscribe request"
    UNDETERMINED = "undetermined", "Undetermined"


class Subtype(models.TextChoices):
    # Hard bounce
    ADDRESS_UNKNOWN = "address_unknown", "Address does not exist"
    DOMAIN_UNKNOWN = "domain_unknown", "Domain does not exist"
    ADDRESS_MOVED = "address_moved", "Address has moved"
    DOMAIN_NO_MAIL = "domain_no_mail", "Domain accepts no mail"
    # Soft bounce
    MAILBOX_FULL = "mailbox_full", "Mailbox full"
    MESSAGE_TOO_LARGE = "message_too_large", "Message too large"
    DNS_SERVER_FAILURE = "dns_server_failure", "DNS or server failure"
    ACCOUNT_DISABLED = "account_disabled", "Account disabled"
    DELIVERY_EXPIRED = "delivery_expired", "Delivery expired"
    RATE_LIMITED = "rate_limited", "Rate limited"
    SOFT_GENERAL = "soft_general", "General"
    # Mail block
    BLOCK_GENERAL = "block_general", "General"
    KNOWN_SPAMMER = "known_spammer", "Known spammer"
    RELAY_DENIED = "relay_denied", "Relay denied"
    SPAM_DETECTED = "spam_detected", "Spam detected"
    VIRUS_DETECTED = "virus_detected", "Attachment or virus detected"
    CONTENT_REJECTED = "content_rejected", "Content rejected"
    POLICY = "policy", "Policy"
    SENDER_CONFIGURATION = "sender_configuration", "Sender configuration (SPF, DKIM, DMARC, PTR, TLS)"
    RELAY_SUPPRESSED = "relay_suppressed", "Suppressed by the relay"
    # The single-subtype categories
    AUTO_REPLY = "auto_reply", "Auto reply"
    SPAM_COMPLAINT = "spam_complaint", "Spam complaint"
    UNSUBSCRIBE_REQUEST = "unsubscribe_request", "Unsubscribe request"
    UNDETERMINED = "undetermined", "Undetermined"


SUBTYPES_BY_CATEGORY = {
    Category.HARD: [Subtype.ADDRESS_UNKNOWN, Subtype.DOMAIN_UNKNOWN, Subtype.ADDRESS_MOVED, Subtype.DOMAIN_NO_MAIL],
    Category.SOFT: [
        Subtype.MAILBOX_FULL,
        Subtype.MESSAGE_TOO_LARGE,
        Subtype.DNS_SERVER_FAILURE,
        Subtype.ACCOUNT_DISABLED,
        Subtype.DELIVERY_EXPIRED,
        Subtype.RATE_LIMITED,
        Subtype.SOFT_GENERAL,
    ],
    Category.BLOCK: [
        Subtype.BLOCK_GENERAL,
        Subtype.KNOWN_SPAMMER,
        Subtype.RELAY_DENIED,
        Subtype.SPAM_DETECTED,
        Subtype.VIRUS_DETECTED,
        Subtype.CONTENT_REJECTED,
        Subtype.POLICY,
        Subtype.SENDER_CONFIGURATION,
        Subtype.RELAY_SUPPRESSED,
    ],
    Category.AUTOREPLY: [Subtype.AUTO_REPLY],
    Category.COMPLAINT: [Subtype.SPAM_COMPLAINT],
    Category.UNSUBSCRIBE: [Subtype.UNSUBSCRIBE_REQUEST],
    Category.UNDETERMINED: [Subtype.UNDETERMINED],
}
CATEGORY_OF_SUBTYPE = {sub: cat for cat, subs in SUBTYPES_BY_CATEGORY.items() for sub in subs}

# Categories whose events count toward the consecutive soft-bounce threshold
# (DESIGN §3: mail blocks count as soft bounces).
SOFT_COUNTING_CATEGORIES = frozenset({Category.SOFT, Category.BLOCK})


class Reason(models.TextChoices):
    """Sisimai's reason vocabulary, the de-facto standard among bounce parsers."""

    USERUNKNOWN = "userunknown"
    HOSTUNKNOWN = "hostunknown"
    HASMOVED = "hasmoved"
    NOTACCEPT = "notaccept"
    MAILBOXFULL = "mailboxfull"
    MESGTOOBIG = "mesgtoobig"
    EXCEEDLIMIT = "exceedlimit"
    SYSTEMFULL = "systemfull"
    SYSTEMERROR = "systemerror"
    MAILERERROR = "mailererror"
    NETWORKERROR = "networkerror"
    SUSPEND = "suspend"
    EXPIRED = "expired"
    TOOMANYCONN = "toomanyconn"
    SPEEDING = "speeding"
    BLOCKED = "blocked"
    BADREPUTATION = "badreputation"
    NORELAYING = "norelaying"
    SPAMDETECTED = "spamdetected"
    VIRUSDETECTED = "virusdetected"
    CONTENTERROR = "contenterror"
    POLICYVIOLATION = "policyviolation"
    FILTERED = "filtered"
    REJECTED = "rejected"
    AUTHFAILURE = "authfailure"
    REQUIREPTR = "requireptr"
    NOTCOMPLIANTRFC = "notcompliantrfc"
    FAILEDSTARTTLS = "failedstarttls"
    SECURITYERROR = "securityerror"
    SUPPRESSED = "suppressed"
    VACATION = "vacation"
    FEEDBACK = "feedback"
    ONHOLD = "onhold"
    SYNTAXERROR = "syntaxerror"
    UNDEFINED = "undefined"
    DELIVERED = "delivered"


class MemberRole(models.TextChoices):
    ADMIN = "admin", "Admin"
    VIEWER = "viewer", "Viewer"


class ClearedVia(models.TextChoices):
    PORTAL = "portal", "Portal (learner edit)"
    PORTAL_BULK = "portal_bulk", "Portal bulk clear"
    ADMIN = "admin", "Admin"
    ADMIN_BULK = "admin_bulk", "Admin bulk clear"
    ADDRESS_LIST = "address_list", "Admin address list"
    EMAIL_CHANGE = "email_change", "Email address changed"
    OPEN = "open", "Learner opened a message"
    RECLASSIFY = "reclassify", "Bounce re-classified"
