"""The taxonomy's labels as msgids of contacts' catalog, so ``makemessages`` finds them.

``bounceportal.classifier.taxonomy`` is a Django-free library and keeps its English words;
``contacts.choices`` translates them when shown. tests/contacts/test_translations.py fails when
the taxonomy gains a label that is missing here.
"""

from django.utils.translation import gettext_noop

TAXONOMY_LABELS = (
    gettext_noop("Hard bounce"),
    gettext_noop("Soft bounce"),
    gettext_noop("Mail block"),
    gettext_noop("Auto reply"),
    gettext_noop("Complaint"),
    gettext_noop("Unsubscribe request"),
    gettext_noop("Undetermined"),
    gettext_noop("Delivered"),
    gettext_noop("Deferred"),
    gettext_noop("Address does not exist"),
    gettext_noop("Domain does not exist"),
    gettext_noop("Address has moved"),
    gettext_noop("Domain accepts no mail"),
    gettext_noop("Mailbox full"),
    gettext_noop("Message too large"),
    gettext_noop("DNS or server failure"),
    gettext_noop("Account disabled"),
    gettext_noop("Delivery expired"),
    gettext_noop("Rate limited"),
    gettext_noop("General"),
    gettext_noop("Known spammer"),
    gettext_noop("Relay denied"),
    gettext_noop("Spam detected"),
    gettext_noop("Attachment or virus detected"),
    gettext_noop("Content rejected"),
    gettext_noop("Policy"),
    gettext_noop("Sender configuration (SPF, DKIM, DMARC, PTR, TLS)"),
    gettext_noop("Suppressed by the relay"),
    gettext_noop("Spam complaint"),
)
