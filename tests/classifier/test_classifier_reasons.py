"""Reason families, the taxonomy, and SMTP replies seen by our own sender."""

import pytest

from bounceportal.classifier import classify_smtp_reply, recipient_for_reason
from bounceportal.classifier.decision import phrase_reason, squash
from bounceportal.classifier.phrases import PHRASES
from bounceportal.classifier.reasons import reason_for
from bounceportal.classifier.screening import literals
from bounceportal.classifier.taxonomy import CATEGORY_LABELS, REASON_TO_SUBTYPE, SUBTYPES, categorize

SISIMAI_REASONS = [
    "userunknown",
    "hostunknown",
    "hasmoved",
    "mailboxfull",
    "mesgtoobig",
    "exceedlimit",
    "systemfull",
    "systemerror",
    "mailererror",
    "networkerror",
    "suspend",
    "expired",
    "toomanyconn",
    "speeding",
    "notaccept",
    "blocked",
    "badreputation",
    "norelaying",
    "spamdetected",
    "virusdetected",
    "contenterror",
    "policyviolation",
    "filtered",
    "rejected",
    "authfailure",
    "requireptr",
    "notcompliantrfc",
    "failedstarttls",
    "securityerror",
    "suppressed",
    "vacation",
    "feedback",
    "onhold",
    "syntaxerror",
    "undefined",
    "delivered",
]


@pytest.mark.parametrize(
    "code, text, reason",
    [
        (550, "5.1.1 <a@b.example>: Recipient address rejected: User unknown in local recipient table", "userunknown"),
        (550, "No such user here", "userunknown"),
        (550, "5.4.1 Recipient address rejected: Access denied", "userunknown"),
        (550, "5.1.2 Host or domain name not found", "hostunknown"),
        (550, "5.1.6 Destination mailbox has moved, no forwarding address", "hasmoved"),
        (552, "5.2.2 Mailbox full", "mailboxfull"),
        (552, "Requested mail action aborted: exceeded storage allocation", "mailboxfull"),
        (552, "5.3.4 Message too big for system", "mesgtoobig"),
        (552, "5.2.3 Message length exceeds administrative limit", "exceedlimit"),
        (550, "5.2.1 The email account that you tried to reach is disabled", "suspend"),
        (421, "4.7.0 Too many concurrent SMTP connections", "toomanyconn"),
        (450, "4.7.1 You are sending at a rate that exceeds our limit: rate limit", "speeding"),
        (550, "5.7.1 Service unavailable; client [192.0.2.1] blocked using zen.spamhaus.org", "blocked"),
        (554, "5.7.1 Relay access denied", "norelaying"),
        (550, "5.7.1 Message rejected as spam by Content Filtering", "spamdetected"),
        (554, "5.7.0 Virus detected in attachment", "virusdetected"),
        (550, "5.7.26 Unauthenticated email from example.org is not accepted due to DMARC policy", "authfailure"),
        (550, "5.7.25 The IP address sending this message does not have a PTR record", "requireptr"),
        (530, "5.7.0 Must issue a STARTTLS command first", "failedstarttls"),
        (550, "5.7.1 This message is not RFC 5322 compliant: multiple From headers", "notcompliantrfc"),
        (550, "5.1.8 Sender address rejected: Domain not found", "rejected"),
        (556, "5.1.10 Recipient address has null MX", "notaccept"),
        (550, "Sender Policy Framework check failed", "authfailure"),
        (554, "5.7.1 Message refused because of our policy violation rules", "policyviolation"),
        (501, "Syntax error in parameters or arguments", "syntaxerror"),
    ],
)
def test_smtp_replies_map_to_their_reason_family(code, text, reason):
    assert classify_smtp_reply(code, text).reason == reason


def test_smtp_reply_keeps_codes_address_and_diagnostic():
    rec = classify_smtp_reply(
        "550", "5.1.1 <a@b.example> User unknown", address="a@b.example", remote_mta="mx.b.example"
    )

    assert (rec.address, rec.status, rec.reply_code, rec.action) == ("a@b.example", "5.1.1", "550", "failed")
    assert rec.diagnostic == "550 5.1.1 <a@b.example> User unknown"
    assert rec.remote_mta == "mx.b.example" and rec.hard is True


def test_temporary_smtp_reply_is_a_deferral_not_a_hard_bounce():
    rec = classify_smtp_reply(452, "4.2.2 Mailbox full")

    assert rec.action == "delayed" and rec.category == "deferred" and rec.hard is False
    assert rec.reason == "mailboxfull"


def test_reply_without_enhanced_code_gets_the_generic_status_of_its_class():
    assert classify_smtp_reply(554, "Transaction failed").status == "5.0.0"


def test_recipient_for_reason_builds_an_expired_recipient():
    rec = recipient_for_reason("expired", address="a@b.example", diagnostic="gave up after 5 days")

    assert (rec.reason, rec.category, rec.subtype, rec.hard) == ("expired", "soft", "delivery_expired", False)


def test_recipient_for_unknown_reason_is_undefined():
    assert recipient_for_reason("no-such-reason").reason == "undefined"


def test_every_sisimai_reason_has_a_subtype_and_category():
    assert sorted(REASON_TO_SUBTYPE) == sorted(SISIMAI_REASONS)
    for _reason, subtype in REASON_TO_SUBTYPE.items():
        assert subtype in SUBTYPES
        assert SUBTYPES[subtype][0] in CATEGORY_LABELS


@pytest.mark.parametrize(
    "reason, code, expected",
    [
        ("userunknown", "550", ("hard", "address_unknown", True)),
        ("hostunknown", "", ("hard", "domain_unknown", True)),
        ("hasmoved", "550", ("hard", "address_moved", True)),
        ("notaccept", "556", ("hard", "domain_no_mail", True)),
        ("notaccept", "421", ("soft", "soft_general", False)),
        ("mailboxfull", "552", ("soft", "mailbox_full", False)),
        ("blocked", "554", ("block", "block_general", False)),
        ("authfailure", "550", ("block", "sender_configuration", False)),
        ("vacation", "", ("autoreply", "auto_reply", False)),
        ("feedback", "", ("complaint", "spam_complaint", False)),
        ("onhold", "", ("undetermined", "undetermined", False)),
        ("nonsense", "", ("undetermined", "undetermined", False)),
    ],
)
def test_hard_is_true_exactly_for_the_hard_bounce_category(reason, code, expected):
    assert categorize(reason, code, "") == expected


def test_status_code_decides_when_no_phrase_speaks():
    assert reason_for("550 see https://example.org/e/42", "5.2.2") == "mailboxfull"
    assert reason_for("550 see https://example.org/e/42", "5.1.1") == "userunknown"
    assert reason_for("", "", "MAIL") == "rejected"
    assert reason_for("", "", action="delayed") == "expired"


def test_user_unknown_after_data_with_a_policy_status_is_a_filter():
    assert reason_for(squash("550 5.7.1 User unknown"), "5.7.1") == "filtered"
    assert reason_for(squash("550 5.1.1 User unknown"), "5.1.1", "DATA") == "userunknown"


def test_literal_screens_never_hide_a_phrase():
    # Every phrase matches some sample built from its own literals; the screen must let
    # that text through to the same group.
    for _reason, patterns in PHRASES:
        for pattern in patterns:
            found = literals(pattern)
            assert found is None or all(len(word) >= 3 for word in found), pattern


def test_screened_search_equals_plain_search_on_corpus_texts(corpus_messages):
    import re

    from bounceportal.classifier.decision import GATED_PHRASES

    plain = [(reason, re.compile("|".join(f"(?:{p})" for p in patterns))) for reason, patterns in PHRASES]
    for raw in corpus_messages.values():
        text = squash(raw.decode("latin-1"))[:20000]
        expected = next((reason for reason, rx in plain if rx.search(text)), "")
        assert GATED_PHRASES.first(text) == expected == phrase_reason(text)


def test_trigram_screened_search_equals_plain_search_on_short_corpus_texts(corpus_messages):
    # Texts of diagnostic length take the trigram index (GatedGroups.present); it must find
    # exactly the literals a plain test of every literal finds, and the same first group.
    import re

    from bounceportal.classifier.decision import GATED_PHRASES

    plain = [(reason, re.compile("|".join(f"(?:{p})" for p in patterns))) for reason, patterns in PHRASES]
    for raw in corpus_messages.values():
        text = squash(raw.decode("latin-1"))[:3000]
        for start in range(0, len(text), 400):
            chunk = text[start : start + 400]
            assert GATED_PHRASES.present(chunk) == {w for w in GATED_PHRASES._words if w in chunk}
            expected = next((reason for reason, rx in plain if rx.search(chunk)), "")
            assert GATED_PHRASES.first(chunk) == expected, chunk


@pytest.mark.parametrize(
    "diagnostic, status, command, reason",
    [
        # Corroborated: said at RCPT TO, or with an address status (X.1.y).
        ("550 no such user here", "", "RCPT", "userunknown"),
        ("550 5.1.1 unknown user", "5.1.1", "", "userunknown"),
        # Directory wording is trusted at any stage (Yahoo answers "dd ..." after DATA).
        (
            "554 delivery error: dd This user doesn't have a example.org account (a@example.org) [0]",
            "5.0.0",
            "DATA",
            "userunknown",
        ),
        ("The recipient name is not recognized", "", "", "userunknown"),
        # Uncorroborated: no status and no stage, or the address slot left empty.
        ("550 unknown user", "", "", "filtered"),
        ("550 <a@b.example>... User not exist", "", "", "filtered"),
        ("550 : User unknown", "5.0.0", "", "filtered"),
        ("550: : User unknown", "", "", "filtered"),
        ("550 <a@b.example>: User unknown", "5.0.0", "", "userunknown"),
    ],
)
def test_user_unknown_is_a_hard_bounce_only_when_corroborated(diagnostic, status, command, reason):
    assert reason_for(squash(diagnostic), status, command) == reason


@pytest.mark.parametrize(
    "diagnostic, reason",
    [
        # A bare domain "does not exist" is the domain; an address is the mailbox.
        ("553 mail.example.org does not exist", "hostunknown"),
        ("550 5.2.0 <me@example.net> From: Domain is invalid. Please provide a valid From:", "rejected"),
        ("553 Sender address rejected: Domain not found", "rejected"),
        # Provider error-code families.
        ("550 5.1.0 <me@example.net> sender rejected. Refer to Error Codes. AUP#CXBL", "blocked"),
        ("550 5.1.0 <me@example.net> sender rejected. AUP#URLBL0101", "spamdetected"),
        ("421 4.7.0 AUP#CXCNCT", "toomanyconn"),
        ("550 5.1.0 <me@example.net> sender rejected. AUP#In-1320", "toomanyconn"),
        ("550 5.1.0 <me@example.net> sender rejected. AUP#I-1010", "blocked"),
        ("550 5.2.0 Mail rejete. Mail rejected. OFR004_506 [506]", "spamdetected"),
        ("550 Adresse IP source bloquee. OFR004_104 [104]", "blocked"),
        ("554 IP=192.0.2.1 - A problem occurred. (Ask your postmaster for help.) (BL)", "blocked"),
        ("554 email rejected due to security policies - SomeSignature", "virusdetected"),
        # Amazon SES refuses unverified identities: the relay will not relay for us.
        (
            "554 Message rejected: Email address is not verified. The following identities "
            "failed the check in region EU-WEST-1: me@example.net",
            "norelaying",
        ),
        # Our host name does not resolve back to our IP (forward-confirmed reverse DNS).
        ("450 service permits 2 unverifiable sending IPs - mail.example.net is not 192.0.2.1", "requireptr"),
        # A notice that the retry period ran out.
        ("Delivery to the following recipients was aborted after 5.0 hour(s)", "expired"),
    ],
)
def test_rule_families_on_their_typical_wording(diagnostic, reason):
    assert reason_for(squash(diagnostic), "") == reason


def test_a_dotted_local_part_is_not_taken_for_a_domain():
    assert reason_for(squash("550 5.1.1 The mailbox john.smith does not exist"), "5.1.1") == "userunknown"


def test_bare_access_denied_takes_its_meaning_from_the_stage():
    text = squash("550 5.7.1 Access denied")
    assert reason_for(text, "5.7.1", "MAIL") == "rejected"
    assert reason_for(text, "5.7.1", "CONN") == "blocked"
    assert reason_for(text, "5.7.1") == "securityerror"


def test_bare_421_is_the_receiving_system_being_unavailable():
    rec = classify_smtp_reply(421, "4.2.0 Service refuse. Service refused, please try later.", command="")
    assert rec.reason == "systemerror" and rec.action == "delayed"


def test_remote_reply_quoted_by_a_relay_is_read_before_the_relays_summary():
    text = squash("5.1.0 - Unknown address error 550-'5.7.1 <me@example.net>... Access denied' (delivery attempts: 0)")
    assert reason_for(text, "5.7.1") == "securityerror"
    text = squash("5.3.0 - Other mail system problem 550-'Mailbox full' (delivery attempts: 0)")
    assert reason_for(text, "5.3.0") == "mailboxfull"


def test_domino_directory_wording_is_a_hard_bounce_without_status():
    assert reason_for(squash("User not listed in public Name & Address Book"), "") == "userunknown"


def test_exchange_recipient_not_found_with_5_1_10_is_an_unknown_address_not_a_null_mx():
    missing = classify_smtp_reply(
        550, "5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient a@b.example not found by SMTP address lookup"
    )
    null_mx = classify_smtp_reply(556, "5.1.10 Recipient address has null MX")

    assert (missing.reason, missing.subtype) == ("userunknown", "address_unknown")
    assert (null_mx.reason, null_mx.subtype) == ("notaccept", "domain_no_mail")
