"""The classifier on auto-replies that real Debian auto-responders wrote (scripts/mta_lab/autoreplies.py):
Dovecot Pigeonhole's sieve ``vacation`` and the ``vacation`` program, in several languages."""

import json
from pathlib import Path

import pytest

from bounceportal.classifier import classify

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "autoreplies"
TRUTH = json.loads((FIXTURES / "truth.json").read_text())


@pytest.mark.parametrize("name", sorted(TRUTH["files"]))
def test_a_real_auto_reply_is_an_auto_reply_from_the_learner_it_was_sent_to(name):
    want = TRUTH["files"][name]

    result = classify((FIXTURES / name).read_bytes())

    assert (result.kind, result.is_bounce) == (want["kind"], True)
    (rec,) = result.recipients
    assert (rec.address, rec.category, rec.reason, rec.hard) == (want["recipient"], want["category"], "vacation", False)
    assert result.send_token == TRUTH["token"]
    assert result.original_message_id == want["original_message_id"]


def test_every_auto_reply_fixture_has_its_truth():
    assert {p.name for p in FIXTURES.glob("*.eml")} == set(TRUTH["files"])
