"""The decision's layers on the kinds of miss issue #12 lists (texts as MTAs write them).

Replies are written from the MTAs' and providers' own documentation and source (Postfix
smtpd restriction replies, postgrey, Exim ACL defaults, RFC 3463/5321/7505 wording), not
copied from the corpus or the vendor-reply samples.
"""

import json
import re

import pytest

from bounceportal.classifier import classify, classify_smtp_reply
from tests.classifier.messages import dsn, group


@pytest.mark.parametrize(
    "code, text, stage, reason",
    [
        # A content filter answering after the whole message was read is not a directory.
        (550, "5.1.1 <a@b.example>: Recipient address rejected: User unknown", "after-data", "filtered"),
        (554, "5.7.1 <a@b.example>: Recipient address rejected: Access denied", "rcpt", "filtered"),
        (
            450,
            "4.2.0 <a@b.example>: Recipient address rejected: Greylisted, see http://postgrey.example/",
            "rcpt",
            "speeding",
        ),
        # Our own HELO name or sender domain failing DNS is not the recipient's domain.
        (450, "4.7.1 <mail.example.net>: Helo command rejected: Host not found", "rcpt", "blocked"),
        (504, "5.5.2 <box>: Helo command rejected: need fully-qualified hostname", "rcpt", "blocked"),
        (550, "Invalid HELO name (See RFC5321 4.1.1.1)", "helo", "blocked"),
        (450, "4.1.8 <me@example.net>: Sender address rejected: Domain not found", "rcpt", "rejected"),
        (554, "5.7.1 <me@example.net>: Sender address rejected: Access denied", "rcpt", "rejected"),
        (450, "4.7.1 Client host rejected: cannot find your hostname, [192.0.2.1]", "rcpt", "requireptr"),
        (554, "5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org", "rcpt", "blocked"),
    ],
)
def test_what_was_refused_decides_what_the_words_mean(code, text, stage, reason):
    assert classify_smtp_reply(code, text, command=stage).reason == reason


@pytest.mark.parametrize(
    "code, text, reason",
    [
        # Codes reused for other meanings: the words decide.
        (550, "5.2.2 Submission quota exceeded", "speeding"),
        (552, "5.2.2 Message size exceeds fixed maximum message size", "mesgtoobig"),
        (550, "5.7.27 The sending domain did not pass SPF checks", "authfailure"),
        (556, "5.7.27 Sender address has null MX", "rejected"),
        (556, "5.1.10 Recipient address has null MX", "notaccept"),
        # Reputation throttles are not plain rate limits.
        (
            421,
            "4.7.650 The mail server [192.0.2.1] has been temporarily rate limited due to IP reputation",
            "badreputation",
        ),
        (
            421,
            "4.7.0 Our system has detected an unusual rate of unsolicited mail originating from your IP",
            "badreputation",
        ),
        # An unrecognized transient refusal is a refusal for now, not a queue that expired.
        (451, "Please try again later", "systemerror"),
        # Protocol misuse of our client is a syntax error, not a policy refusal.
        (503, "5.5.1 SMTP synchronization error", "syntaxerror"),
        (550, "5.1.1 Benutzer unbekannt", "userunknown"),
        # Providers' own details: Exchange's x.4.3xx are DNS / connection failures (x.4.310
        # the domain does not exist), its 5.7.12x senders not allowed; Outlook.com's (S3xxx).
        (550, "5.4.312 DNS query failed", "networkerror"),
        (550, "5.4.310 DNS domain b.example does not exist", "hostunknown"),
        (550, "5.7.129 Sender not allowed to send to this recipient", "rejected"),
        (550, "5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent (S3150)", "blocked"),
        (421, "4.7.23 The sending IP does not match the IP address of the hostname in the PTR record", "requireptr"),
        (553, "5.1.2 We weren't able to find the recipient domain", "hostunknown"),
        (552, "5.2.2 Postfach voll", "mailboxfull"),
        # Written in words no sample here uses: the family's key words decide.
        (552, "5.2.2 Not enough storage space left in the recipient's mailbox", "mailboxfull"),
        (535, "5.7.8 Username and password not accepted", "securityerror"),
        (534, "5.7.14 Please log in via your web browser first", "securityerror"),
        (553, "5.1.8 A fully-qualified sender address is required", "rejected"),
        (550, "5.1.2 Could not resolve the destination domain", "hostunknown"),
        # An SPF check that could not finish (RFC 7208 temperror) is a DNS failure, not a
        # verdict against us.
        (451, "4.7.1 SPF temperror: DNS timeout for example.org", "networkerror"),
        (451, "4.4.3 Temporary failure while evaluating DMARC policy", "networkerror"),
        (550, "5.7.1 Rejected by header-based anti-spoofing policy", "authfailure"),
        (553, "5.3.0 Denied: the sender address is on our local blocklist", "rejected"),
        (550, "5.2.1 Account disabled, not accepting messages", "suspend"),
        (451, "4.7.1 Server is throttling connections from your network", "toomanyconn"),
        (451, "Ratelimit exceeded for this sender", "speeding"),
        (421, "4.7.1 [TS02] Messages from 192.0.2.1 temporarily deferred", "badreputation"),
        (554, "5.6.0 The message is malformed and was not accepted", "notcompliantrfc"),
        (421, "4.7.0 Sending IP not on the allowlist for this domain", "blocked"),
        (550, "5.7.30 ARC validation failed for this message", "authfailure"),
        (550, "5.7.1 Messages from 192.0.2.1 do not pass DMARC authentication", "authfailure"),
        (554, "5.7.1 Rejected: listed URL found in the message body", "spamdetected"),
        (550, "5.7.1 Sender domain has no MX or A record", "rejected"),
        (550, "5.7.1 Mail from this domain is blocked here", "rejected"),
        (550, "5.2.0 Mailbox unavailable: the account is closed", "suspend"),
        (550, "5.7.1 Refused: excessive complaint rate from your network", "badreputation"),
        # MTAs' own built-in texts (Postfix, Exim, qmail, sendmail) and RFC 5321's replies.
        (421, "4.7.0 mx.example.org Error: too many errors", "syntaxerror"),
        (550, "Verification failed for <news@example.org>", "rejected"),
        (553, "sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)", "norelaying"),
        (551, "5.1.1 User not local; please try <a@example.net>", "hasmoved"),
        (421, "4.3.2 Too many open connections", "toomanyconn"),
        (554, "5.7.1 Banned sender", "rejected"),
        # A verdict on the address's form is about the address, whatever the stage.
        ("", "Bad destination address syntax", "userunknown"),
        (554, "5.7.1 Your message was flagged as phishing", "spamdetected"),
        (550, "5.7.1 Messages with this attachment type are not allowed", "virusdetected"),
        (550, "5.7.1 Message rejected because of unacceptable content", "policyviolation"),
    ],
)
def test_reused_codes_and_provider_codes_read_by_their_words(code, text, reason):
    assert classify_smtp_reply(code, text).reason == reason


def test_a_relays_undefined_status_gives_way_to_the_quoted_remote_status():
    text = "4.7.0 Proxy session failed with '451 4.4.0 Primary target IP address did not respond'"
    rec = classify_smtp_reply(450, text)
    assert rec.reason == "networkerror"
    assert any("4.4.0" in item["rule"] for item in rec.evidence)


def test_a_reputation_throttle_is_on_the_senders_side_and_a_recipient_rate_is_not():
    ours = classify_smtp_reply(421, "4.7.650 temporarily rate limited due to IP reputation")
    theirs = classify_smtp_reply(
        450, "4.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional messages"
    )

    assert ours.sender_side is True and theirs.sender_side is False and theirs.reason == "speeding"


def test_a_delayed_report_whose_envelope_expired_is_a_final_expiry():
    raw = dsn(group("a@b.example", "delayed", "4.4.7", "smtp; 421 4.4.7 Envelope expired, will not be retried"))

    (rec,) = classify(raw).recipients

    assert (rec.action, rec.reason, rec.category) == ("failed", "expired", "soft")


def test_an_ordinary_delay_warning_stays_delayed():
    raw = dsn(
        group("a@b.example", "delayed", "4.4.1", "smtp; 421 4.4.1 Connection timed out"),
        notice="Delivery to the following recipients has been delayed. The mail system will keep trying.",
    )

    (rec,) = classify(raw).recipients

    assert rec.action == "delayed" and rec.category == "deferred"


def test_a_delayed_report_that_gave_up_on_dns_is_a_network_error():
    raw = dsn(
        group(
            "a@b.example",
            "failed",
            "4.4.3",
            "x-postfix; Host or domain name not found. Name service error for name=b.example type=MX: "
            "Host not found, try again",
        )
    )

    assert classify(raw).recipients[0].reason == "networkerror"


def test_a_host_that_refused_connections_until_the_queue_gave_up_is_not_a_block():
    raw = dsn(
        group("a@b.example", "failed", "4.4.1", "x-postfix; connect to mx.b.example[192.0.2.9]:25: Connection refused"),
        notice="I'm sorry to have to inform you that your message could not be delivered; I gave up.",
    )

    (rec,) = classify(raw).recipients

    assert rec.reason in ("networkerror", "expired") and rec.category == "soft"


def test_no_mx_is_a_domain_that_accepts_no_mail():
    rec = classify_smtp_reply(550, "5.1.2 No MX record found for domain b.example")

    assert rec.reason == "notaccept" and rec.hard is True


def test_evidence_names_the_rule_and_the_words_and_the_stage():
    rec = classify_smtp_reply(550, "5.1.1 <a@b.example>: Recipient address rejected: User unknown", command="RCPT")

    assert rec.stage == "rcpt"
    assert any(item["rule"] == "stage: rcpt" for item in rec.evidence)
    assert any("userunknown" in item["rule"] and item["text"] == "user unknown" for item in rec.evidence)


def _message(subject: str, body: str, headers: str = "") -> bytes:
    return f"From: someone@b.example\nTo: news@example.org\nSubject: {subject}\n{headers}\n{body}\n".encode()


@pytest.mark.parametrize(
    "raw",
    [
        _message("Auto: Hello", "Thanks for your mail."),
        _message("Abwesenheitsnotiz: Hello", "Danke."),
        _message("Risposta automatica: Hello", "Grazie."),
        _message("Automatisch antwoord: Hello", "Bedankt."),
        _message("Re: Hello", "Hi, I am currently out of the office until Monday."),
        _message("Re: Hello", "Bonjour, je suis absente jusqu'au 3 mai."),
        _message("Re: Hello", "Please click the link below to verify you are a human sender."),
        _message("Hello", "Thanks.", headers="X-Autogenerated: Reply\n"),
    ],
)
def test_auto_replies_in_more_shapes_and_languages(raw):
    result = classify(raw)

    assert result.kind == "autoreply" and result.recipients[0].reason == "vacation"


def test_an_ordinary_reply_is_not_an_auto_reply():
    assert classify(_message("Re: Hello", "Thanks, see you at the holiday party next week.")).kind == "not_bounce"


@pytest.mark.parametrize(
    "text, blocklist, product",
    [
        ("5.7.1 Service unavailable; Client host [192.0.2.1] blocked using bl.spamcop.net", "SpamCop", ""),
        ("5.7.1 Rejected: 192.0.2.1 listed at zen.spamhaus.org", "Spamhaus ZEN", ""),
        (
            "5.7.1 Message blocked by Proofpoint; see https://ipcheck.proofpoint.com/",
            "Proofpoint PDR",
            "Proofpoint",
        ),
        ("5.7.1 Rejected by Mimecast content policy", "", "Mimecast"),
        ("5.1.1 User unknown", "", ""),
    ],
)
def test_the_blocklist_and_the_filter_product_named_are_reported(text, blocklist, product):
    rec = classify_smtp_reply(550, text)

    assert (rec.blocklist, rec.filter_product) == (blocklist, product)


def test_connection_refused_is_a_network_error_only_when_no_server_answered():
    raw = dsn(
        group("a@b.example", "failed", "4.4.1", "x-postfix; connect to mx.b.example[192.0.2.9]:25: Connection refused")
    )
    refused_by_policy = classify_smtp_reply(550, "5.7.1 Connection refused by policy: your IP is blocked")

    assert classify(raw).recipients[0].reason == "networkerror"
    assert refused_by_policy.reason == "blocked"


def test_a_domain_that_accepts_no_mail_from_us_refuses_our_sender_and_is_not_a_hard_bounce():
    for text in ("5.7.1 This recipient does not accept mail from your domain", "Not accepting messages from you"):
        rec = classify_smtp_reply(554, text)
        assert rec.reason != "notaccept" and not rec.hard and rec.category == "block", (text, rec.reason)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Your sender address has an unknown domain", "rejected"),
        ("5.7.1 Sending domain does not exist", "rejected"),
        ("The domain of your return address does not exist", "rejected"),
        ("HELO hostname does not exist", "blocked"),
    ],
)
def test_a_hard_verdict_that_speaks_only_of_our_sender_refuses_us_and_suppresses_nobody(text, reason):
    rec = classify_smtp_reply(550, text)
    assert (rec.reason, rec.hard) == (reason, False)


def test_a_hard_verdict_that_names_the_recipient_stays_hard():
    rec = classify_smtp_reply(550, "5.1.1 <a@example.net>: Recipient address rejected: User unknown", command="rcpt")
    assert (rec.reason, rec.hard) == ("userunknown", True)


def test_a_provider_row_is_tried_only_on_replies_holding_its_screen_words(monkeypatch):
    """The provider layer tests each row's screens (the literals its status and token patterns
    cannot match without) before the row itself: a row whose words are absent is not tried,
    its patterns never touched; with the words present the row decides as before."""
    from bounceportal.classifier import specific
    from bounceportal.classifier.decision import Decision
    from bounceportal.classifier.providers import ProviderRule

    # Patterns of the table (their screens are precomputed): a status and a token.
    row = ProviderRule("test row", "blocked", status=r"5\.7\.508", token=r"envelope (?:blocked|rejected)")
    assert row.status_gate == ("5.7.508",) and row.token_gate == ("envelope ",)
    monkeypatch.setattr(specific, "_rules_for", lambda status: (row,))

    assert specific._provider(Decision(), "5.7.1", "550 envelope blocked", "") == ""
    assert specific._provider(Decision(), "5.7.508", "550 access denied", "") == ""
    assert "fullmatch" not in row.status_re.__dict__ and "search" not in row.token_re.__dict__
    decision = Decision()
    assert specific._provider(decision, "5.7.508", "550 envelope blocked by policy", "") == "blocked"
    assert decision.provider == "test row"
    assert specific._provider(Decision(), "5.7.508", "550 envelope is fine", "") == ""


def test_the_provider_layer_reads_what_every_row_in_turn_reads():
    from bounceportal.classifier import specific
    from bounceportal.classifier.decision import Decision, squash
    from bounceportal.classifier.score import DEFAULT_REPLIES, in_part, reply_as_received

    if not DEFAULT_REPLIES.is_file():
        pytest.skip("../shared/vendor-replies is absent")
    entries = [e for e in json.loads(DEFAULT_REPLIES.read_text()) if in_part(str(e["id"]), "used")]
    decided = 0
    for entry in entries:
        _, text, _ = reply_as_received(entry)
        squashed = squash(text)
        for status in {m.group(0) for m in re.finditer(r"[45]\.\d{1,3}\.\d{1,3}", text)} | {""}:
            every_row = next(
                (r.reason for r in specific._rules_for(status) if r.matches(status, squashed, "") is not None), ""
            )
            assert specific._provider(Decision(), status, squashed, "") == every_row, (status, text)
            decided += bool(every_row)
    assert decided > 20
