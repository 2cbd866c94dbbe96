"""The classifier against the labeled bounce corpus, scored as its README says.

Targets (issue #12): reason >= 95 %, status >= 97 %, hard >= 98 % on LF, CRLF and CR,
recipient count and is_bounce >= 98 %. The corpus is split by a hash of each file's
family (``score.is_set_aside``): rules are written against the used part; the set-aside
part is only scored in aggregate and must stay within 3 points of the used part.
Floors are what was measured (just under it), so a change that loses ground fails.
"""

import pytest

from bounceportal.classifier.score import aside_hidden, score_corpus, shown_parts

TARGETS = {"reason": 95.0, "status": 97.0, "hard": 98.0, "count": 98.0, "is_bounce": 98.0}
# Measured on LF, CRLF and CR (used / set aside): reason 95.29 / 97.30, status 98.89 /
# 100.00, hard 98.06 / 100.00.
FLOORS = {
    "used": {"reason": 95.2, "status": 98.8, "hard": 98.0},
    "set_aside": {"reason": 97.2, "status": 99.9, "hard": 99.9},
}
MAX_GAP = 3.0


@pytest.fixture(scope="module", params=["lf", "crlf", "cr"])
def reports(request, corpus_dir):
    reports = {part: score_corpus(corpus_dir, request.param, part)["rates"] for part in ("all", "used", "set_aside")}
    for part, rates in reports.items():
        if part not in shown_parts():
            continue
        print(f"\n[{request.param} {part}] " + " ".join(f"{k}={v:.2f}" for k, v in rates.items()))
    return reports


def shown(part, value):
    """The rate as a failure message may say it: never a part's that BENCH_HIDE_ASIDE hides."""
    return f"{value:.2f} %" if part in shown_parts() else "(hidden)"


def test_every_rate_reaches_its_target_on_the_whole_corpus(reports):
    for field, target in TARGETS.items():
        reached = reports["all"][field] >= target
        assert reached, f"{field} {shown('all', reports['all'][field])} < {target} %"


def test_both_non_bounce_messages_are_not_bounces(reports):
    assert reports["all"]["non_bounce_total"] >= 1
    assert reports["all"]["non_bounce_right"] == reports["all"]["non_bounce_total"]


@pytest.mark.parametrize("part", sorted(FLOORS))
def test_each_part_stays_above_its_measured_floor(reports, part):
    for field, floor in FLOORS[part].items():
        held = reports[part][field] >= floor
        assert held, f"{part} {field} regressed: {shown(part, reports[part][field])} < {floor} %"


def test_the_set_aside_part_is_within_three_points_of_the_used_part(reports):
    for field in ("reason", "status", "hard"):
        close = reports["set_aside"][field] >= reports["used"][field] - MAX_GAP
        assert close, field


def test_newline_style_does_not_change_any_rate(corpus_dir):
    lf = score_corpus(corpus_dir, "lf")["rates"]
    for style in ("crlf", "cr"):
        rates = score_corpus(corpus_dir, style)["rates"]
        if aside_hidden():  # the whole corpus's rates would tell the set-aside part's
            same = rates == lf
            assert same, style
        else:
            assert rates == lf
