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

# Measured (used / set aside, 2 Dec 2026, after reading a destination's unverifiable TLS as
# soft ``systemerror``): category 98.67 / 93.44, reason 97.33 / 88.52, sender side 99.49 /
# 96.36; false hard 0 / 0. Before that change: 97.33 / 91.80, 98.67 / 91.80, 99.49 / 98.18.
# The set-aside reason (88.52 < 90) and the gaps (5.2, 8.8, 3.1 points) miss the targets.
FLOORS = {
    "used": {"category": 98.6, "reason": 97.3, "sender_side": 99.4},
    "set_aside": {"category": 93.4, "reason": 88.5, "sender_side": 96.3},
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
