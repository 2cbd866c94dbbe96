"""Steps 5 and 6 of the decision: what is read when nothing specific spoke.

:func:`fallback_reason` (step 5) reads, in order, the weak RFC 3463 code (a permanent refusal
after end of DATA that names no cause: the message's content), a 4xx greeting, the stage alone,
the reply code, the RFC 3463 subject default, the queue's "gave up", any other 4yz, words
saying "for now", and a bare permanent refusal. :func:`from_context` (step 6) reads the notice
text around the report: provider landmarks, then the phrase tables, settled like a
diagnostic (:func:`.settling.settle`). :func:`.reasons.decide` calls them only after
:mod:`.specific` and :mod:`.settling` returned nothing.
"""

from __future__ import annotations

from .codes import REPLY_REASONS, STAGE_REASONS, SUBJECT_DEFAULTS, TRANSIENT_DEFAULT, WEAK_STATUS
from .decision import Decision, note_phrase, status_reason
from .lazyre import compile_later
from .phrasegate import GatedGroups
from .phrases import NOTICE_NAMES, NOTICE_PHRASES
from .settling import FOR_NOW, settle

_NOTICE = GatedGroups(NOTICE_PHRASES)
# Sentences MTAs append to any final failure ("I've given up"): they say the queue
# ran out, which is the reason only when nothing more specific was said.
_WEAK_PHRASE = compile_later(
    r"(?:in|on) the queue too long|giving up|gave up|delivery attempts? (?:will )?(?:continue|stopped)"
)
# A permanent (5yz) refusal that names no cause but says the mail was refused ("554
# Message refused", "550 Routing rule rejection"): the receiver blocked it, for reasons
# of its own. Read last, when no code, stage or table said anything.
_PLAIN_REFUSAL = compile_later(
    r"\b(?:refus(?:ed|al)|reject(?:ed|ion)|denied|not (?:allowed|accepted|permitted)|prohibited|forbidden|blocked)\b"
)

# Words saying the sender is on a list of refused senders: a block whatever the stage.
_LISTED = compile_later(r"\b(?:black|block|deny|ban) ?-?list(?:ed)?\b")


def _judged_message(decision: Decision, reason: str, diagnostic: str, stage: str, code: str) -> str:
    """A permanent refusal naming no cause given after end of DATA: the receiver refused the
    message it had read (its content or policy), not our host — a block of our IP or host
    comes at connect, HELO or RCPT, before any message is read (RFC 5321 §3.3). A refusal that
    says we are listed ("blacklisted", "on a blocklist") stays a block."""
    if reason == "blocked" and stage == "after-data" and code == "5" and not _LISTED.search(diagnostic):
        decision.note("refused after the message was read, naming no cause: its content (contenterror)", stage)
        return "contenterror"
    return reason


def fallback_reason(decision: Decision, diagnostic: str, status: str, stage: str, reply_code: str) -> str:
    """The fallbacks when no strong code, provider row or phrase spoke, in order."""
    weak = status_reason(status, WEAK_STATUS)
    if weak:
        decision.note(f"status {status}: RFC 3463 default ({weak})", status)
        return _judged_message(decision, weak, diagnostic, stage, (reply_code or status)[:1])
    if stage == "connect" and reply_code[:1] == "4":
        # A greeting that turns us away for now and says no more ("421 Come back later"):
        # RFC 5321 §3.1 "service not available" — the server's own state, retried.
        decision.note(
            f"reply code {reply_code} at connect: service not available for now ({TRANSIENT_DEFAULT})", reply_code
        )
        return TRANSIENT_DEFAULT
    if stage in STAGE_REASONS and reply_code[:1] in ("4", "5"):  # an SMTP refusal, not a failed TCP connect
        decision.note(f"stage {stage} alone ({STAGE_REASONS[stage]})", stage)
        return STAGE_REASONS[stage]
    if reply_code in REPLY_REASONS:
        decision.note(f"reply code {reply_code}: RFC 5321 ({REPLY_REASONS[reply_code]})", reply_code)
        return REPLY_REASONS[reply_code]
    subject = SUBJECT_DEFAULTS.get(status[2:].split(".")[0]) if status[:1] in ("4", "5") else None
    if subject and status[2:] != "0.0":
        decision.note(f"status {status}: RFC 3463 subject default ({subject})", status)
        return subject
    found = _WEAK_PHRASE.search(diagnostic) if diagnostic else None
    if found:
        decision.note("queue gave up (expired)", found.group(0))
        return "expired"
    if reply_code[:1] == "4":
        decision.note(f"reply code {reply_code}: transient refusal ({TRANSIENT_DEFAULT})", reply_code)
        return TRANSIENT_DEFAULT
    found = FOR_NOW.search(diagnostic) if not reply_code and not status and diagnostic else None
    if found:
        decision.note(f"no reply code, but the words say 'for now' ({TRANSIENT_DEFAULT})", found.group(0))
        return TRANSIENT_DEFAULT
    found = _PLAIN_REFUSAL.search(diagnostic) if reply_code[:1] == "5" and diagnostic else None
    if found:
        decision.note(f"reply code {reply_code}: a permanent refusal naming no cause (blocked)", found.group(0))
        return _judged_message(decision, "blocked", diagnostic, stage, "5")
    return ""


def from_context(decision: Decision, context: str, stage: str) -> str:
    reason, index, words = _NOTICE.find(context)
    if reason:
        decision.note(f"notice landmark: {NOTICE_NAMES[index]} → {reason}", words)
    else:
        reason = note_phrase(decision, context, "notice text")
    if not reason:
        found = _WEAK_PHRASE.search(context)
        if found:
            decision.note("notice: queue gave up (expired)", found.group(0))
            reason = "expired"
    return settle(decision, reason, stage)
