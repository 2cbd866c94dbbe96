"""The rule tables as data: no row repeats or is hidden by an earlier one; nothing private.

Phrase groups are tried in order and the first that matches wins, so a row whose every
match is also a match of an earlier group (or an earlier row of its own group) can
never decide anything: it is dead weight that misleads the reader. Rows that are plain
words are checked exactly; rows with regex syntax on samples drawn from the row itself.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bounceportal.classifier import phrases
from bounceportal.classifier.providers import PROVIDER_RULES
from bounceportal.classifier.smtptext import _COMMANDS

PACKAGE = Path(__file__).resolve().parents[2] / "bounceportal" / "classifier"
TABLES = {
    "PHRASES": phrases.PHRASES,
    "NOTICE_PHRASES": phrases.NOTICE_PHRASES,
    "ADDRESS_CERTAIN": [("userunknown", phrases.ADDRESS_CERTAIN)],
    "RECIPIENT_SIDE": [("recipient", phrases.RECIPIENT_SIDE)],
    "COMMANDS": _COMMANDS,
}
_PLAIN = re.compile(r"[a-z0-9 '/:;,#_@&-]+")


def rows(table):
    """Yield (group index, row index, pattern) in the order the table is tried."""
    for group_index, (_reason, patterns) in enumerate(table):
        for row_index, pattern in enumerate(patterns):
            yield group_index, row_index, pattern


def earlier(table, group_index, row_index):
    """Compiled rows tried before (group_index, row_index)."""
    return [(g, r, re.compile(p)) for g, r, p in rows(table) if (g, r) < (group_index, row_index)]


def test_no_row_repeats_an_earlier_row():
    for name, table in TABLES.items():
        seen = {}
        for group_index, _row_index, pattern in rows(table):
            assert pattern not in seen, f"{name}[{group_index}] repeats {name}[{seen[pattern]}]: {pattern!r}"
            seen[pattern] = group_index


def test_no_plain_word_row_is_hidden_by_an_earlier_row():
    for name, table in TABLES.items():
        for group_index, row_index, pattern in rows(table):
            if not _PLAIN.fullmatch(pattern):
                continue
            for g, r, compiled in earlier(table, group_index, row_index):
                assert not compiled.search(pattern), (
                    f"{name}[{group_index}] row {pattern!r} can never decide: {name}[{g}] row {r} matches it first"
                )


def samples_of(pattern: str) -> set[str]:
    """Distinct lower-cased texts the pattern fully matches (drawn deterministically)."""
    found: set[str] = set()

    @settings(max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    @given(
        st.from_regex(
            pattern, fullmatch=True, alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp"))
        )
    )
    def draw(text):
        found.add(text.lower())

    draw()
    return found


def test_no_regex_row_is_hidden_by_an_earlier_row():
    table = phrases.PHRASES
    for group_index, row_index, pattern in rows(table):
        if _PLAIN.fullmatch(pattern):
            continue
        samples = samples_of(pattern)
        if len(samples) < 8:  # too few distinct texts to judge
            continue
        for g, r, compiled in earlier(table, group_index, row_index):
            assert not all(compiled.search(s) for s in samples), (
                f"PHRASES[{group_index}] {pattern!r} looks unreachable: PHRASES[{g}] row {r} matched {sorted(samples)[:5]}..."
            )


def test_provider_rules_have_unique_names_and_known_reasons():
    from bounceportal.classifier.taxonomy import REASON_TO_SUBTYPE

    names = [rule.name for rule in PROVIDER_RULES]
    assert len(names) == len(set(names))
    assert all(rule.reason in REASON_TO_SUBTYPE for rule in PROVIDER_RULES)
    assert all(rule.status or rule.token or rule.words for rule in PROVIDER_RULES)
    # The status screen reads the subject digit: patterns must spell it out.
    assert all(re.match(r"(?:\[45\]|4|5)\\\.\d\\\.", rule.status) for rule in PROVIDER_RULES if rule.status)


def test_every_table_reason_is_a_reason_or_a_provisional_answer():
    from bounceportal.classifier.taxonomy import REASON_TO_SUBTYPE

    provisional = {"recipient_rejected", "access_denied", "listed_domain", "connect_failed", "lookup_failed"}
    for reason, _patterns in phrases.PHRASES + phrases.NOTICE_PHRASES:
        assert reason in REASON_TO_SUBTYPE or reason in provisional, reason


def test_no_private_regex_internals_are_used():
    for path in PACKAGE.glob("*.py"):
        source = path.read_text()
        for name in ("_sre", "_compiler", "_parser", "sre_compile", "sre_parse"):
            assert not re.search(rf"\bimport {name}\b|\bfrom \S* ?import .*\b{name}\b|\b{name}\.", source), (path, name)


def test_importing_and_classifying_writes_nothing_into_the_package(tmp_path):
    before = {p: p.stat().st_mtime_ns for p in PACKAGE.rglob("*")}
    script = (
        "from bounceportal.classifier import classify, classify_smtp_reply\n"
        "classify(b'From: MAILER-DAEMON@x.example\\nSubject: failure notice\\n\\n<a@b.example>: 550 5.1.1 unknown\\n')\n"
        "classify_smtp_reply(550, '5.7.1 blocked using zen.spamhaus.org')\n"
    )
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")

    subprocess.run([sys.executable, "-c", script], cwd=PACKAGE.parents[1], env=env, check=True)

    after = {p: p.stat().st_mtime_ns for p in PACKAGE.rglob("*")}
    assert after == before


def test_the_precomputed_literal_screens_are_current():
    from bounceportal.classifier._screens import SCREENS
    from bounceportal.classifier.gen_screens import table_patterns
    from bounceportal.classifier.screening import literals

    patterns = set(table_patterns())
    expected = {p: (tuple(sorted(set(found))) if (found := literals(p)) is not None else None) for p in patterns}

    assert expected == SCREENS, "stale: run python -m bounceportal.classifier.gen_screens"


def test_the_precomputed_finer_requirements_are_current():
    from bounceportal.classifier._screens import REQUIRES
    from bounceportal.classifier.gen_screens import table_patterns
    from bounceportal.classifier.screening import finer_requirements

    found = {p: finer_requirements(p) for p in set(table_patterns())}
    assert {p: needs for p, needs in found.items() if needs is not None} == REQUIRES, "stale: run gen_screens"
    assert len(REQUIRES) > 100  # most phrases need more than one word


def test_the_precomputed_spellings_are_current_and_match_what_their_regex_matches():
    from bounceportal.classifier._screens import SPELLINGS
    from bounceportal.classifier.gen_screens import gated_patterns
    from bounceportal.classifier.spellings import find_spelling, spellings

    patterns = {p for p in gated_patterns() if p in SPELLINGS or spellings(p) is not None}
    assert {p: spellings(p) for p in patterns if p in SPELLINGS} == SPELLINGS, "stale: run gen_screens"
    # Each spelled row finds what its regex finds, on its own variants in word and non-word
    # surroundings (the \\b edges) and on a text with a near miss before the match.
    for pattern, spelled in SPELLINGS.items():
        if spelled is None:
            continue
        regex = re.compile(pattern)
        for variant in spelled[0]:
            for before, after in (("", ""), ("x", "x"), (" ", "."), ("_", " "), ("a ", "_")):
                text = f"{before}{variant[:-1]} {before}{variant}{after}"
                found = regex.search(text)
                assert find_spelling(spelled, text) == (found.group(0) if found else ""), (pattern, text)


def test_every_phrase_group_has_a_readable_name_of_its_own():
    names = list(phrases.PHRASE_NAMES)
    assert len(names) == len(phrases.PHRASES) and len(phrases.NOTICE_NAMES) == len(phrases.NOTICE_PHRASES)
    assert all(name.strip() for name in names + list(phrases.NOTICE_NAMES))
    assert len(set(names)) == len(names), "two phrase groups share a name"


def test_evidence_names_the_phrase_group_and_its_words_not_a_table_index():
    from bounceportal.classifier import classify_smtp_reply

    rules = [item["rule"] for item in classify_smtp_reply(421, "4.7.0 Too many connections from your host").evidence]
    assert any("too many connections" in rule and "→ toomanyconn" in rule for rule in rules), rules
    assert not any("PHRASES[" in rule for rule in rules), rules


def test_the_precomputed_branches_are_current():
    from bounceportal.classifier._screens import BRANCHES
    from bounceportal.classifier.lazyre import MADE
    from bounceportal.classifier.screening import branch_screens

    found = {made.pattern: branch_screens(made.pattern) for made in MADE}
    assert {p: branches for p, branches in found.items() if branches is not None} == BRANCHES, "stale: run gen_screens"


def test_the_precomputed_key_trigrams_are_current():
    from bounceportal.classifier._screens import KEYS
    from bounceportal.classifier.gen_screens import gated_literals, key_trigrams

    assert key_trigrams(gated_literals()) == KEYS, "stale: run python -m bounceportal.classifier.gen_screens"
    assert all(key in word for word, key in KEYS.items())  # a text holding the literal holds its key


def test_long_phrase_rows_are_searched_branch_by_branch():
    """A long alternation of the tables (``_screens.BRANCHES``), like a row no literal screens,
    is searched through lazyre: its branches that have words are compiled only where their
    words are, and the row finds what its regex finds."""
    from bounceportal.classifier._screens import BRANCHES
    from bounceportal.classifier.decision import GATED_PHRASES
    from bounceportal.classifier.gen_screens import gated_patterns

    later = dict(GATED_PHRASES._later)
    long_rows = {p for _, patterns in phrases.PHRASES for p in patterns if p in BRANCHES}
    assert len(long_rows) >= 5 and set(later) == long_rows and long_rows <= set(gated_patterns())
    for pattern, made in later.items():
        regex = re.compile(pattern)
        texts = ["nothing of the kind", *(f"a {w} b" for _, words in BRANCHES[pattern] for w in words)]
        texts += [f"{w}{w[:-1]} {w}" for _, words in BRANCHES[pattern] for w in words]
        for text in texts:
            expected = regex.search(text)
            assert GATED_PHRASES._search(pattern, text) == (expected.group(0) if expected else None), text
        assert "_compiled" not in made.__dict__ and pattern not in GATED_PHRASES._compiled  # never compiled whole


def test_a_branch_of_short_words_is_screened_by_its_spellings():
    """A branch whose words are each shorter than a screen literal ("(?:发送|发信)频率") is
    screened by its spellings when each has three characters or more."""
    from bounceportal.classifier.screening import literals

    assert sorted(literals("(?:发送|发信)频率") or ()) == ["发信频率", "发送频率"]
    assert literals(r"\btss?05\b") == ["tss05", "ts05"]
    assert literals("(?:ab|cd)e|xyz") == ["abe", "cde", "xyz"]
    assert literals("(?:a|b)c|xyz") is None  # "ac", "bc": too short to screen, so the row is not screened
