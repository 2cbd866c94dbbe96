"""The classifier on DSNs that real Debian MTAs wrote in the lab (scripts/mta_lab).

Issue 12's goal is ≥ 98 % of category, reason and action per MTA. The floors below are what
the classifier on this branch measured when the fixtures were generated; raise them as it
improves (never lower them to make a change pass). ``-s`` shows the rates per MTA.
"""

import pytest

from tests.classifier.dsn_wrapping import set_aside_ids
from tests.classifier.mta_scoring import FIXTURES, mtas_with_fixtures, score, truth_for

# Measured rates (%) of the classifier on this branch (category, reason, action), 2026-12-07, on the
# fixtures regenerated from used-part vendor replies only. sendmail's reason floor was lowered from
# 100.0 to 97.5 then (measured 97.56 %, 40 of 41): in that run sendmail's delay warning for u13a
# (m13-2.eml) quoted no reply at all ("Deferred", no Diagnostic-Code), and the classifier reads it
# as expired where the truth keeps the remote's toomanyconn. exim4's rose from 97.5 to 100.0.
FLOORS = {  # what the classifier reaches on these fixtures now (category, reason, action %)
    "postfix": (100.0, 100.0, 100.0),
    "exim4": (100.0, 100.0, 100.0),
    "opensmtpd": (100.0, 100.0, 100.0),
    "sendmail": (100.0, 97.5, 100.0),
}
GOAL = 98.0

MTAS = mtas_with_fixtures()


@pytest.mark.parametrize("mta", MTAS)
def test_classifier_reads_each_mtas_own_dsns_at_least_as_well_as_measured(mta):
    floors = dict(zip(("category", "reason", "action"), FLOORS[mta]))

    result = score(mta)

    print(result.line(), f"(goal {GOAL:.0f} %)")
    for miss in result.misses:
        print("   miss", *miss)
    assert result.total >= 25, f"{mta}: only {result.total} recipients in the fixtures"
    for what, floor in floors.items():
        assert result.rate(what) >= floor, f"{mta} {what} fell to {result.rate(what):.1f} % (floor {floor} %)"


@pytest.mark.parametrize("mta", MTAS)
def test_every_fixture_has_its_truth_and_what_each_recipient_was_told(mta):
    truth = truth_for(mta)
    on_disk = {p.name for p in (FIXTURES / mta).glob("*.eml")}

    described = set(truth["files"])

    assert described == on_disk
    for name, entry in truth["files"].items():
        assert entry["recipients"], name
        for r in entry["recipients"]:
            assert r["told"], f"{name} {r['address']}: nothing recorded of what it was told"
            assert r["action"] in ("failed", "delayed", "delivered"), (name, r)


@pytest.mark.parametrize("mta", MTAS)
def test_no_fixture_quotes_a_vendor_reply_set_aside_for_measuring_generalization(mta):
    # The lab scripts the used part only (scripts/mta_lab/replies.py: in_used_part); ids are compared, never texts.
    assert set_aside_ids(mta) == [], f"{mta}: regenerate the fixtures (python -m scripts.mta_lab generate {mta})"


def test_all_four_mtas_have_fixtures():
    assert set(MTAS) >= set(FLOORS), f"missing MTA fixtures: {sorted(set(FLOORS) - set(MTAS))}"
