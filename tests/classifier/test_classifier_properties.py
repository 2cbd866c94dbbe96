"""Any bytes in, a result out: never an exception, whatever the input looks like."""

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bounceportal.classifier import classify, classify_smtp_reply
from bounceportal.classifier.result import Result
from bounceportal.classifier.score import convert_newlines
from bounceportal.classifier.taxonomy import REASON_TO_SUBTYPE

RELAXED = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(raw: bytes) -> Result:
    result = classify(raw)
    assert isinstance(result, Result)
    assert not (result.error or "").startswith("internal"), result.error
    result.to_dict()
    assert result.is_bounce in (True, False)
    if result.error:
        assert result.is_bounce is False
    return result


@RELAXED
@given(st.binary(max_size=4096))
def test_random_bytes_never_raise(raw):
    check(raw)


@RELAXED
@given(st.text(alphabet=st.sampled_from("\n\r:;<>@=?-\"' \tabcFromTContent-Type"), max_size=2000))
def test_header_like_noise_never_raises(text):
    check(text.encode("utf-8", "surrogatepass"))


@RELAXED
@given(st.data())
def test_truncated_corpus_messages_never_raise(corpus_messages, data):
    raw = data.draw(st.sampled_from(sorted(corpus_messages.values())))
    cut = data.draw(st.integers(min_value=0, max_value=len(raw)))
    check(raw[:cut])


@RELAXED
@given(st.data())
def test_mutated_corpus_messages_never_raise(corpus_messages, data):
    raw = bytearray(data.draw(st.sampled_from(sorted(corpus_messages.values()))))
    for _ in range(data.draw(st.integers(min_value=1, max_value=20))):
        position = data.draw(st.integers(min_value=0, max_value=max(len(raw) - 1, 0)))
        raw[position : position + 1] = bytes([data.draw(st.integers(0, 255))])
    check(bytes(raw))


def test_every_corpus_message_gives_the_same_result_with_any_newline(corpus_messages):
    for name, raw in corpus_messages.items():
        lf = check(raw).to_dict()
        for style in ("crlf", "cr"):
            assert classify(convert_newlines(raw, style)).to_dict() == lf, name


def test_a_large_message_is_read_within_bounds():
    body = b"A" * 75 + b"\n"
    raw = (
        b"From: MAILER-DAEMON@example.org\nSubject: Undelivered Mail\n\n"
        b"<a@b.example>: 550 5.1.1 user unknown\n" + body * 40000
    )

    result = check(raw)

    assert result.recipients[0].reason == "userunknown"
    assert len(result.recipients[0].diagnostic) <= 2000


def test_deeply_nested_multipart_is_cut_off_not_followed():
    raw = b"From: a@example.org\nSubject: nest\n"
    for depth in range(1000):
        raw += b'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' % (depth, depth)

    check(raw + b"Content-Type: text/plain\n\nhello\n")


def test_many_parts_are_bounded():
    parts = b"".join(b"--x\nContent-Type: text/plain\n\npart %d\n" % i for i in range(5000))
    raw = b'From: a@example.org\nContent-Type: multipart/mixed; boundary="x"\n\n' + parts + b"--x--\n"

    check(raw)


def test_broken_base64_and_unknown_encodings_never_raise():
    rng = random.Random(4)
    junk = bytes(rng.randrange(256) for _ in range(3000))
    for cte in (b"base64", b"quoted-printable", b"x-uuencode", b"8bit"):
        raw = (
            b"From: MAILER-DAEMON@example.org\nSubject: failure notice\n"
            b"Content-Type: text/plain; charset=iso-2022-jp\nContent-Transfer-Encoding: " + cte + b"\n\n" + junk
        )
        check(raw)


@RELAXED
@given(st.one_of(st.none(), st.integers(-1000, 1000), st.text(max_size=5)), st.text(max_size=400), st.text(max_size=12))
def test_any_smtp_reply_is_read_without_raising(code, text, stage):
    recipient = classify_smtp_reply(code, text, command=stage)

    assert recipient.reason in REASON_TO_SUBTYPE
    recipient.to_dict()
