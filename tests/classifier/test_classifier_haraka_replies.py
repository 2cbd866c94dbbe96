"""The built-in replies of Haraka and of Python mail software are read as their software means them (issue #12).

A source of real reply texts no rule was written against: ``haraka_replies.py`` (its docstring
says where each row comes from). The method, in this order:

1. Collect: the texts the software sends, read from its code (Haraka 3.3.4's connection.js,
   plugins and outbound, haraka-dsn, 27 haraka-plugin-* packages; aiosmtpd, mailman,
   salmon-mail, milter's bms.py, no-ppap-milter, policyd-rate-limit), with the code, enhanced
   status and SMTP stage the code sends them with; placeholders filled.
2. Label each row from what the software says the reply means, before any was read by the
   classifier; commit the rows as labelled.
3. Hold out a quarter by a hash of the text (``is_held_out``); its readings were not looked at
   until the end.
4. Score all rows once, before any fix.
5. Fix misreads of the used part by what the words mean across MTAs (phrases.py), never by a
   row's own wording; where the project's reading was right and the label wrong, the label was
   corrected with a comment saying why (8 rows).
6. This test: every row read as labelled but for the measured misreads, and never a hard bounce
   for a row not labelled hard.
7. Score the held-out quarter at the end.

Measured (7 Dec 2026; a row is misread when its category, reason or sender side is wrong):

=========  ====  =====================================  =====================================
part       rows  before: category / reason / side       after: category / reason / side
=========  ====  =====================================  =====================================
used        171  81.29 / 68.42 / 85.71, 56 misread,     96.49 / 93.57 / 98.69, 12 misread,
                 2 false hard                           0 false hard
held out     48  77.08 / 62.50 / 85.71, 18 misread,     77.08 / 62.50 / 85.71, 18 misread,
                 0 false hard                           0 false hard
=========  ====  =====================================  =====================================

The fixes read 44 more used rows and not one more held-out row: they reached the families the
used rows showed and no further. Of the 18 held-out misreads, 3 differ from the project's
conventions only as the corrected used labels did (a HELO refusal read blocked, our client's
protocol error read syntaxerror, onhold for undefined); the rest are families no rule reads
yet: "bare line-feed" spelled with a hyphen, a temporary "Message denied", a resolver error
at MAIL FROM read as our sender refused, a 450 "DNS lookup failure" under X.1.0 read
hostunknown (not made hard, being 4xx, but the wrong category), a backend failure under
4.7.0, "early talker", nested archives, null senders refused by a list, a Return-Path header
refused (RFC 5321), a MIME boundary error, a sender callback failure. The rows stay as labelled.

Then, the held-out quarter seen, a second round fixed what of it reads by meaning across MTAs
("bare line-feed" with a hyphen, resolver errors, a back end's failure, null senders refused
with the bounces, a header the message must not carry, a MIME boundary error, a sender callback
failure): held out 87.50 / 77.08 / 95.24, 11 misread, no false hard; used unchanged. Those 48
rows no longer measure unseen wording: the next measure needs a new source scored before fixing.
"""

from collections import Counter

import pytest

from bounceportal.classifier.taxonomy import REASON_TO_SUBTYPE
from tests.classifier.haraka_replies import ROWS, Row
from tests.classifier.labelled_replies import is_held_out, misread_fields, reading

# Misread rows per part (7 Dec 2026): used 56 before the fixes -> 12 after; held out 18 before
# -> 18 after (scored only at the end) -> 11 after a second round fixed on it once seen; a
# refusal naming no cause after end of DATA read as the message's content, not a block of
# our host, and a 4xx greeting naming no cause read as the server's state: used 12 -> 9, held
# out 11 -> 10; a reply whose words and codes say nothing known read undefined, not onhold:
# held out 10 -> 9. Never raise these; lower them when a change reads more.
MISREAD_AT_MOST = {"used": 9, "held out": 9}

CATEGORIES = {"hard", "soft", "block", "undetermined"}


def part_of(row: Row) -> str:
    return "held out" if is_held_out(row) else "used"


def test_each_row_is_labelled_in_the_projects_vocabulary():
    unknown = [(row.text, reason) for row in ROWS for reason in row.reasons if reason not in REASON_TO_SUBTYPE]
    bad_category = [row.text for row in ROWS if row.category not in CATEGORIES]
    repeated = [key for key, n in Counter((row.code, row.text) for row in ROWS).items() if n > 1]

    assert unknown == []
    assert bad_category == []
    assert repeated == []


def test_about_a_quarter_of_the_rows_is_held_out():
    held = sum(map(is_held_out, ROWS))

    assert 0.18 * len(ROWS) <= held <= 0.32 * len(ROWS), held


@pytest.mark.parametrize("part", sorted(MISREAD_AT_MOST))
def test_the_rows_are_read_as_their_software_means_them_but_for_the_measured_misreads(part):
    rows = [row for row in ROWS if part_of(row) == part]
    missed = [(row.text, wrong) for row in rows if (wrong := misread_fields(row, reading(row)))]

    assert len(missed) <= MISREAD_AT_MOST[part], f"[{part}] {len(missed)} of {len(rows)} misread: {missed}"


def test_no_row_is_read_as_a_hard_bounce_unless_labelled_hard():
    false_hard = [row.text for row in ROWS if row.category != "hard" and reading(row).hard]

    assert false_hard == []
