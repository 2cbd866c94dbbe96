"""Pathological input of a megabyte per construct: read to the end, with the right answer, in bounded work.

No timed assertions (bench/hostile.py measures the time per message); before the rewrite several
of these took minutes, so a test run that finishes is the termination check.
"""

import pytest

from bounceportal.classifier import TOO_COMPLEX, classify
from tests.classifier.hostile import cases

CASES = cases()
# One or two of each construct; bench/hostile.py runs them all.
CHOSEN = [
    "html '<style' repeated",
    "html '<script' repeated",
    "html '<p' repeated",
    "html '<br' repeated",
    "html '<' repeated",
    "html deep nesting",
    "html entity '&nbsp;' repeated",
    "html entity '&#12345678901234567890' repeated",
    "text run of ' '",
    "diagnostic run of ' \\n'",
    "text token '550 ' repeated",
    "text token '550-' repeated",
    "diagnostic token 'a@' repeated",
    "text token '<a@b.example>' repeated",
    "unterminated quote '\"' in content-type",
    'unterminated quote "\'" in text',
    "multipart nested 10000 deep",
    "message/rfc822 nested 2000 deep",
    "many MIME parts",
    "many delivery-status parts",
    "huge folded header",
    "huge encoded-word header",
    "many header lines",
]


def test_every_chosen_case_exists():
    assert set(CHOSEN) <= set(CASES)


@pytest.mark.parametrize("name", CHOSEN)
def test_a_megabyte_of_one_construct_is_read_without_an_internal_error(name):
    result = classify(CASES[name]())

    assert not (result.error or "").startswith("internal"), result.error
    result.to_dict()
    if name.startswith(("text ", "diagnostic ", "many ", "huge ")):
        assert "a@b.example" in [r.address for r in result.recipients]
    if name.startswith("diagnostic "):
        assert result.recipients[0].status == "5.1.1" and result.recipients[0].hard


def dsn_with(count: int) -> bytes:
    groups = "".join(
        f"Final-Recipient: rfc822; user{i}@b.example\nAction: failed\nStatus: 5.1.1\n"
        f"Diagnostic-Code: smtp; 550 5.1.1 <user{i}@b.example>: User unknown\n\n"
        for i in range(count)
    )
    return (
        "From: MAILER-DAEMON@mx.example.org\nSubject: Undelivered Mail\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="BB"\n\n'
        "--BB\nContent-Type: text/plain\n\nYour message could not be delivered.\n\n"
        "--BB\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n" + groups + "--BB--\n"
    ).encode()


def test_every_recipient_of_a_report_beyond_256k_characters_is_returned():
    result = classify(dsn_with(3000))  # 400 KB: the report part used to be cut at 256 K characters

    assert len(result.recipients) == 3000
    assert result.recipients[-1].address == "user2999@b.example" and result.recipients[-1].hard


def test_a_message_past_its_time_budget_is_too_complex_not_an_answer():
    result = classify(dsn_with(50), time_budget=0)

    assert result.error.startswith(TOO_COMPLEX) and not result.is_bounce and result.recipients == []
    assert len(classify(dsn_with(50), time_budget=60).recipients) == 50
