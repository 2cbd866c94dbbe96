"""Bounce classifier: what a returned message says, in Sisimai's reason vocabulary.

Pure Python, no Django. ``classify(raw)`` reads any bytes (a DSN, a provider's own
bounce format, an auto-reply, an ARF complaint, an unsubscribe request, or anything
else) and returns a :class:`Result`; it never raises. ``classify_smtp_reply`` reads an
SMTP rejection seen while sending, and ``recipient_for_reason`` builds a Recipient for
outcomes the sender decides itself (e.g. ``expired`` after the last retry).

Machine values for category and subtype live in :mod:`.taxonomy`. Recipients that were
delivered get category ``delivered``; recipients of ``Action: delayed`` reports get
category ``deferred`` (the send is retried), with the reason the text gives.
Unsubscribe requests use reason ``feedback``, ``feedback_type`` ``opt-out`` and category
``unsubscribe``; ARF reports keep category ``complaint`` whatever their feedback type.
"""

from .budget import TOO_COMPLEX
from .core import classify
from .result import Recipient, Result
from .smtpreply import classify_smtp_reply, recipient_for_reason

__all__ = ["TOO_COMPLEX", "Recipient", "Result", "classify", "classify_smtp_reply", "recipient_for_reason"]
