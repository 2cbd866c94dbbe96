"""classify_smtp_reply against replies quoted from providers' and filters' documentation.

``../shared/vendor-replies/replies.json`` (README there) labels each reply with a
category, a reason (and defensible alternatives) and whether the cause is the sender's.
A quarter of the entries (by a hash of their id) is set aside: rules are written
against the rest, the set-aside part is only scored in aggregate. Each reply is given
as a server sends it: the documented enhanced status starts the text, and the stage is
passed when the documentation names it (our sender always knows it).

Targets (issue #12): category >= 95 %, reason >= 90 %, sender side >= 90 %, and no
reply read as a hard bounce whose label is not hard. The floors below are what was
measured, not the targets: where a floor is under its target, the target is not met.
"""

import pytest

from bounceportal.classifier.score import DEFAULT_REPLIES, score_replies, shown_parts

# Measured (used / set aside, 3 Dec 2026, after reading the reply families by meaning: live
# replies, X.7.0 / X.3.2, provider verdicts, phrase families in test_classifier_reply_meanings):
# category 99.11 / 95.08, reason 97.78 / 90.16, sender side 99.49 / 96.36; false hard 0 / 0.
# Before (2 Dec): 98.67 / 93.44, 97.33 / 88.52, 99.49 / 96.36. The targets are met on both parts;
# the gaps (4.0, 7.6, 3.1 points) are still over 3. Later (3 Dec, read by meaning: several
# destination domains per transaction are our client's batching): used sender side 100.00; the
# set-aside part was not looked at while writing those rules (BENCH_HIDE_ASIDE=1).
FLOORS = {
    "used": {"category": 99.1, "reason": 97.7, "sender_side": 99.9},
    "set_aside": {"category": 95.0, "reason": 90.1, "sender_side": 96.3},
}
FALSE_HARD = {"used": 0, "set_aside": 0}


@pytest.fixture(scope="module")
def replies():
    if not DEFAULT_REPLIES.is_file():
        pytest.skip(f"vendor replies not found at {DEFAULT_REPLIES.resolve()} (expected ../shared/vendor-replies)")
    return DEFAULT_REPLIES


@pytest.mark.parametrize("part", sorted(FLOORS))
def test_vendor_replies_are_read_at_least_as_well_as_measured(replies, part):
    report = score_replies(replies, part)

    if part in shown_parts():  # BENCH_HIDE_ASIDE=1 keeps the set-aside rates out of sight
        print(f"\n[{part}] {report['rates']} false_hard={report['false_hard']} n={report['entries']}")
    for field, floor in FLOORS[part].items():
        held = report["rates"][field] >= floor
        rate = f"{report['rates'][field]:.2f} %" if part in shown_parts() else "(hidden)"
        assert held, f"{part} {field}: {rate} < {floor} %"


@pytest.mark.parametrize("part", sorted(FALSE_HARD))
def test_no_more_replies_read_as_hard_than_measured(replies, part):
    within = score_replies(replies, part)["false_hard"] <= FALSE_HARD[part]

    assert within, part
