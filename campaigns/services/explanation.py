"""What a bounce event keeps of the classifier's explanation (stage, side, product, list, evidence).

One place turns a classifier Recipient into the event's explanation columns, for
mailbox bounces and SMTP rejections alike, so both say why they were read as they were.
"""

from bounceportal.classifier import Recipient
from bounceportal.db import clean_text

# Evidence is attacker-influenced text: bound what one event stores.
MAX_EVIDENCE_ITEMS = 12
MAX_EVIDENCE_TEXT = 300


def explanation_fields(recipient: Recipient) -> dict:
    """The BounceEvent fields that say why ``recipient`` got its reason (storable, bounded)."""
    evidence = [
        {"rule": clean_text(item["rule"], 120), "text": clean_text(item["text"], MAX_EVIDENCE_TEXT)}
        for item in recipient.evidence[:MAX_EVIDENCE_ITEMS]
    ]
    return {
        "stage": clean_text(recipient.stage, 12),
        "sender_side": recipient.sender_side,
        "filter_product": clean_text(recipient.filter_product, 60),
        "blocklist": clean_text(recipient.blocklist, 60),
        "evidence": evidence,
    }
