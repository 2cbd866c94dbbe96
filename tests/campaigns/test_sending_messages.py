"""Message rendering and address syntax: what a learner's mail program will parse."""

import email
import email.policy

import pytest

from campaigns.models import Campaign
from campaigns.services.messages import MessageTemplate, is_valid_sender, smtp_address

TOKEN = "AbCdEfGhIjKlMnOpQrStUv_-"


def part(message, subtype: str) -> str:
    """A body part's text as a mail program shows it (line ends normalized)."""
    return message.get_body((subtype,)).get_content().replace("\r\n", "\n")


def render(**fields) -> email.message.EmailMessage:
    campaign = Campaign(**{"subject": "Hello", "from_email": "hr@acme.example", "body_text": "Hi", **fields})
    template = MessageTemplate(campaign, bounce_domain="bounces.test", base_url="https://portal.test/")
    raw = template.render(token=TOKEN, to="ada@school.example")
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")  # CRLF only
    assert raw.isascii()
    return email.message_from_bytes(raw, policy=email.policy.default)


def test_non_ascii_subject_and_sender_name_are_encoded_and_read_back():
    message = render(subject="Ünïcode training — join us", from_name="Équipe Formation")

    assert message["Subject"] == "Ünïcode training — join us"
    assert message["From"].addresses[0].display_name == "Équipe Formation"
    assert message["From"].addresses[0].addr_spec == "hr@acme.example"


def test_a_line_break_in_the_subject_cannot_add_a_header():
    message = render(subject="Hello\r\nBcc: everyone@acme.example")

    assert message["Bcc"] is None
    assert message["Subject"] == "Hello Bcc: everyone@acme.example"


def test_a_text_only_campaign_gets_an_escaped_html_part_with_the_pixel():
    message = render(body_text="Fish & chips <today>\n\nSecond paragraph")

    html = part(message, "html")
    assert "<p>Fish &amp; chips &lt;today&gt;</p>\n<p>Second paragraph</p>" in html
    assert f'<img src="https://portal.test/t/{TOKEN}/open.gif" width="1" height="1" alt="">' in html


def test_html_without_a_body_tag_gets_the_pixel_at_the_end_and_long_lines_survive():
    long_line = "x" * 500 + " = sign"
    message = render(body_html=f"<p>{long_line}</p>", body_text=f"{long_line}\n.starts with a dot\n")

    html = part(message, "html")
    text = part(message, "plain")
    assert html.startswith(f"<p>{long_line}</p>") and html.rstrip().endswith('alt="">')
    assert f"{long_line}\n.starts with a dot\n" in text


@pytest.mark.parametrize(
    "address, wire",
    [
        ("ada@school.example", "ada@school.example"),
        ("o'brien+tag@school.example", "o'brien+tag@school.example"),
        ("ada@bücher.example", "ada@xn--bcher-kva.example"),
        ("ada@School.Example", "ada@school.example"),
    ],
)
def test_valid_addresses_are_written_in_ascii_for_smtp(address, wire):
    assert smtp_address(address) == wire


@pytest.mark.parametrize(
    "address",
    [
        "",
        "ada",
        "ada@",
        "@school.example",
        "a b@school.example",
        "ada@school",
        "ünï@school.example",
        "ada@-school.example",
        "a..b@school.example",
        "ada@school.example\r\nRCPT TO:<x@y.example>",
        "x" * 65 + "@school.example",
    ],
)
def test_addresses_that_are_not_valid_syntax_are_refused(address):
    assert smtp_address(address) is None


def test_a_sender_must_be_a_plain_valid_address():
    assert is_valid_sender("training@sender.example")
    assert not is_valid_sender("Training <training@sender.example>")
    assert not is_valid_sender("training@")
