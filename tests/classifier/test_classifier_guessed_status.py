"""sendmail's Status for a bare 550 / 553 is its guess, not the remote's verdict.

For a remote that refused RCPT with a reply code and no enhanced status ("550 Denied"),
sendmail writes ``Status: 5.1.1`` and its own summary line "550 5.1.1 <a@b>... User
unknown" whatever the remote said (553 becomes 5.1.3). The lab's sendmail notices show it
(tests/fixtures/mta_dsns/sendmail/, the ``dsn`` field of truth.json). Such a status is no
evidence that the mailbox is gone: the remote's own words decide, and the guess counts only
where they name an address problem too.
"""

from pathlib import Path

import pytest

from bounceportal.classifier import classify

NOTICE = Path(__file__).resolve().parents[1] / "fixtures" / "mta_dsns" / "sendmail" / "m01-1.eml"
TOLD = b"Rejected for too many bad recipients"  # what the lab's remote told u01b@b.lab at RCPT


def read_with_reply(words: str):
    """Read the real sendmail notice with the remote's bare-550 reply to u01b@b.lab replaced."""
    data = NOTICE.read_bytes()
    assert TOLD in data
    result = classify(data.replace(TOLD, words.encode()))
    (recipient,) = [r for r in result.recipients if r.address == "u01b@b.lab"]
    return recipient


def test_the_notice_carries_sendmails_guessed_status():
    recipient = read_with_reply("Denied")

    assert recipient.status == "5.1.1"  # reported as sendmail wrote it
    assert recipient.reply_code == "550"


@pytest.mark.parametrize("words", ["Denied", "Not allowed", "No thanks", "Access denied", "Sender rejected"])
def test_a_bare_refusal_under_a_guessed_status_is_no_hard_bounce(words):
    recipient = read_with_reply(words)

    assert not recipient.hard, (words, recipient.reason)


@pytest.mark.parametrize("words", ["unknown user", "No such user here", "User unknown", "mailbox unavailable"])
def test_words_naming_an_unknown_address_confirm_the_guess(words):
    recipient = read_with_reply(words)

    assert (recipient.reason, recipient.hard) == ("userunknown", True), words
