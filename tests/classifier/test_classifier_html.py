"""HTML notices as text: the rules the classifier always used, now in linear time."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bounceportal.classifier.htmltext import html_to_text

# The regular expressions html_to_text replaced (quadratic: every "<" without a ">" rescanned
# the rest of the text). They stay here as the reference the new code must agree with.
_OLD_TAG = re.compile(r"<(?:script|style)\b.*?</(?:script|style)>|<[^>]{0,2000}>", re.I | re.S)
_OLD_BLOCK_TAG = re.compile(r"<(?:br|/p|/div|/tr|/li|/h\d|p|div|tr|li)\b[^>]*>", re.I)
_OLD_ENTITIES = {"&nbsp;": " ", "&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"', "&#39;": "'"}
_OLD_ENTITY = re.compile("|".join(_OLD_ENTITIES))


def old_html_to_text(html: str) -> str:
    text = _OLD_TAG.sub(" ", _OLD_BLOCK_TAG.sub("\n", html))
    return _OLD_ENTITY.sub(lambda m: _OLD_ENTITIES[m.group(0)], text)


PIECES = [
    "<", ">", "/", "br", "BR", "p", "P", "div", "tr", "li", "h1", "/h", "pre", "script", "STYLE", "sty",
    "</script>", "</style>", "</STYLE>", "<style>", "<script ", "x", " ", "\n", "_", "1", "é",
    "\u0130", "\u0131", "\u017f", "&nbsp;", "&amp;", "&lt;", "&", ";", "a@b.example",
]  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_html_text_agrees_with_the_old_patterns(pieces):
    html = "".join(pieces)

    assert html_to_text(html) == old_html_to_text(html)


def test_a_tag_is_text_when_its_end_is_more_than_2000_characters_away():
    for gap in (1999, 2000, 2001, 2002):
        html = "a <b" + "x" * gap + "> c <style>" + "y" * gap + "</style> d"

        assert html_to_text(html) == old_html_to_text(html)


def test_blocks_become_lines_and_scripts_vanish():
    html = "<div>Delivery <b>failed</b></div><style>p {}</style><p>550 5.1.1 &lt;a@b.example&gt;<br>User unknown"

    assert html_to_text(html).split() == ["Delivery", "failed", "550", "5.1.1", "<a@b.example>", "User", "unknown"]
    assert "\n550" in html_to_text(html)


def test_unterminated_tags_of_a_megabyte_are_read_to_the_end():
    for opening in ("<style", "<script", "<p", "<br", "<", "<!--", "<a href='"):
        html = opening * (1024 * 1024 // len(opening)) + " the end"

        text = html_to_text(html)

        assert text.endswith(" the end")
