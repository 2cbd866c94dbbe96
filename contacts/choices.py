"""The words of DESIGN.md §1–2 as TextChoices, shared by every app.

Bounce categories, subtypes and reasons are built from the classifier's
vocabulary (``bounceportal.classifier.taxonomy``), so events store what it says
verbatim and admins read its labels.
"""

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bounceportal.classifier import taxonomy


class DeliverabilityStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    BOUNCED = "bounced", _("Bounced")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")


# The taxonomy's labels are English words of a Django-free library: they are translated here, when
# shown (contacts/taxonomy_messages.py puts them in contacts' catalog).
def _category(value: str) -> tuple[str, str | Promise]:
    return value, _(taxonomy.CATEGORY_LABELS[value])


def _subtype(value: str) -> tuple[str, str | Promise]:
    return value, _(taxonomy.SUBTYPE_LABELS[value])


def _reason(value: str) -> str:
    if value not in taxonomy.REASON_TO_SUBTYPE:
        raise KeyError(f"{value!r} is not a reason of bounceportal.classifier.taxonomy")
    return value


# Members are spelled out (so code and type checkers see ``Category.HARD``), but every value and
# label is the taxonomy's: a word changes in bounceportal/classifier/taxonomy.py and nowhere else.
# tests/test_taxonomy_agreement.py fails when the taxonomy gains a bounce category, subtype or reason
# that has no member here yet (adding one changes the fields' choices: a migration).


class Category(models.TextChoices):
    HARD = _category(taxonomy.HARD)
    SOFT = _category(taxonomy.SOFT)
    BLOCK = _category(taxonomy.BLOCK)
    AUTOREPLY = _category(taxonomy.AUTOREPLY)
    COMPLAINT = _category(taxonomy.COMPLAINT)
    UNSUBSCRIBE = _category(taxonomy.UNSUBSCRIBE)
    UNDETERMINED = _category(taxonomy.UNDETERMINED)


class Subtype(models.TextChoices):
    # Hard bounce
    ADDRESS_UNKNOWN = _subtype("address_unknown")
    DOMAIN_UNKNOWN = _subtype("domain_unknown")
    ADDRESS_MOVED = _subtype("address_moved")
    DOMAIN_NO_MAIL = _subtype("domain_no_mail")
    # Soft bounce
    MAILBOX_FULL = _subtype("mailbox_full")
    MESSAGE_TOO_LARGE = _subtype("message_too_large")
    DNS_SERVER_FAILURE = _subtype("dns_server_failure")
    ACCOUNT_DISABLED = _subtype("account_disabled")
    DELIVERY_EXPIRED = _subtype("delivery_expired")
    RATE_LIMITED = _subtype("rate_limited")
    SOFT_GENERAL = _subtype("soft_general")
    # Mail block
    BLOCK_GENERAL = _subtype("block_general")
    KNOWN_SPAMMER = _subtype("known_spammer")
    RELAY_DENIED = _subtype("relay_denied")
    SPAM_DETECTED = _subtype("spam_detected")
    VIRUS_DETECTED = _subtype("virus_detected")
    CONTENT_REJECTED = _subtype("content_rejected")
    POLICY = _subtype("policy")
    SENDER_CONFIGURATION = _subtype("sender_configuration")
    RELAY_SUPPRESSED = _subtype("relay_suppressed")
    # The single-subtype categories
    AUTO_REPLY = _subtype("auto_reply")
    SPAM_COMPLAINT = _subtype("spam_complaint")
    UNSUBSCRIBE_REQUEST = _subtype("unsubscribe_request")
    UNDETERMINED = _subtype("undetermined")


# Each subtype's category, and the subtypes of each category in the taxonomy's order.
CATEGORY_OF_SUBTYPE = {
    Subtype(slug): Category(category)
    for slug, (category, _label) in taxonomy.SUBTYPES.items()
    if slug in Subtype.values
}
SUBTYPES_BY_CATEGORY = {
    category: [subtype for subtype, of in CATEGORY_OF_SUBTYPE.items() if of == category] for category in Category
}

# Categories whose events count toward the consecutive soft-bounce threshold
# (DESIGN §3: mail blocks count as soft bounces).
SOFT_COUNTING_CATEGORIES = frozenset({Category.SOFT, Category.BLOCK})


class Reason(models.TextChoices):
    """Sisimai's reason vocabulary, the de-facto standard among bounce parsers."""

    USERUNKNOWN = _reason("userunknown")
    HOSTUNKNOWN = _reason("hostunknown")
    HASMOVED = _reason("hasmoved")
    NOTACCEPT = _reason("notaccept")
    MAILBOXFULL = _reason("mailboxfull")
    MESGTOOBIG = _reason("mesgtoobig")
    EXCEEDLIMIT = _reason("exceedlimit")
    SYSTEMFULL = _reason("systemfull")
    SYSTEMERROR = _reason("systemerror")
    MAILERERROR = _reason("mailererror")
    NETWORKERROR = _reason("networkerror")
    SUSPEND = _reason("suspend")
    EXPIRED = _reason("expired")
    TOOMANYCONN = _reason("toomanyconn")
    SPEEDING = _reason("speeding")
    BLOCKED = _reason("blocked")
    BADREPUTATION = _reason("badreputation")
    NORELAYING = _reason("norelaying")
    SPAMDETECTED = _reason("spamdetected")
    VIRUSDETECTED = _reason("virusdetected")
    CONTENTERROR = _reason("contenterror")
    POLICYVIOLATION = _reason("policyviolation")
    FILTERED = _reason("filtered")
    REJECTED = _reason("rejected")
    AUTHFAILURE = _reason("authfailure")
    REQUIREPTR = _reason("requireptr")
    NOTCOMPLIANTRFC = _reason("notcompliantrfc")
    FAILEDSTARTTLS = _reason("failedstarttls")
    SECURITYERROR = _reason("securityerror")
    SUPPRESSED = _reason("suppressed")
    VACATION = _reason("vacation")
    FEEDBACK = _reason("feedback")
    ONHOLD = _reason("onhold")
    SYNTAXERROR = _reason("syntaxerror")
    UNDEFINED = _reason("undefined")
    DELIVERED = _reason("delivered")


class MemberRole(models.TextChoices):
    ADMIN = "admin", _("Admin")
    VIEWER = "viewer", _("Viewer")


class ClearedVia(models.TextChoices):
    PORTAL = "portal", _("Portal (learner edit)")
    PORTAL_BULK = "portal_bulk", _("Portal bulk clear")
    ADMIN = "admin", _("Admin")
    ADMIN_BULK = "admin_bulk", _("Admin bulk clear")
    ADDRESS_LIST = "address_list", _("Admin address list")
    EMAIL_CHANGE = "email_change", _("Email address changed")
    OPEN = "open", _("Learner opened a message")
    RECLASSIFY = "reclassify", _("Bounce re-classified")
    EXPIRY = "expiry", _("Soft suppression expired")
    API = "api", _("REST API")
