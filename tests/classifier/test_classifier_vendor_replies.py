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

from bounceportal.classifier.score import DEFAULT_REPLIES, score_replies

# Measured (used / set aside, bench/classifier.py on 2 Dec 2026): category 97.33 / 91.80,
# reason 98.67 / 91.80, sender side 99.49 / 98.18; false hard 0 / 0.
FLOORS = {
    "used": {"category": 98.6, "reason": 97.3, "sender_side": 99.4},
    "set_aside": {"category": 91.8, "reason": 91.8, "sender_side": 98.1},
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

    print(f"\n[{part}] {report['rates']} false_hard={report['false_hard']} n={report['entries']}")
    for field, floor in FLOORS[part].items():
        assert report["rates"][field] >= floor, f"{part} {field}: {report['rates'][field]:.2f} % < {floor} %"


@pytest.mark.parametrize("part", sorted(FALSE_HARD))
def test_no_more_replies_read_as_hard_than_measured(replies, part):
    assert score_replies(replies, part)["false_hard"] <= FALSE_HARD[part]
