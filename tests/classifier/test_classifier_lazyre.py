"""Lazily compiled, literal-screened patterns (``lazyre``) and other fast paths: the same answers as the plain regex."""

import re

import pytest

import bounceportal.classifier.__main__  # noqa: F401  (every module: every compile_later pattern)
from bounceportal.classifier.lazyre import FOLDS_TO_ASCII, MADE, compile_later
from bounceportal.classifier.phrasegate import literals


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


def test_screened_patterns_find_what_their_regex_finds_on_corpus_texts(corpus_messages):
    screened = [made for made in MADE if made.screen()]
    plain = [re.compile(made.pattern, made.flags) for made in screened]
    hits = 0
    for raw in corpus_messages.values():
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
