"""A reply reads the same when its code or its stage is missing: the words decide (issue #12).

Replies we have not seen often come with a code our provider tables do not know, a generic
one (5.7.1, 5.0.0, 550), or none at all (an MTA relaying the text dropped it); our sender may
not know the stage. Then the words must carry the meaning: a generic refusal that names its
cause ("Access denied, <cause>", "Policy violation: <cause>") is read by the cause; a filter's
"Recipient address rejected: Access denied" is a filter, never a hard bounce; a server that
says what failed ("Too many related errors", "Session setup failed") is a soft failure of its
own, not ``onhold``.

The vendor replies (``../shared/vendor-replies``, used part only: the set-aside part is never
read here) are read as documented and with their codes or stage taken away; the misreads per
mode may not grow past what was measured. The rows below them are worded here, from the
documented meanings, not copied from the vendor set.
"""

import json
import re

import pytest

from bounceportal.classifier import classify
from bounceportal.classifier.score import DEFAULT_REPLIES, in_part, reply_as_received, reply_misses
from bounceportal.classifier.smtpreply import classify_smtp_reply
from tests.classifier.replies import category_of, read

_ENHANCED = re.compile(r"\b[245]\.\d{1,3}\.\d{1,3}\b")
_BASIC = re.compile(r"^\s*[245]\d\d(?:[ -]|$)")


def without(part, code, text, stage):
    """The reply ``(code, text, stage)`` as received with ``part`` taken away (or made generic:
    ``X.0.0`` / ``X.7.1`` for the enhanced code, of the class the reply code or status has)."""
    if part.startswith("enhanced code made X"):
        found = _ENHANCED.search(text)
        klass = (code or (found.group(0) if found else "5"))[:1]
        return code, _ENHANCED.sub(klass + part[-4:], text), stage
    if part in ("codes", "enhanced code", "codes and stage"):
        text = _ENHANCED.sub("", text)
    if part in ("codes", "basic code", "codes and stage"):
        code, text = "", _BASIC.sub("", text)
    if part in ("stage", "codes and stage"):
        stage = ""
    return code, " ".join(text.split()), stage


# Misread replies (any of category, reason, sender side wrong) of the 225 used vendor replies,
# per part taken away ("enhanced code made X.0.0": the enhanced code replaced by the generic X.0.0).
# Measured 6 Dec 2026, before -> after reading generic refusals by their cause, filters' "access
# denied" by the RCPT prefix, servers' own failures by their words, and a full mailbox under a
# generic X.7.y by the words that name it: as documented 7 -> 7, no codes 18 -> 12, no enhanced
# code 17 -> 13, no basic code 7 -> 7, no stage 9 -> 9, generic X.0.0 17 -> 13, generic X.7.1
# 24 -> 15, codes and stage 21 (one read hard) -> 15 (none). Never raise these; lower them
# when a change reads more.
MISREAD_AT_MOST = {
    "codes and stage": 15,
    "nothing": 7,
    "codes": 12,
    "enhanced code": 13,
    "basic code": 7,
    "stage": 9,
    "enhanced code made X.0.0": 13,
    "enhanced code made X.7.1": 15,
}


@pytest.fixture(scope="module")
def used_replies():
    if not DEFAULT_REPLIES.is_file():
        pytest.skip(f"vendor replies not found at {DEFAULT_REPLIES.resolve()} (expected ../shared/vendor-replies)")
    return [e for e in json.loads(DEFAULT_REPLIES.read_text()) if in_part(str(e["id"]), "used")]


def misreads(entries, part):
    """The ``(id, wrong fields)`` of the entries misread with ``part`` taken away."""
    found = []
    for entry in entries:
        code, text, stage = without(part, *reply_as_received(entry))
        wrong = reply_misses(entry, classify_smtp_reply(code, text, command=stage))
        if wrong:
            found.append((entry["id"], wrong))
    return found


@pytest.mark.parametrize("part", sorted(MISREAD_AT_MOST))
def test_a_documented_reply_is_never_read_hard_when_a_part_of_it_is_missing(used_replies, part):
    false_hard = [rid for rid, wrong in misreads(used_replies, part) if "false_hard" in wrong]

    assert false_hard == [], f"[{part}] read hard but not labeled hard: {false_hard}"


@pytest.mark.parametrize("part", sorted(MISREAD_AT_MOST))
def test_documented_replies_are_read_by_their_words_as_well_as_measured(used_replies, part):
    missed = misreads(used_replies, part)

    assert len(missed) <= MISREAD_AT_MOST[part], f"[{part}] {len(missed)} misread: {missed}"


# A generic refusal followed by its cause: the cause decides, whatever the generic word.
# (reply code, text, reason)
NAMED_CAUSES = [
    ("550", "Policy violation: the message is larger than the allowed size", "mesgtoobig"),
    ("550", "Policy violation - mailbox full", "mailboxfull"),
    ("550", "Content policy violation: mailbox is full", "mailboxfull"),
    ("", "Message rejected due to policy: attachment contains a virus", "virusdetected"),
    ("", "Access denied, example.org does not accept connections over IPv6", "policyviolation"),
    ("", "Access denied, the recipient is banned", "suspend"),
]


@pytest.mark.parametrize(("code", "text", "reason"), NAMED_CAUSES)
def test_a_generic_refusal_is_read_by_the_cause_it_names(code, text, reason):
    got = read(code, "", text)

    assert got.reason == reason, got.evidence
    assert not got.hard


# "Access denied" that says it holds for now, with no stage and no enhanced code: the receiver
# restricts us for the time being (a block of our host), not a security refusal.
DENIED_FOR_NOW = [
    ("", "Access denied; please try again later"),
    ("451", "Access denied at this time"),
    ("", "Access denied - temporarily refused"),
]


@pytest.mark.parametrize(("code", "text"), DENIED_FOR_NOW)
def test_access_denied_for_now_is_a_temporary_block_of_our_host(code, text):
    got = read(code, "", text)

    assert got.reason == "blocked", got.evidence
    assert category_of(got) == "block"
    assert got.sender_side is True


# Postfix's "Recipient address rejected:" names the RCPT stage; "Access denied" after it is an
# access rule (a filter) refusing this recipient's mail: never a hard bounce, stage or not.
FILTER_ACCESS_DENIED = [
    ("", "", "Recipient address rejected: Access denied"),
    ("550", "", "<x@example.org>: Recipient address rejected: Access denied"),
    ("", "rcpt", "Recipient address rejected: Access denied"),
    ("554", "rcpt", "<x@example.org>: Recipient address rejected: Access denied"),
]


@pytest.mark.parametrize(("code", "stage", "text"), FILTER_ACCESS_DENIED)
def test_a_filters_access_denied_for_a_recipient_is_filtered_never_hard(code, stage, text):
    got = read(code, "", text, stage)

    assert got.reason == "filtered", got.evidence
    assert not got.hard


# A server that says what went wrong on its side, with no code: a soft failure of that server
# (its processing, its redundancy) or of the path to the next hop, never "nothing known".
# (stage, text, reason)
SERVER_SAYS_WHAT_FAILED = [
    ("", "Too many processing failures for this message", "systemerror"),
    ("", "Too many related errors while handling the message", "systemerror"),
    ("data", "The message could not be made redundant", "systemerror"),
    ("", "Shadow redundancy failed for this message", "systemerror"),
    ("", "Session setup failed with the next hop", "networkerror"),
    ("", "Target host did not respond", "networkerror"),
]


@pytest.mark.parametrize(("stage", "text", "reason"), SERVER_SAYS_WHAT_FAILED)
def test_a_server_failure_said_without_a_code_is_soft(stage, text, reason):
    got = read("", "", text, stage)

    assert got.reason == reason, got.evidence
    assert category_of(got) == "soft"


# A recipient the receiver has banned is switched off there: the address is not proven gone.
BANNED = [("550", "rcpt", "Banned user"), ("", "", "This account has been banned"), ("", "rcpt", "Recipient is banned")]


@pytest.mark.parametrize(("code", "stage", "text"), BANNED)
def test_a_banned_recipient_is_a_disabled_account_not_a_hard_bounce(code, stage, text):
    got = read(code, "", text, stage)

    assert got.reason == "suspend", got.evidence
    assert not got.hard and got.sender_side is False


# A destination that takes no mail over IPv6 refuses the transport we used (its policy).
IPV6_REFUSED = [
    ("", "We do not accept mail over IPv6"),
    ("550", "This domain does not accept messages via IPv6"),
]


@pytest.mark.parametrize(("code", "text"), IPV6_REFUSED)
def test_a_destination_refusing_ipv6_is_a_policy_not_a_domain_without_mail(code, text):
    got = read(code, "", text)

    assert got.reason == "policyviolation", got.evidence
    assert not got.hard


# "No such address" with neither a code nor a stage, and no word saying whose address it is (a
# live reply may answer our MAIL FROM as well as a RCPT TO): nothing backs a hard bounce.
WHOSE_ADDRESS_UNSAID = ["Invalid address", "Unknown address", "Address does not exist"]
# ... while words naming the recipient's side are the server's verdict on the recipient.
RECIPIENT_NAMED = ["No such user here", "Mailbox does not exist", "Unknown recipient"]


@pytest.mark.parametrize("text", WHOSE_ADDRESS_UNSAID)
def test_an_unknown_address_without_code_stage_or_owner_is_never_hard(text):
    got = read("", "", text)

    assert not got.hard, got.evidence


@pytest.mark.parametrize("text", RECIPIENT_NAMED)
def test_an_unknown_recipient_named_as_such_is_hard_without_code_or_stage(text):
    got = read("", "", text)

    assert got.reason == "userunknown", got.evidence


# A quota under a generic security / policy status (X.7.y) is our sending limit, unless the words
# name the recipient's mailbox or storage and not our sending: then the mailbox is full.
# (reply code, enhanced status, text, reason)
QUOTA_UNDER_A_POLICY_STATUS = [
    ("452", "4.7.1", "The recipient's mailbox has exceeded its storage quota", "mailboxfull"),
    ("552", "5.7.0", "Inbox over quota", "mailboxfull"),
    ("550", "5.7.1", "Daily sending quota exceeded", "speeding"),
    ("550", "5.7.1", "Mailbox quota exceeded for messages you send today", "speeding"),
]


@pytest.mark.parametrize(("code", "status", "text", "reason"), QUOTA_UNDER_A_POLICY_STATUS)
def test_a_quota_under_a_policy_status_is_the_mailbox_only_when_the_words_name_it(code, status, text, reason):
    got = read(code, status, text)

    assert got.reason == reason, got.evidence
    assert got.sender_side is (reason == "speeding")


# Recipients blocked by an organization's own policy: a rule of that policy, not a block list.
RECIPIENTS_BLOCKED_BY_POLICY = [
    ("", "", "Some recipients are blocked by the sender's tenant block policy"),
    ("550", "5.7.1", "Recipient is blocked by your organization's outbound policy"),
    ("550", "", "This recipient was blocked by the company mail policy"),
]


@pytest.mark.parametrize(("code", "status", "text"), RECIPIENTS_BLOCKED_BY_POLICY)
def test_recipients_blocked_by_a_policy_are_a_policy_not_a_block_of_our_host(code, status, text):
    got = read(code, status, text)

    assert got.reason == "policyviolation", got.evidence


# Several destination domains in one transaction: our client's batching, whatever the code.
SEVERAL_DOMAINS = [
    ("", "", "Several recipient domains in one transaction are not supported"),
    ("451", "", "More than one destination domain per transaction: send them separately"),
    ("451", "4.3.0", "Multiple destination domains per transaction is not supported"),
]


@pytest.mark.parametrize(("code", "status", "text"), SEVERAL_DOMAINS)
def test_several_domains_per_transaction_are_our_clients_batching_with_or_without_a_code(code, status, text):
    got = read(code, status, text)

    assert got.reason == "systemerror", got.evidence
    assert got.sender_side is True


# The same reply with its codes (as documented) and without: the words carry the same reading.
SAME_WITHOUT_CODES = [
    ("550", "5.7.1", "Policy violation: message size exceeds the limit"),
    ("451", "4.3.0", "Too many related errors"),
    ("554", "5.7.1", "<x@example.org>: Recipient address rejected: Access denied"),
    ("451", "4.4.0", "Session setup failed: target host did not respond"),
]


@pytest.mark.parametrize(("code", "status", "text"), SAME_WITHOUT_CODES)
def test_a_reply_reads_the_same_when_its_code_is_missing(code, status, text):
    with_codes = read(code, status, text)
    without_codes = read("", "", text)

    assert without_codes.reason == with_codes.reason, (with_codes.evidence, without_codes.evidence)


# A permanent refusal that names no cause, given after end of DATA: the receiver read the
# message and refused it (its content), not our host, whose block comes before any message is
# read (connect, HELO, RCPT). Worded here; the same words at RCPT stay a block, a temporary
# one stays soft, and one saying we are listed stays a block.
# (code, enhanced status, stage, text, reason)
REFUSED_AFTER_READING = [
    ("550", "5.7.1", "after-data", "Message rejected", "contenterror"),
    ("550", "", "after-data", "Message not accepted", "contenterror"),
    ("550", "5.7.1", "rcpt", "Message rejected", "blocked"),
    ("550", "5.7.1", "after-data", "Your server is blacklisted here", "blocked"),
]


@pytest.mark.parametrize(("code", "status", "stage", "text", "reason"), REFUSED_AFTER_READING)
def test_a_refusal_naming_no_cause_after_the_message_was_read_is_about_its_content(code, status, stage, text, reason):
    got = read(code, status, text, stage)

    assert got.reason == reason, got.evidence
    assert not got.hard


def test_a_temporary_refusal_naming_no_cause_after_data_is_not_read_as_its_content():
    got = read("451", "4.7.1", "Try again later", "after-data")

    assert got.reason != "contenterror", got.evidence


# A greeting that turns us away for now and names no cause is the server's state (RFC 5321
# §3.1, "service not available"), soft; a permanent one refuses our host.
@pytest.mark.parametrize(
    ("code", "text", "category"),
    [
        ("421", "Service temporarily unavailable", "soft"),
        ("421", "Please come again", "soft"),
        ("554", "Go away", "block"),
    ],
)
def test_a_greeting_that_names_no_cause_is_soft_for_now_and_a_block_for_good(code, text, category):
    got = read(code, "", text, "connect")

    assert category_of(got) in ((category, "deferred") if category == "soft" else (category,)), got.evidence


def test_a_reply_that_says_nothing_known_is_undefined_and_a_report_without_words_on_hold():
    reply = read("550", "", "Permanent failure, see above")
    report = classify(
        b"From: MAILER-DAEMON@mx.example.net\nTo: bounce@example.com\nSubject: Undelivered Mail Returned to Sender\n"
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\n\nThe mail failed.\n\n"
        b"--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n"
        b"Final-Recipient: rfc822; jane@example.org\nAction: failed\nStatus: 5.0.0\n"
        b"Diagnostic-Code: smtp; 550 Permanent failure, see above\n\n--b--\n"
    )

    assert reply.reason == "undefined", reply.evidence
    assert report.recipients[0].reason == "onhold", report.recipients[0].evidence
