"""An auto-reply's learner is the person our message reached, even when a no-reply system answers.

A person's away note comes from the person (its From). Ticket systems, helpdesks and CRMs answer
from a no-reply address on the person's behalf; the learner is then the address our message was
sent to: the To of our message when the reply returns it, else the one address its words name
that is none of ours (the reply's own From and To, our message's From and Return-Path).
"""

import pytest

from bounceportal.classifier import classify


def auto_reply(sender, body, *, to="bounce+t0k3n@bounces.example.com", extra=""):
    return (
        f"From: {sender}\nTo: {to}\nSubject: Automatic reply: Your training\n"
        f"Auto-Submitted: auto-replied\nMessage-ID: <r1@mx.example.org>\n{extra}\n{body}\n"
    ).encode()


def learner(raw):
    result = classify(raw)
    assert result.kind == "autoreply", result.to_dict()
    (recipient,) = result.recipients
    return recipient


def test_a_persons_away_note_is_about_its_author():
    got = learner(auto_reply("Jane Doe <Jane.Doe@example.org>", "I am out of the office until Monday."))

    assert got.address.lower() == "jane.doe@example.org"
    assert not any(e["rule"].startswith("learner:") for e in got.evidence)


def test_a_persons_away_note_naming_a_colleague_is_still_about_its_author():
    body = "I am away until Monday. For urgent matters write to bob@example.org."

    assert learner(auto_reply("jane@example.org", body)).address == "jane@example.org"


def test_a_no_reply_responder_is_about_the_one_address_its_words_name():
    body = "Your message to jane@example.org has been received. A ticket was opened.\nhelpdesk"
    got = learner(auto_reply("Helpdesk <no-reply@helpdesk.example.org>", body))

    assert got.address == "jane@example.org"
    assert any("no-reply responder" in e["rule"] for e in got.evidence), got.evidence


def test_a_no_reply_responder_returning_our_message_is_about_its_to():
    body = (
        "Thank you, your request has been logged.\n\n--- original message ---\n"
        "From: training@portal.example.com\nTo: jane@example.org\nSubject: Your training\n"
        "Message-ID: <m1@portal.example.com>\n\nHello Jane, please write to support@portal.example.com\n"
    )

    assert learner(auto_reply("donotreply@crm.example.org", body)).address == "jane@example.org"


# A no-reply responder whose words name no single address our message went to: its own address
# stays (the app then matches the reply by its send token or In-Reply-To).
NO_SINGLE_RECIPIENT = [
    # an address named, but as our message's sender, not its recipient
    "We received your message from training@portal.example.com. Reply to this ticket via the portal.",
    # only our own bounce address (the reply's To) is named
    "Your message sent to bounce+t0k3n@bounces.example.com was received.",
    # two recipients named
    "Your message to jane@example.org was forwarded to bob@example.org, who is on duty.",
]


@pytest.mark.parametrize("body", NO_SINGLE_RECIPIENT)
def test_a_no_reply_responder_naming_no_single_recipient_stays_its_own_address(body):
    assert learner(auto_reply("noreply@helpdesk.example.org", body)).address == "noreply@helpdesk.example.org"


def test_a_no_reply_responder_in_german_names_the_learner_after_an():
    body = "Ihre Nachricht an <jane@example.de> ist eingegangen. Wir melden uns in Kürze."

    assert learner(auto_reply("no-reply@service.example.de", body)).address == "jane@example.de"
