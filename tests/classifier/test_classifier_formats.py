"""Each shape a bounce comes in, on small messages these tests build themselves."""

import base64
import json

import pytest

from bounceportal.classifier import classify
from tests.classifier.messages import TOKEN, dsn, group, text_bounce


def test_rfc3464_dsn_with_one_recipient_gives_codes_reason_and_hard_flag():
    raw = dsn(group("a@b.example", "failed", "5.1.1", "550 5.1.1 <a@b.example>... User unknown", "mx.b.example"))

    result = classify(raw)

    assert result.is_bounce and result.kind == "dsn"
    (rec,) = result.recipients
    assert (rec.address, rec.action, rec.status, rec.reply_code) == ("a@b.example", "failed", "5.1.1", "550")
    assert (rec.reason, rec.category, rec.subtype, rec.hard) == ("userunknown", "hard", "address_unknown", True)
    assert rec.remote_mta == "mx.b.example"
    assert rec.diagnostic == "550 5.1.1 <a@b.example>... User unknown"


def test_rfc3464_dsn_with_many_recipients_keeps_their_order_and_reasons():
    raw = dsn(
        group("a@b.example", "failed", "5.2.2", "552 5.2.2 Mailbox full")
        + "\n"
        + group("c@d.example", "failed", "5.1.2", "550 5.1.2 Host unknown")
    )

    result = classify(raw)

    assert [(r.address, r.reason) for r in result.recipients] == [
        ("a@b.example", "mailboxfull"),
        ("c@d.example", "hostunknown"),
    ]


def test_folded_diagnostic_code_is_unfolded():
    raw = dsn(
        "Final-Recipient: rfc822; a@b.example\nAction: failed\nStatus: 5.2.2\n"
        "Diagnostic-Code: smtp; 552 5.2.2 The email account that you tried\n"
        "    to reach is over quota\n"
    )

    (rec,) = classify(raw).recipients

    assert rec.diagnostic == "552 5.2.2 The email account that you tried to reach is over quota"


def test_delayed_dsn_is_no_bounce_and_its_recipient_is_delayed_and_deferred():
    raw = dsn(group("a@b.example", "delayed", "4.4.1", "connect to mx.b.example: Connection timed out"))

    result = classify(raw)

    assert (result.is_bounce, result.kind, result.defers()) == (False, "dsn", True)
    (rec,) = result.recipients
    assert rec.action == "delayed"
    assert rec.category == "deferred" and rec.hard is False
    assert rec.reason == "expired"


def test_delivered_dsn_is_not_a_bounce():
    raw = dsn(group("a@b.example", "delivered", "2.0.0", "250 2.0.0 Ok"))

    result = classify(raw)

    assert result.is_bounce is False and result.kind == "dsn"
    assert result.recipients[0].reason == "delivered"
    assert result.recipients[0].category == "delivered"


@pytest.mark.parametrize(
    ("beside", "is_bounce"),
    [
        (group("c@d.example", "delivered", "2.0.0", "250 2.0.0 Ok"), False),
        (group("c@d.example", "failed", "5.1.1", "550 5.1.1 User unknown"), True),
    ],
    ids=["beside a delivered one: no bounce", "beside a failed one: a bounce"],
)
def test_a_delayed_recipient_makes_no_bounce_only_a_failed_one_beside_it_does(beside, is_bounce):
    raw = dsn(group("a@b.example", "delayed", "4.4.1", "connect to mx.b.example: Connection timed out") + "\n" + beside)

    result = classify(raw)

    assert (result.is_bounce, result.defers()) == (is_bounce, not is_bounce)
    assert [r.action for r in result.recipients] == ["delayed", "failed" if is_bounce else "delivered"]


def test_generic_dsn_status_is_refined_by_the_code_in_the_diagnostic():
    raw = dsn(group("a@b.example", "failed", "5.0.0", "550 5.7.1 Client host rejected: blocked using zen"))

    (rec,) = classify(raw).recipients

    assert rec.status == "5.7.1"
    assert rec.reason == "blocked" and rec.category == "block"


def test_qmail_notice_gives_one_recipient_per_address():
    body = (
        "Hi. This is the qmail-send program at mx.example.org.\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
        "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
        "<a@b.example>:\n192.0.2.1 does not like recipient.\n"
        "Remote host said: 550 5.1.1 <a@b.example>... User Unknown\n"
        "Giving up on 192.0.2.1.\n\n"
        "<c@d.example>:\n192.0.2.2 does not like recipient.\n"
        "Remote host said: 552 5.2.2 <c@d.example>... Mailbox Full\n\n"
        "--- Below this line is a copy of the message.\n\n"
        f"Message-ID: <{TOKEN}@bounce.example.org>\nTo: a@b.example\n\nhello\n"
    )

    result = classify(text_bounce(body))

    assert [(r.address, r.status, r.reply_code, r.reason) for r in result.recipients] == [
        ("a@b.example", "5.1.1", "550", "userunknown"),
        ("c@d.example", "5.2.2", "552", "mailboxfull"),
    ]
    assert result.original_message_id == f"<{TOKEN}@bounce.example.org>"


def test_exim_notice_reads_the_smtp_stage():
    body = (
        "This message was created automatically by mail delivery software.\n\n"
        "A message that you sent could not be delivered to one or more of its\n"
        "recipients. This is a permanent error. The following address(es) failed:\n\n"
        "  a@b.example\n"
        "    SMTP error from remote mail server after MAIL FROM:<bounces@example.org>:\n"
        "    550 Sender domain does not exist\n\n"
        "------ This is a copy of the message, including all the headers. ------\n"
    )

    (rec,) = classify(text_bounce(body, "Mail delivery failed: returning message to sender")).recipients

    assert rec.address == "a@b.example"
    assert rec.reason == "rejected"  # refused at MAIL FROM: our sender, not the address


def test_refusal_at_connection_time_is_a_block():
    body = (
        "The following address(es) failed:\n\n  a@b.example\n"
        "    SMTP error from remote mail server after initial connection:\n"
        "    554 Go away\n"
    )

    (rec,) = classify(text_bounce(body, "Mail delivery failed")).recipients

    assert rec.reason == "blocked"


def test_sendmail_transcript_line_takes_the_reply_before_it():
    body = (
        "   ----- Transcript of session follows -----\n"
        "While talking to mx.b.example:\n>>> MAIL From:<news@example.org>\n"
        "<<< 550 Insecure Mail Relay\n"
        "554 <a@b.example>... Remote protocol error\n"
    )

    (rec,) = classify(text_bounce(body, "Returned mail: see transcript for details")).recipients

    assert rec.address == "a@b.example" and rec.reason == "norelaying"


def test_exchange_style_notice_with_address_and_date_line():
    body = (
        "Your message\n\n  To:      a@b.example\n  Subject: Hello\n\n"
        "did not reach the following recipient(s):\n\n"
        "c@d.example on Thu, 29 Apr 2010 00:00:00 -0000\n"
        "    The recipient name is not recognized\n"
    )

    result = classify(text_bounce(body, "Undeliverable: Hello", "postmaster@d.example"))

    assert [(r.address, r.reason) for r in result.recipients] == [("c@d.example", "userunknown")]


def test_exim_failed_recipients_header_is_used_when_the_text_names_nobody():
    raw = (
        f"From: MAILER-DAEMON@mx.example.org\nTo: bounces+{TOKEN}@bounce.example.org\n"
        "X-Failed-Recipients: a@b.example\nSubject: Mail delivery failed\n\n"
        "retry timeout exceeded\n"
    ).encode()

    (rec,) = classify(raw).recipients

    assert rec.address == "a@b.example" and rec.reason == "expired"


def test_delay_warning_in_plain_text_is_a_deferral():
    body = (
        "This is an automatically generated Delivery Status Notification\n\n"
        "THIS IS A WARNING MESSAGE ONLY.\nYOU DO NOT NEED TO RESEND YOUR MESSAGE.\n\n"
        "Delivery to the following recipient has been delayed:\n\n     a@b.example\n"
    )

    result = classify(text_bounce(body, "Delivery Status Notification (Delay)"))

    assert (result.is_bounce, result.kind, result.defers()) == (False, "dsn", True)
    (rec,) = result.recipients
    assert rec.action == "delayed" and rec.category == "deferred"


def test_a_plain_text_notice_that_the_queue_gave_up_stays_a_bounce():
    body = (
        "Delivery to the following recipient has been delayed for 5 days and we have given up:\n\n"
        "     a@b.example\n\nNo more delivery attempts will be made.\n"
    )

    result = classify(text_bounce(body, "Delivery Status Notification (Failure)"))

    assert (result.is_bounce, result.defers()) == (True, False)
    assert result.recipients[0].action == "failed"


def test_a_forwarded_delay_warning_is_read_as_the_warning_inside():
    warning = text_bounce(
        "THIS IS A WARNING MESSAGE ONLY.\n\nDelivery to the following recipient has been delayed:\n\n"
        "     a@b.example\n",
        "Delivery Status Notification (Delay)",
    ).decode()
    quoted = "\n".join("> " + line for line in warning.splitlines())
    raw = (
        "From: colleague@example.org\nTo: me@example.org\nSubject: Fwd: delayed?\n\n"
        "Is this a problem?\n\nBegin forwarded message:\n\n" + quoted + "\n"
    ).encode()

    result = classify(raw)

    assert (result.is_bounce, result.kind) == (False, "dsn")
    assert [(r.address, r.action) for r in result.recipients] == [("a@b.example", "delayed")]


def test_arf_complaint_keeps_its_feedback_type():
    raw = (
        "From: fbl@isp.example\nTo: abuse@example.org\nSubject: complaint\n"
        'Content-Type: multipart/report; report-type=feedback-report; boundary="F"\n\n'
        "--F\nContent-Type: text/plain\n\nThis is an email abuse report.\n"
        "--F\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\n"
        "User-Agent: SomeGenerator/1.0\nVersion: 1\nOriginal-Rcpt-To: a@b.example\n"
        "--F\nContent-Type: message/rfc822\n\n"
        f"Message-ID: <{TOKEN}@bounce.example.org>\nTo: a@b.example\n\nhi\n--F--\n"
    ).encode()

    result = classify(raw)

    assert result.kind == "feedback" and result.is_bounce
    (rec,) = result.recipients
    assert (rec.address, rec.reason, rec.feedback_type, rec.category) == (
        "a@b.example",
        "feedback",
        "abuse",
        "complaint",
    )
    assert result.send_token == TOKEN


def test_rfc3834_auto_reply_is_a_vacation_from_its_author():
    raw = (
        b"From: Person <a@b.example>\nTo: bounces+" + TOKEN.encode() + b"@bounce.example.org\n"
        b"Subject: Out of Office: Hello\nAuto-Submitted: auto-replied\n\n"
        b"I am away until Monday.\n"
    )

    result = classify(raw)

    assert result.kind == "autoreply" and result.is_bounce
    (rec,) = result.recipients
    assert (rec.address, rec.reason, rec.category, rec.hard) == ("a@b.example", "vacation", "autoreply", False)
    assert result.send_token == TOKEN


def test_unsubscribe_request_is_its_own_kind():
    raw = b"From: a@b.example\nTo: bounces@example.org\nSubject: unsubscribe\n\nplease remove me\n"

    result = classify(raw)

    assert result.kind == "unsubscribe"
    (rec,) = result.recipients
    assert (rec.address, rec.reason, rec.feedback_type, rec.category, rec.subtype) == (
        "a@b.example",
        "feedback",
        "opt-out",
        "unsubscribe",
        "unsubscribe_request",
    )


def ses_by_mail(event: str) -> bytes:
    """An SES event (its JSON members, without braces; the sent message's source is added) as
    SNS mails it: the event as the ``Message`` string of a notification."""
    message = "{" + event + ',"mail":{"source":"bounces+' + TOKEN + '@bounce.example.org"}}'
    body = '{"Type" : "Notification", "Message" : ' + json.dumps(message) + "}"
    return (
        "From: no-reply@sns.amazonaws.com\nTo: ops@example.org\nSubject: AWS Notification Message\n\n" + body
    ).encode()


def test_amazon_ses_json_notification_by_mail():
    result = classify(
        ses_by_mail(
            '"notificationType":"Bounce","bounce":{"bounceType":"Permanent",'
            '"bouncedRecipients":[{"emailAddress":"a@b.example","action":"failed",'
            '"status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 user unknown"}]}'
        )
    )

    (rec,) = result.recipients
    assert (rec.address, rec.status, rec.reply_code, rec.reason) == ("a@b.example", "5.1.1", "550", "userunknown")
    assert result.send_token == TOKEN


def test_amazon_ses_delivery_delay_event_by_mail_defers_and_is_no_bounce():
    result = classify(
        ses_by_mail(
            '"eventType":"DeliveryDelay","deliveryDelay":{"delayType":"TransientCommunicationFailure",'
            '"expirationTime":"2026-12-08T10:00:00.000Z","delayedRecipients":[{"emailAddress":"a@b.example",'
            '"status":"4.4.1","diagnosticCode":"smtp; 421 4.4.1 Unable to connect to remote host"}]}'
        )
    )

    (rec,) = result.recipients
    assert (rec.address, rec.action, rec.status, rec.reply_code) == ("a@b.example", "delayed", "4.4.1", "421")
    assert rec.category == "deferred" and not rec.hard
    assert not result.is_bounce
    assert result.send_token == TOKEN


def test_forwarded_bounce_is_classified_by_the_bounce_inside():
    quoted = "\n".join(
        "> " + line
        for line in text_bounce("<a@b.example>:\nRemote host said: 550 5.1.1 <a@b.example>... User unknown\n")
        .decode()
        .splitlines()
    )
    raw = (
        "From: colleague@example.org\nTo: me@example.org\nSubject: Fwd: failure notice\n\n"
        "Look at this.\n\nBegin forwarded message:\n\n" + quoted + "\n"
    ).encode()

    (rec,) = classify(raw).recipients

    assert (rec.address, rec.reason) == ("a@b.example", "userunknown")


def test_ordinary_mail_is_not_a_bounce():
    raw = b"From: friend@example.org\nTo: me@example.org\nSubject: lunch?\n\nSee you at noon.\n"

    result = classify(raw)

    assert (result.is_bounce, result.kind, result.recipients, result.error) == (False, "not_bounce", [], None)


def test_bytes_that_are_not_a_message_come_back_with_an_error():
    for raw in (b"", b"   \n", b"\x00\x01\x02 not a message at all"):
        result = classify(raw)
        assert result.is_bounce is False and result.error
        assert "error" in result.to_dict()


def test_send_token_from_the_verp_address_in_delivered_to():
    raw = dsn(
        group("a@b.example", "failed", "5.1.1", "550 5.1.1 unknown"),
        headers=f"Delivered-To: bounces+{TOKEN}@bounce.example.org\n",
        original="Message-ID: <unrelated@elsewhere.example>\n",
    )

    assert classify(raw).send_token == TOKEN


def test_send_token_from_our_header_in_the_returned_message():
    original = f"Message-ID: <x@y.example>\nX-BouncePortal-Token: {TOKEN}\n"
    raw = dsn(group("a@b.example", "failed", "5.1.1"), original=original).replace(
        f"bounces+{TOKEN}".encode(), b"bounces"
    )

    result = classify(raw)

    assert result.send_token == TOKEN
    assert result.original_message_id == "<x@y.example>"


def test_send_token_from_the_returned_message_id():
    raw = dsn(group("a@b.example", "failed", "5.1.1")).replace(f"bounces+{TOKEN}".encode(), b"bounces")

    assert classify(raw).send_token == TOKEN
    assert classify(raw, bounce_domain="other.example").send_token == ""


def test_newlines_crlf_and_bare_cr_give_the_same_result():
    raw = dsn(group("a@b.example", "failed", "5.2.2", "552 5.2.2 Mailbox full"))

    results = [classify(raw.replace(b"\n", nl)).to_dict() for nl in (b"\n", b"\r\n", b"\r")]

    assert results[0] == results[1] == results[2]


def test_base64_and_quoted_printable_notices_are_decoded():
    notice = "<a@b.example>:\nRemote host said: 550 5.1.1 <a@b.example>... User unknown\n"
    encoded = base64.encodebytes(notice.encode()).decode()
    raw = (
        "From: MAILER-DAEMON@mx.example.org\nSubject: failure notice\nMIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n" + encoded
    ).encode()
    qp = (
        b"From: MAILER-DAEMON@mx.example.org\nSubject: failure notice\n"
        b"Content-Transfer-Encoding: quoted-printable\n\n<a@b.example>:\nRemote host said: 550=\n"
        b" 5.1.1 <a@b.example>... User unk=\nnown\n"
    )

    for message in (raw, qp):
        (rec,) = classify(message).recipients
        assert (rec.address, rec.reason) == ("a@b.example", "userunknown")


def test_japanese_iso_2022_jp_notice_is_decoded_for_the_diagnostic():
    text = "<a@b.example>:\n宛先のメールボックスが見つかりません 550 5.1.1 user unknown\n"
    raw = (
        b"From: MAILER-DAEMON@mx.example.jp\nSubject: =?ISO-2022-JP?B?"
        + base64.b64encode("エラー".encode("iso-2022-jp"))
        + b"?=\nContent-Type: text/plain; charset=ISO-2022-JP\n\n"
        + text.encode("iso-2022-jp")
    )

    (rec,) = classify(raw).recipients

    assert rec.reason == "userunknown"
    assert "メールボックス" in rec.diagnostic


def test_mislabeled_charset_never_breaks_decoding():
    raw = (
        "From: MAILER-DAEMON@mx.example.org\nSubject: failure notice\n"
        "Content-Type: text/plain; charset=no-such-charset\n\n"
        "<a@b.example>:\n550 5.1.1 Benutzer unbekannt \xfc user unknown\n"
    ).encode("latin-1")

    (rec,) = classify(raw).recipients

    assert rec.reason == "userunknown"


def test_result_serializes_to_the_contract_fields():
    data = classify(dsn(group("a@b.example", "failed", "5.1.1", "550 5.1.1 unknown"))).to_dict()

    assert set(data) == {"is_bounce", "kind", "original_message_id", "send_token", "recipients"}
    assert set(data["recipients"][0]) == {
        "address",
        "action",
        "status",
        "reply_code",
        "reason",
        "category",
        "subtype",
        "subtype_label",
        "hard",
        "diagnostic",
        "remote_mta",
        "feedback_type",
        "stage",
        "sender_side",
        "filter_product",
        "blocklist",
        "evidence",
    }


def test_dsn_group_with_final_recipient_last_keeps_its_status():
    # Some relays write Action and Status before Final-Recipient in the group.
    raw = dsn(
        "Action: failed\nStatus: 5.0.0\nRemote-MTA: dns; mx.b.example\n"
        "Diagnostic-Code: smtp; 550 a@b.example... No such user\n"
        "Final-Recipient: rfc822; a@b.example\n"
    )

    (rec,) = classify(raw).recipients

    assert (rec.address, rec.status, rec.reply_code) == ("a@b.example", "5.0.0", "550")


def test_dsn_groups_without_empty_lines_split_at_the_repeated_field():
    raw = dsn(
        "Action: failed\nStatus: 5.1.1\nFinal-Recipient: rfc822; a@b.example\n"
        "Action: failed\nStatus: 5.2.2\nFinal-Recipient: rfc822; c@d.example\n"
    )

    recs = classify(raw).recipients

    assert [(r.address, r.status) for r in recs] == [("a@b.example", "5.1.1"), ("c@d.example", "5.2.2")]


def test_session_transcript_takes_the_failing_reply_not_the_250_lines():
    body = (
        "Transcript of session follows.\n\n"
        " Out: 220 mx.example.org ESMTP\n In:  EHLO client.example.net\n"
        " Out: 250 mx.example.org\n"
        " In:  MAIL\n     FROM:<me@example.net>\n Out: 250 2.1.0 Ok\n"
        " In:  RCPT TO:<a@b.example>\n Out: 250 2.1.5 Ok\n"
        " In:  DATA\n Out: 354 End data with <CR><LF>.<CR><LF>\n"
        " Out: 451 4.3.0 Error: queue file write error\n"
        " In:  QUIT\n Out: 221 2.0.0 Bye\n"
    )
    raw = text_bounce(body, subject="Postfix SMTP server: errors from client.example.net")

    (rec,) = classify(raw).recipients

    assert (rec.address, rec.status, rec.reply_code) == ("a@b.example", "4.3.0", "451")
    assert rec.reason == "systemerror"


def test_bracketed_reference_number_is_not_the_reply_code():
    raw = text_bounce("<a@b.example>:\n550 5.2.0 Mail rejete. Mail rejected. OFR004_506 [506]\n")

    (rec,) = classify(raw).recipients

    assert (rec.reply_code, rec.reason) == ("550", "spamdetected")


def test_recipient_known_only_from_the_returned_message_is_undefined():
    raw = dsn(
        "",
        notice="--- Delivery report unavailable ---",
        original="From: news@example.org\nTo: a@b.example\nSubject: Hello\n",
    )

    (rec,) = classify(raw).recipients

    assert (rec.address, rec.reason) == ("a@b.example", "undefined")


def test_mailing_list_loop_alert_names_the_list_address():
    raw = text_bounce(
        "Duplicated Message-ID in <list@lists.example.org>.\n\n"
        "Original mail as follows:\n\n   From: someone@example.net\n",
        subject="Loop Alert: Duplicated Message-ID (list ML)",
        sender="list-admin@lists.example.org",
    )

    result = classify(raw)

    assert result.is_bounce
    (rec,) = result.recipients
    assert (rec.address, rec.reason) == ("list@lists.example.org", "systemerror")


def test_returned_headers_without_a_space_after_the_colon_end_the_notice():
    raw = text_bounce(
        "----- The following addresses had fatal errors -----\n"
        "[Status: Error, Address: <a@b.example>, ResponseCode 550, , User unknown.]\n\n"
        "Received:from mx.example.org by mx2.example.org\n"
        "Message-ID:<1234.5678@mail.example.org>\nTo:<a@b.example>\nSubject:Hello\n"
    )

    recs = classify(raw).recipients

    assert [r.address for r in recs] == ["a@b.example"]


def test_sendmail_transcript_reply_code_is_the_remote_servers_not_the_summary_line():
    raw = text_bounce(
        "   ----- Transcript of session follows -----\n"
        "While talking to mx.b.example:\n>>> MAIL From:<me@example.net>\n"
        "<<< 550 Insecure Mail Relay\n"
        "554 <a@b.example>... Remote protocol error\n",
        subject="Returned mail: see transcript for details",
    )

    (rec,) = classify(raw).recipients

    assert (rec.address, rec.reply_code, rec.reason) == ("a@b.example", "550", "norelaying")
