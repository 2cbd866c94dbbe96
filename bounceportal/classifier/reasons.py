"""Why a recipient bounced: the one place the decision is made, in a documented order.

The evidence comes in five layers, each kept as data in its own table: the **SMTP
stage** (connect / helo / mail / rcpt / data / after-data: :mod:`.codes`), the **reply
code** (RFC 5321), the **RFC 3463 status** (a meaning per code, and a default per
subject), the **receiving provider's own codes** (:mod:`.providers`, keyed on the
code, words and remote host) and the **phrase tables** per reason (:mod:`.phrases`).
:func:`decide` resolves them from the most specific to the least, and writes every
rule that fired (and the words it keyed on) into the decision's ``evidence``:

1. a provider's documented code (Exchange's 5.7.606, Gmail's 4.7.28, Outlook.com's
   RP-001): it names one meaning of that provider, so it is trusted first;
2. the subject of the refusal ("Helo command rejected:", "Client host rejected:",
   "Sender address rejected:"): its detail is about us, never about the recipient;
3. the phrase tables on the remote server's quoted reply, else on the diagnostic,
   against a STRONG RFC 3463 code: the code wins unless the words give a reason the
   code is known to be reused for (X.2.2 sent for a sender quota or a size limit). A
   generic refusal that names its cause ("Access denied, <cause>", "Rejected: <cause>",
   "Policy violation: <cause>", "Message rejected due to <cause>") is read by the cause
   when the whole text reads only as the generic refusal (:mod:`.specific`);
4. the stage settles "no such user": after the message was read (after-data) it is a
   filter talking (``filtered``); a hard bounce needs the RCPT stage, an X.1.y status or
   directory wording; "access denied" means what the stage says was refused (Postfix's
   "Recipient address rejected:" names the RCPT stage: a filter, never hard), and with no
   stage, an access denied "for now" ("try again later") is a temporary block of our host;
5. when nothing above spoke, in order: the WEAK RFC 3463 code, the stage alone (an
   SMTP refusal before RCPT: our host or our sender), the reply code (500-504 not
   understood, 421 unavailable), the RFC 3463 subject default, the queue's "gave up",
   and any other 4yz as a transient refusal (``systemerror``, never ``expired``);
6. the notice text around the report (provider landmarks, then the phrase tables);
7. nothing known: ``onhold`` (``undefined`` when no report named the recipient; a
   delayed report with no cause is waiting in a queue: ``expired``);
8. last, the stage corrects a reason about the recipient given before the recipient
   was named (refused at connect / HELO: a block of our host; at MAIL: our sender).

TLS: a receiver demanding TLS we did not use is ``failedstarttls`` (Mail block, sender
configuration); a destination whose own TLS could not be set up or verified (certificate,
DANE / TLSA, MTA-STS, handshake; Exchange Online's x.7.321-325) is ``systemerror`` (soft,
the recipient's side), since DESIGN §2 gives no soft reading to ``securityerror``.

Where each step lives: steps 1-3 in :mod:`.specific`, the corrections of step 4 and step 8
in :mod:`.settling`, steps 5-6 in :mod:`.fallbacks`; the record they all write, with the
phrase tables they share, in :mod:`.decision`. :func:`decide` here calls them in this order.
"""

from __future__ import annotations

from .codes import stage_name
from .decision import Decision, squash
from .fallbacks import fallback_reason, from_context
from .names import name_refusal
from .phrasegate import GatedGroups
from .phrases import RECIPIENT_SIDE
from .settling import (
    about_our_sender,
    adjust_for_stage,
    argument_syntax,
    settle,
    system_status,
    temporary_address,
    user_or_filter,
)
from .specific import quoted_status, status_and_words

_RECIPIENT_SIDE = GatedGroups([("recipient", RECIPIENT_SIDE)])
_STORAGE = frozenset({"mailboxfull", "mesgtoobig", "exceedlimit", "systemfull"})


def decide(
    diagnostic: str,
    status: str,
    command: str = "",
    context: str = "",
    *,
    reply_code: str = "",
    action: str = "failed",
    diag_type: str = "",
    unreported: bool = False,
    remote_mta: str = "",
    live: bool = False,
) -> Decision:
    """Return the decision for one failed or delayed recipient (see the module doc).

    ``diagnostic`` is the recipient's own text (squashed); ``context`` the rest of the
    notification (raw: squashed here, read only when everything else is silent).
    ``command`` is the SMTP stage in any spelling (``RCPT``, ``rcpt``, ``after-data``).
    ``live`` is true for a reply our own sender just received (not a queue's report).
    """
    decision = Decision(stage=stage_name(command))
    stage = decision.stage
    if stage:
        decision.note(f"stage: {stage}", command)
    status = quoted_status(decision, diagnostic, status)
    reason = status_and_words(decision, diagnostic, status, remote_mta, reply_code)
    if diag_type == "x-unix" and reason not in _STORAGE:
        decision.note("RFC 3464 diagnostic type x-unix: a local delivery program", diag_type)
        reason = "mailererror"
    reason = temporary_address(decision, reason, status, reply_code)
    if reason == "userunknown" and not decision.provider:  # a provider's documented code is its own verdict
        reason = user_or_filter(decision, status, stage, diagnostic, live=live)
    reason = settle(decision, reason, stage, diagnostic, live=live, status=status) or fallback_reason(
        decision, diagnostic, status, stage, reply_code
    )
    reason = system_status(decision, temporary_address(decision, reason, status, reply_code), status, reply_code)
    reason = argument_syntax(decision, reason, status, reply_code)
    if not reason and context:
        reason = from_context(decision, squash(context), stage)
    if not reason:
        # A reply received, or a report that quotes none, whose words and codes say nothing
        # we know: its reason is undefined. "onhold" is kept for a queue's report that
        # carries a diagnostic we cannot read (a later notice may say more).
        reason = "expired" if action == "delayed" else "undefined" if unreported or live else "onhold"
        decision.note(f"nothing known: {reason}", action)
    decision.reason = about_our_sender(decision, adjust_for_stage(decision, reason, stage), diagnostic)
    if decision.sender_side is None and diagnostic and _RECIPIENT_SIDE.first(diagnostic):
        decision.note("recipient side: the words name the recipient's own limit or server", diagnostic[:80])
        decision.sender_side = False
    _name_lists_and_products(decision, diagnostic, remote_mta)
    return decision


def _name_lists_and_products(decision: Decision, diagnostic: str, remote_mta: str) -> None:
    """Fill the blocklist and filter product the reply or the remote host names (see :mod:`.names`)."""
    if not diagnostic and not remote_mta:
        return
    naming = name_refusal(diagnostic, remote_mta=remote_mta)
    decision.blocklist, decision.filter_product = naming.blocklist, naming.product
    for rule, words in naming.notes:
        decision.note(rule, words)


def reason_for(diagnostic: str, status: str, command: str = "", context: str = "", **options: object) -> str:
    """Return only the reason of :func:`decide` (same arguments)."""
    return decide(diagnostic, status, command, context, **options).reason  # type: ignore[arg-type]
