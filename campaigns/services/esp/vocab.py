"""Services' own bounce vocabularies, read onto our reasons, and the rule that chooses between them and the
classifier (issue #17: "when the two disagree, the event keeps both and the rule that decided is recorded").

Each service names a bounce its own way: Amazon SES a bounceType/bounceSubType, SendGrid a type and a
bounce classification, Postmark a Type, SparkPost a numeric bounce class, Mailgun a severity and a
reason. ``service_verdict`` turns that into one of our reasons, or ``""`` when the words say only
"soft" or "hard" and nothing specific (SES "Transient/General"); then the classifier's reading of
the diagnostic the event carries decides. The mapping follows each service's published definitions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bounceportal.classifier import Recipient, classify_smtp_reply
from bounceportal.classifier.smtptext import status_of

# Amazon SES bounce types (docs: "Bounce types"): "" means the words are not specific.
SES = {
    ("Permanent", "General"): "",
    ("Permanent", "NoEmail"): "userunknown",
    ("Permanent", "Suppressed"): "suppressed",
    ("Permanent", "OnAccountSuppressionList"): "suppressed",
    ("Permanent", "UnsubscribedRecipient"): "suppressed",
    ("Transient", "General"): "",
    ("Transient", "MailboxFull"): "mailboxfull",
    ("Transient", "MessageTooLarge"): "mesgtoobig",
    ("Transient", "ContentRejected"): "contenterror",
    ("Transient", "AttachmentRejected"): "virusdetected",
    ("Undetermined", "Undetermined"): "",
}
# SendGrid's bounce classifications (docs: "Bounce and Block classifications").
SENDGRID_CLASSES = {
    "invalid address": "userunknown",
    "mailbox unavailable": "suspend",
    "technical": "systemerror",
    "content": "contenterror",
    "reputation": "badreputation",
    "frequency or volume": "speeding",
    "unclassified": "",
}
# SendGrid "dropped" reasons: the service itself refused to send.
SENDGRID_DROPPED = {
    "bounced address": "suppressed",
    "unsubscribed address": "suppressed",
    "spam reporting address": "suppressed",
    "invalid": "syntaxerror",
}
# Postmark bounce Types (docs: "Bounce types").
POSTMARK = {
    "HardBounce": "userunknown",
    "SoftBounce": "",
    "Transient": "",
    "DnsError": "networkerror",
    "BadEmailAddress": "userunknown",
    "VirusNotification": "virusdetected",
    "Blocked": "blocked",
    "DMARCPolicy": "authfailure",
    "ManuallyDeactivated": "suppressed",
    "ManualSuppression": "suppressed",
    "AutoResponder": "vacation",
    "ChallengeVerification": "vacation",
    "AddressChange": "hasmoved",
    "SpamNotification": "feedback",
    "SpamComplaint": "feedback",
    "Unknown": "",
}
# SparkPost bounce classes (docs: "Bounce classification codes").
SPARKPOST = {
    "1": "",
    "10": "userunknown",
    "20": "",
    "21": "networkerror",
    "22": "mailboxfull",
    "23": "mesgtoobig",
    "24": "expired",
    "25": "policyviolation",
    "30": "userunknown",
    "40": "",
    "50": "blocked",
    "51": "badreputation",
    "52": "spamdetected",
    "53": "virusdetected",
    "54": "norelaying",
    "60": "vacation",
    "70": "",
    "100": "vacation",
}
# Mailgun failure reasons (with a severity of permanent or temporary).
MAILGUN = {
    "suppress-bounce": "suppressed",
    "suppress-unsubscribe": "suppressed",
    "suppress-complaint": "suppressed",
    "espblock": "blocked",
    "old": "expired",
    "bounce": "",
    "generic": "",
}
# Reasons only the service can know (its own suppression list, its reading of an auto-reply or a
# complaint): they stand whatever the diagnostic says.
SERVICE_FACTS = frozenset({"suppressed", "vacation", "feedback", "expired"})
_DIAGNOSTIC_TYPE = re.compile(r"^smtp\s*;\s*", re.IGNORECASE)  # "smtp; 550 …" as DSNs (and SES) write it
UNSPECIFIC = frozenset({"", "undefined", "onhold"})


@dataclass(frozen=True)
class ServiceVerdict:
    """The service's words (``words``, e.g. 'Transient/General'), our reason for them ('' if unspecific),
    whether they say permanent (True), temporary (False) or nothing (None), and an SMTP code they carry."""

    words: str
    reason: str
    permanent: bool | None
    code: str = ""


def service_verdict(service: str, esp_event: dict, anymail_type: str) -> ServiceVerdict:
    """Read the service's own classification out of its event (no diagnostic reading here)."""
    reader = _READERS.get(service)
    if reader is None or not isinstance(esp_event, dict):
        return ServiceVerdict(words=anymail_type, reason="", permanent=None)
    return reader(esp_event, anymail_type)


def _ses(event: dict, anymail_type: str) -> ServiceVerdict:
    bounce = event.get("bounce") or {}
    kind, sub = str(bounce.get("bounceType", "")), str(bounce.get("bounceSubType", ""))
    if not kind:
        return ServiceVerdict(
            words=str(event.get("eventType") or event.get("notificationType") or ""), reason="", permanent=None
        )
    permanent = {"Permanent": True, "Transient": False}.get(kind)
    return ServiceVerdict(words=f"{kind}/{sub}", reason=SES.get((kind, sub), ""), permanent=permanent)


def _sendgrid(event: dict, anymail_type: str) -> ServiceVerdict:
    kind = str(event.get("event", ""))
    code = str(event.get("status", ""))
    if kind == "dropped":
        reason = str(event.get("reason", ""))
        return ServiceVerdict(
            words=f"dropped: {reason}", reason=SENDGRID_DROPPED.get(reason.lower(), "rejected"), permanent=True
        )
    classification = str(event.get("bounce_classification", ""))
    bounce_type = str(event.get("type", ""))  # "bounce" or "blocked"
    reason = SENDGRID_CLASSES.get(classification.lower(), "")
    if not reason and bounce_type == "blocked":
        reason = "blocked"
    words = "/".join(w for w in (bounce_type, classification) if w) or kind
    permanent = True if kind == "bounce" else (False if kind == "deferred" else None)
    return ServiceVerdict(words=words, reason=reason, permanent=permanent, code=code)


def _postmark(event: dict, anymail_type: str) -> ServiceVerdict:
    kind = str(event.get("Type", "") or event.get("RecordType", ""))
    code = str(event.get("TypeCode", ""))
    permanent = {"HardBounce": True, "BadEmailAddress": True, "SoftBounce": False, "Transient": False}.get(kind)
    return ServiceVerdict(words=kind, reason=POSTMARK.get(kind, ""), permanent=permanent, code=code)


def _sparkpost(event: dict, anymail_type: str) -> ServiceVerdict:
    inner = event.get("msys") or {}
    body = next(iter(inner.values()), {}) if isinstance(inner, dict) and inner else event
    bounce_class = str(body.get("bounce_class", ""))
    if not bounce_class:
        return ServiceVerdict(words=str(body.get("type", "")), reason="", permanent=None)
    permanent = True if bounce_class in ("10", "30", "25", "50", "51", "52", "53", "54", "90") else None
    if bounce_class in ("20", "21", "22", "23", "24", "40", "70"):
        permanent = False
    return ServiceVerdict(
        words=f"bounce class {bounce_class}",
        reason=SPARKPOST.get(bounce_class, ""),
        permanent=permanent,
        code=str(body.get("error_code", "")),
    )


def _mailgun(event: dict, anymail_type: str) -> ServiceVerdict:
    data = event.get("event-data") or event
    severity, reason = str(data.get("severity", "")), str(data.get("reason", ""))
    status = data.get("delivery-status") or {}
    code = str(status.get("code", "")) if isinstance(status, dict) else ""
    permanent = {"permanent": True, "temporary": False}.get(severity)
    words = "/".join(w for w in (severity, reason) if w) or str(data.get("event", ""))
    return ServiceVerdict(words=words, reason=MAILGUN.get(reason, ""), permanent=permanent, code=code)


_READERS = {
    "amazon_ses": _ses,
    "sendgrid": _sendgrid,
    "postmark": _postmark,
    "sparkpost": _sparkpost,
    "mailgun": _mailgun,
}


@dataclass
class Decision:
    """The recipient we keep (its reason from whichever side won), both verdicts, and the deciding rule."""

    recipient: Recipient
    service: dict
    classifier: dict
    rule: str


def decide(verdict: ServiceVerdict, diagnostic: str, *, address: str) -> Decision:
    """Classify the event's diagnostic and choose between that and the service's verdict.

    The rules, in order: a service fact (its own suppression list, an auto-reply, a complaint, an
    expiry) stands; no diagnostic text → the service; the service unspecific → the classifier; the
    classifier unspecific → the service; both specific → the classifier, which read the words
    the receiving server wrote, and the service's verdict is kept beside it.
    """
    text = _DIAGNOSTIC_TYPE.sub("", " ".join((diagnostic or "").split()))
    code = _reply_code(text, verdict)
    read = classify_smtp_reply(code, _without_code(text, code), address=address)
    if read.action == "delayed":  # the service gave up: a final failure, whatever the code's class
        read.action = "failed"
        read.set_reason(read.reason)
    service = {"words": verdict.words, "reason": verdict.reason, "permanent": verdict.permanent}
    classifier = {"reason": read.reason, "category": read.category, "subtype": read.subtype}
    if verdict.reason in SERVICE_FACTS:
        rule = f"service fact: {verdict.words} is {verdict.reason} (the service's own knowledge, not in the text)"
        return Decision(_with_reason(read, verdict.reason), service, classifier, rule)
    if not text:
        reason = verdict.reason or ("undefined" if verdict.permanent is None else _fallback(verdict))
        return Decision(
            _with_reason(read, reason), service, classifier, f"service: {verdict.words} (no diagnostic to read)"
        )
    if not verdict.reason and read.reason not in UNSPECIFIC:
        return Decision(read, service, classifier, f"classifier: the service says only {verdict.words or 'bounced'}")
    if verdict.reason and read.reason in UNSPECIFIC:
        rule = f"service: {verdict.words} is {verdict.reason}; the classifier found nothing specific"
        return Decision(_with_reason(read, verdict.reason), service, classifier, rule)
    if not verdict.reason:
        reason = _fallback(verdict) if verdict.permanent is not None else read.reason
        return Decision(
            _with_reason(read, reason), service, classifier, f"neither specific: {verdict.words or 'bounced'}"
        )
    if verdict.reason == read.reason:
        return Decision(read, service, classifier, f"agree: {verdict.words} and the diagnostic both read {read.reason}")
    rule = f"classifier over service: the diagnostic reads {read.reason}, the service said {verdict.words} ({verdict.reason})"
    return Decision(read, service, classifier, rule)


def _fallback(verdict: ServiceVerdict) -> str:
    """A permanent failure nobody could name stays undetermined; a temporary one is a soft bounce."""
    return "undefined" if verdict.permanent else "systemerror"


def _with_reason(read: Recipient, reason: str) -> Recipient:
    read.set_reason(reason)
    return read


def _reply_code(text: str, verdict: ServiceVerdict) -> str:
    head = text[:3]
    if head.isdigit() and head[0] in "245":
        return head
    code = verdict.code.strip()
    if code[:3].isdigit() and len(code) >= 3 and code[0] in "245":
        return code[:3]
    status = status_of(text[:60]) or status_of(code)
    if status:
        return status[0] + "00"
    if verdict.permanent is not None:
        return "550" if verdict.permanent else "450"
    return ""


def _without_code(text: str, code: str) -> str:
    return text[3:].lstrip(" -") if code and text.startswith(code) else text
