"""The SMTP replies Debian 12's mail software really sends are read as it documents them (issue #12).

An independent source of real reply texts, to measure how far rules written against the vendor
replies and the corpus generalize: the built-in replies of postgrey, policyd-spf, opendmarc,
opendkim, spamass-milter, rspamd, sqlgrey, postfwd, policyd-weight, policyd-rate-limit,
amavisd-new, OpenSMTPD, Courier, Dovecot LMTP, Cyrus lmtpd, MIMEDefang, qpsmtpd, greylistd and
Debian's own Exim ACLs and Postfix restriction texts (``debian_replies.py`` says where each
comes from).

Method, in this order:

1. Collect: the packages were fetched with ``apt-get download`` and unpacked (not installed);
   the replies were read from their scripts, modules, binaries' strings and man pages, with the
   code, enhanced status and stage they are sent with, placeholders filled with documentation
   values. 133 rows.
2. Label each row from the software's own documentation (category, reasons, sender side),
   before the classifier read any; the rows were committed so.
3. Hold out a quarter by ``sha256(text) % 4 == 0`` (``is_held_out``): 28 rows, never looked at
   one by one.
4. Score once, before any fix (7 Dec 2026): used part (105 rows) category 80.0 %, reason
   65.7 %, sender side 82.7 %, 37 misread, 1 read hard that is not (a policy daemon's
   "Recipient address rejected: postfwd score exceeded" under 5.7.1); held out (28 rows)
   category 78.6 %, reason 60.7 %, sender side 87.0 %, 11 misread, none read hard.
5. Fix the used part's misreads by what the words mean across MTAs (phrases.py, settling.py):
   a scanner or checker of the receiver that failed is its own trouble, not a verdict on us;
   an SPF / DKIM check without a DNS answer is a network error; Postfix's RCPT prefix under a
   permanent 5.7.y status is an access or policy rule, never an unknown address; "not yet
   authorized" is greylisting; a filter's score over its threshold and "bulk message" are spam;
   FCrDNS and "no DNS entries for your MTA" are reverse DNS; MIME types / parts refused and
   Date / required headers are content; password-protected archives are attachments; "message
   length (N) exceeds", "administrative limit" are sizes; an address literal or our envelope
   sender "is blacklisted"; "server load too high", "resources unavailable" are the server's;
   Dovecot's concurrent deliveries per user are the recipient's; a socket error in parentheses
   ("(Connection refused)") is a failed connection, not a refusal; "accepted only from
   <domain>'s mail relays" is SPF's verdict. Four labels were fixed where the project's reading
   was right (their comments say why: X.2.3 is exceedlimit, RFC 3463 X.7.1's own description is
   securityerror as in the corpus, "is blocked" is blocked).
6. After: used part category 96.2 %, reason 92.4 %, sender side 98.0 %, 8 misread, none read
   hard. Left misread: replies whose words do not carry their documented meaning (Courier's
   "Address unavailable." / "Address temporarily unavailable." for a recipient over the
   per-message limit, rspamd's bare "Try again later" under 4.7.1, Cyrus' "Mailbox is locked"
   for a lock file, amavis' "BANNED:" part report, Debian Exim's "restricted characters in
   address"), "Recipient unknown" after DATA (read as a filter by design) and Postfix's "Helo
   command rejected: need fully-qualified hostname" (read blocked, as the reply-family test
   wants; labelled requireptr / notcompliantrfc here).
7. The held-out quarter, scored once at the end (7 Dec 2026): category 78.6 %, reason 60.7 %,
   sender side 87.0 %, 11 misread, none read hard: exactly as before the fixes. The fixes
   reached none of the unseen rows: like the Haraka pass, rules written for the used part's
   wordings do not yet carry over to other wordings of the same software; another pass
   scored before fixing is needed before trusting them.
"""

import pytest

from tests.classifier.debian_replies import ROWS
from tests.classifier.labelled_replies import is_held_out, misread_fields, reading

# Rows misread (any of category, reason, sender side wrong), per part. Measured 7 Dec 2026,
# before -> after the fixes above: used 37 -> 8 of 105; held out 11 -> 11 of 28 (scored once,
# at the end). Then a rule by SMTP stage, not by wording (a permanent refusal naming no cause
# after end of DATA refused the message, not our host: fallbacks._judged_message), written
# from the used rows and scored on the held-out rows only in aggregate: used 8 -> 7, held out
# 11 -> 10. Never raise these; lower them when a change reads more.
MISREAD_AT_MOST = {"used": 7, "held_out": 10}


def part_of(row):
    return "held_out" if is_held_out(row) else "used"


@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row.package}:{row.text[:40]}")
def test_a_debian_reply_is_never_read_hard_unless_labelled_hard(row):
    got = reading(row)

    assert not got.hard or row.category == "hard", got.evidence


@pytest.mark.parametrize("part", sorted(MISREAD_AT_MOST))
def test_debian_replies_are_read_as_labelled_but_for_the_measured_misreads(part):
    rows = [row for row in ROWS if part_of(row) == part]
    misread = [row for row in rows if misread_fields(row, reading(row))]

    # The held-out rows are counted, never listed: no rule may be fitted to them.
    shown = [f"{row.code} {row.text[:60]}" for row in misread] if part == "used" else "(held out)"
    assert len(misread) <= MISREAD_AT_MOST[part], f"[{part}] {len(misread)} misread: {shown}"


def test_a_quarter_of_the_rows_is_held_out_by_a_hash_of_the_text():
    held_out = [row for row in ROWS if is_held_out(row)]

    assert len(ROWS) >= 100
    assert 0.15 <= len(held_out) / len(ROWS) <= 0.35
    assert len({row.text for row in ROWS}) == len(ROWS)
