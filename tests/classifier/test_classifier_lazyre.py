"""Lazily compiled, literal-screened patterns (``lazyre``) and other fast paths: the same answers as the plain regex."""

import re

import pytest

import bounceportal.classifier.__main__  # noqa: F401  (every module: every compile_later pattern)
from bounceportal.classifier.lazyre import FOLDS_TO_ASCII, MADE, compile_later
from bounceportal.classifier.screening import literals, requirements


def test_the_letters_that_fold_to_ascii_are_exactly_the_ones_the_screen_avoids():
    any_ascii = re.compile("[" + re.escape("".join(map(chr, range(128)))) + "]", re.IGNORECASE)
    folding = {chr(c) for c in range(128, 0x110000) if not 0xD800 <= c <= 0xDFFF and any_ascii.fullmatch(chr(c))}
    assert folding == FOLDS_TO_ASCII


def test_most_patterns_with_a_mandatory_word_are_screened():
    screened = [made for made in MADE if made.screen()]
    assert len(screened) >= 20
    assert all(len(w) >= 3 for made in screened for w in made.screen())


def test_a_screened_pattern_is_not_compiled_for_a_text_without_its_words():
    made = compile_later(r"^x-bounceportal-token:[ \t]*([A-Za-z0-9_-]{22,})", re.IGNORECASE | re.MULTILINE)
    assert made.screen() == ("x-bounceportal-token:",)
    assert made.search("Subject: hello\n") is None and made.findall("nothing here") == []
    assert "_compiled" not in made.__dict__
    found = made.search("To: a@b\nX-BouncePortal-Token: AbCdEfGhIjKlMnOpQrStUvWx\n")
    assert found and found.group(1) == "AbCdEfGhIjKlMnOpQrStUvWx"


def test_a_case_insensitive_screen_is_skipped_for_text_that_folds_in_unicode():
    made = compile_later(r"bounces\+([A-Za-z0-9_-]{22,})@", re.IGNORECASE)
    assert made.screen() == ("bounces+",)
    # U+017F (long s) matches "s" under re.IGNORECASE, but "bounce\u017f+".lower() holds no "bounces+".
    text = "BOUNCE\u017f+AbCdEfGhIjKlMnOpQrStUvWx@bounce.example"
    assert made.search(text) is not None


def _variants(raw: bytes) -> list[str]:
    text = raw.decode("latin-1")[:8000]
    return [text, text.lower(), text.upper(), text.replace("i", "\u0130").replace("s", "\u017f")]


# Letters whose case mapping is not one-to-one, or that fold to ASCII only under re.IGNORECASE.
ODD_LETTERS = ("\u0130", "\u0131", "\u017f", "\u212a", "\u03a3", "\u1e9e", "\u2160", "\u24b6", "\u0345")


def _same_on_corpus(corpus_messages, found, expected) -> int:
    """Assert ``found(text) == expected(text)`` on every corpus text in several casings (and one
    with a Greek letter in every word); return how many things they found (items of a list)."""
    named = 0
    for raw in corpus_messages.values():
        for text in _variants(raw) + [raw.decode("utf-8", "replace")[:8000].replace("e", "\u0395").upper()]:
            wanted = expected(text)
            assert found(text) == wanted
            named += len(wanted) if isinstance(wanted, list) else bool(wanted)
    return named


def test_screened_patterns_find_what_their_regex_finds_on_corpus_texts(corpus_half):
    screened = [made for made in MADE if made.screen()]
    plain = [re.compile(made.pattern, made.flags) for made in screened]
    hits = 0
    for raw in corpus_half.values():
        for text in _variants(raw):
            for made, regex in zip(screened, plain, strict=True):
                expected = [m.span() for m in regex.finditer(text)]
                assert [m.span() for m in made.finditer(text)] == expected, made.pattern
                found = made.search(text)
                assert (found.span() if found else None) == (expected[0] if expected else None), made.pattern
                hits += bool(expected)
    assert hits > 100  # the texts do reach the patterns


@pytest.mark.parametrize(
    "pattern, text",
    [
        (r"bullet\u2022point", "bullet\u2022point"),
        (r"tab\there", "tab\there"),
        (r"hex\x41rest", "hexArest"),
        (r"named\N{BULLET}rest", "named\u2022rest"),
        (r"(abc)def\1", "abcdefabc"),
    ],
)
def test_literal_screens_skip_escapes_whole(pattern, text):
    found = literals(pattern)
    assert re.fullmatch(pattern, text)
    assert found and all(word in text for word in found), found


def test_recipient_lines_are_what_finditer_finds_on_corpus_notices(corpus_messages):
    from bounceportal.classifier.textbounce import _RECIPIENT_LINE, recipient_lines

    found = 0
    for raw in corpus_messages.values():
        for text in _variants(raw) + [raw.decode("latin-1").replace("\n", "\n@ ")[:8000]]:
            expected = [(m.span(), m.groups()) for m in _RECIPIENT_LINE.finditer(text)]
            assert [(m.span(), m.groups()) for m in recipient_lines(text)] == expected
            found += len(expected)
    assert found > 100


def test_recipient_phrases_are_what_the_case_insensitive_finditer_finds(corpus_messages):
    from bounceportal.classifier.textbounce import _RECIPIENT_PHRASE, recipient_phrases

    def expected(text: str) -> list[tuple[str, int, int]]:
        found = _RECIPIENT_PHRASE.finditer(text)
        return [((m.group(1) or m.group(2)).strip("."), m.start(), m.end()) for m in found]

    assert _same_on_corpus(corpus_messages, recipient_phrases, expected) > 100
    for odd in ODD_LETTERS:
        for text in (f"Recipient{odd}: A{odd}b@Example.COM\n", f"MESSAGE TO: {odd}x@y.z", f"Failed:{odd} <Q@R.S>"):
            assert recipient_phrases(text) == expected(text), text
    for text in ("addre\u017f\u017f: x@y.z", "rec\u0131pient: x@y.z", "REC\u0130PIENT x@y.z", "\u212aNOWN:\nx@y.z"):
        assert recipient_phrases(text) == expected(text) != [] or "\u212a" in text, text


def test_a_pattern_is_not_compiled_when_a_word_it_needs_besides_its_screen_is_missing():
    # A pattern of the tables (phrases.py, providers.py), so that its screen is precomputed.
    made = compile_later(r"receiving (?:e-?mails?|mail|messages?) (?:at a rate|too quickly|too fast)", re.IGNORECASE)
    assert made.screen() == ("receiving ",)
    (needs,) = made.needs()
    assert needs[:3] == (("receiving ",), ("mail", "message"), ("at a rate", "too fast", "too quickly"))
    assert len(needs[3]) == 21 and "receiving e-mails too fast" in needs[3]  # its every spelling
    assert made.search("Receiving mail as usual, while sending mail at a slower pace") is None
    assert "_compiled" not in made.__dict__
    assert made.search("421 RECEIVING E-MAIL TOO FAST").group(0) == "RECEIVING E-MAIL TOO FAST"


@pytest.mark.parametrize(
    "pattern, text",
    [
        (r"ab+cde", "abbbcde"),  # a repeated letter ends the literal after its first copy
        (r"user (?:name )?unknown|no such user", "no such user"),
        (r"(?:mail|message)s? (?:is |was )?(?:rejected|refused)", "messages was refused"),
        (r"over (?:the )?quota\b.{0,20}(?:limit|size)", "over quota; the size"),
        (r"(?:blocked|refused) (?:by|per) (?:the )?user(?:'s)? (?:own )?rules?", "refused per user's own rule"),
        (r"sender(?:'s)? (?:address )?domain (?:<?[\w.-]+>? )?must exist", "sender's domain <x.y> must exist"),
        (r"e-?mails? (?:is|are) (?:rejected|refused)+ here", "emails are refusedrefused here"),
    ],
)
def test_every_match_meets_its_requirements(pattern, text):
    from bounceportal.classifier.lazyre import meets

    needs = requirements(pattern)
    assert re.search(pattern, text) and needs is not None and meets(needs, text), needs
    if " " in text and ".{" not in pattern:
        near_miss = text.replace(" ", "  ", 1)  # the same words, one run's spelling broken
        assert not re.search(pattern, near_miss) and not meets(needs, near_miss), needs


def test_patterns_with_finer_requirements_find_what_their_regex_finds_on_corpus_texts(corpus_half):
    from bounceportal.classifier._screens import REQUIRES
    from bounceportal.classifier.gen_screens import gated_patterns
    from bounceportal.classifier.lazyre import meets

    lazy = [made for made in MADE if made.needs()]
    gated = [(p, re.compile(p)) for p in sorted(set(gated_patterns())) if p in REQUIRES]
    assert len(lazy) >= 10 and len(gated) >= 100
    hits = 0
    for raw in corpus_half.values():
        for text in _variants(raw):
            for made in lazy:
                expected = re.compile(made.pattern, made.flags).search(text)
                found = made.search(text)
                assert (found.span() if found else None) == (expected.span() if expected else None), made.pattern
                hits += bool(expected)
            low = text.lower()
            for pattern, regex in gated:  # the tables search lower-cased text
                if regex.search(low):
                    assert meets(REQUIRES[pattern], low), pattern
                    hits += 1
    assert hits > 100


def test_a_case_insensitive_finer_test_is_dropped_when_a_literal_folds_to_ascii_only_under_ignorecase():
    from bounceportal.classifier.lazyre import meets, needs_as_tested

    needs = requirements("\u017ftop (?:sending|mailing)")
    assert needs is not None and re.search("\u017ftop (?:sending|mailing)", "STOP SENDING", re.IGNORECASE)
    assert not meets(needs, "stop sending")  # as written, the literal is not in the folded text
    assert needs_as_tested(needs, re.IGNORECASE) is None
    assert needs_as_tested(needs, 0) == needs
    assert needs_as_tested(requirements("Stop (?:sending|mailing)"), re.IGNORECASE) == (
        (("stop ",), ("mailing", "sending"), ("stop mailing", "stop sending")),
    )


def _split_patterns():
    from bounceportal.classifier._screens import BRANCHES

    return [made for made in MADE if made.pattern in BRANCHES]


def test_long_alternations_are_compiled_branch_by_branch_and_only_where_their_words_are():
    from bounceportal.classifier.kinds import _BOUNCE_BODY

    made = compile_later(_BOUNCE_BODY.pattern, _BOUNCE_BODY.flags)
    found = made.search("Hello,\nyour message had FATAL ERRORS, sorry.")
    assert found and found.group(0) == "FATAL ERRORS"
    assert "_compiled" not in made.__dict__  # the whole alternation was never compiled
    assert made.search("Nothing went wrong here.") is None
    # A letter that folds to ASCII only under re.IGNORECASE: the whole regex answers.
    assert made.search("Fatal error\u017f") is not None and "_compiled" in made.__dict__


def test_split_alternations_find_what_their_regex_finds_on_corpus_texts(corpus_half):
    split = _split_patterns()
    assert len(split) >= 8
    odd = "".join(sorted(FOLDS_TO_ASCII))
    hits = 0
    for raw in corpus_half.values():
        for text in _variants(raw) + [raw.decode("utf-8", "replace")[:8000] + odd]:
            for made in split:
                regex = re.compile(made.pattern, made.flags)
                for method in ("search", "match"):
                    expected = getattr(regex, method)(text)
                    found = getattr(made, method)(text)
                    assert (found.span() if found else None) == (expected.span() if expected else None), made.pattern
                    hits += bool(expected)
            for line in text.splitlines()[:40]:  # short texts: subjects, headers
                for made in split:
                    expected = re.compile(made.pattern, made.flags).match(line.lstrip())
                    found = made.match(line.lstrip())
                    assert (found.span() if found else None) == (expected.span() if expected else None), made.pattern
    assert hits > 100


def test_the_auto_reply_subject_is_what_the_anchored_regex_found():
    from bounceportal.classifier.autoreplies import _AUTOREPLY_SUBJECT

    anchored = re.compile(r"^\s*(?:" + _AUTOREPLY_SUBJECT.pattern + ")", re.IGNORECASE)
    for subject in ("  Auto: away", "\tOut of Office", "Re: out of office", "AUTOMATIC REPLY", " 不在", "x ooo", "ooo"):
        assert bool(_AUTOREPLY_SUBJECT.match(subject.lstrip())) == bool(anchored.search(subject)), subject


def test_the_reporting_mta_is_what_the_case_insensitive_search_finds(corpus_messages):
    from bounceportal.classifier.kinds import _REPORTING_MTA, reporting_mta_of

    def expected(text: str) -> str:
        found = _REPORTING_MTA.search(text) if "eporting-" in text else None
        return found.group(1).lower() if found else ""

    assert _same_on_corpus(corpus_messages, reporting_mta_of, expected) > 100
    for odd in ODD_LETTERS:
        for text in (
            f"Reporting-MTA: dns; MX{odd}.Example.COM\n",
            f"REPORTING-MTA: {odd}x.y\n",
            f"Reporting-MTA: M{odd}X\n",
            f"Reporting-MTA: dn{odd}; mx.example\n",
        ):
            assert reporting_mta_of(text) == expected(text), text
    for text in ("Reporting-MTA: dns; mx.example.org \u00e9\n", "\u212aReporting-MTA: x\n", "reporting-mta:\u0131x\n"):
        assert reporting_mta_of(text) == expected(text), text
