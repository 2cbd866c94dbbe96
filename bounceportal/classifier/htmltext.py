"""Visible text of an HTML notice, in time linear in its length whatever the markup.

The rules are those the classifier always used (so its scores do not move): a block tag
(``br``, ``p``, ``div``, ``tr``, ``li`` and their closing forms, and closing headings)
becomes a newline; then a ``<script>``/``<style>`` element up to the first closing
``</script>`` or ``</style>`` becomes a space, and so does any other tag whose ``>``
comes within 2,000 characters; a ``<`` with no ``>`` is text; six entities are decoded.

They used to be regular expressions whose ``[^>]*>`` and ``.*?</style>`` rescanned to the
end of the text from every ``<`` that had no closing ``>`` (262 KB of ``<style`` cost two
minutes). Here every search starts where the last one ended or reuses its answer, so each
character is looked at a bounded number of times. The stdlib ``html.parser`` is not used:
before Python 3.13.5 it is itself quadratic on some unterminated constructs (CVE-2025-6069),
and its idea of a tag differs from the rules above.
"""

from __future__ import annotations

import re

from .lazyre import compile_later

# Case-insensitive matching as ``re.IGNORECASE`` does it for script/style: ASCII letters plus
# the four non-ASCII letters that fold to ASCII ones; every mapping keeps one character.
_FOLD = {code: code + 32 for code in range(ord("A"), ord("Z") + 1)}
_FOLD.update({0x130: ord("i"), 0x131: ord("i"), 0x17F: ord("s"), 0x212A: ord("k")})
# Only names: no unbounded repetition, so finding them all costs one look at each position.
_BLOCK_NAME = compile_later(r"<(?:br|/p|/div|/tr|/li|/h\d|p|div|tr|li)\b", re.I)
_OPENER = compile_later(r"<(?:script|style)\b")  # searched in the folded text
_CLOSERS = ("</script>", "</style>")
_MAX_TAG = 2000  # characters between ``<`` and ``>`` for anything but script/style to be a tag
_ENTITIES = {"&nbsp;": " ", "&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"', "&#39;": "'"}
_ENTITY = compile_later("|".join(_ENTITIES))  # literal alternatives: a bounded look at each position


def html_to_text(html: str) -> str:
    """Return visible text of an HTML fragment, one line per block element."""
    text = _strip_tags(_blocks_to_newlines(html))
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(0)], text)


def _blocks_to_newlines(html: str) -> str:
    out: list[str] = []
    pos, gt = 0, -2  # gt: the first ">" at or after the last name end looked for (-1: none left)
    for match in _BLOCK_NAME.finditer(html):
        if match.start() < pos:  # inside the tag just replaced
            continue
        if gt < match.end():
            gt = html.find(">", match.end())
        if gt < 0:  # no ">" after this point: no block tag can end any more
            break
        out.append(html[pos : match.start()])
        out.append("\n")
        pos = gt + 1
    out.append(html[pos:])
    return "".join(out)


def _strip_tags(text: str) -> str:
    """Script/style elements and tags to spaces. A ``<`` whose ``>`` is too far is text, and so is
    every ``<`` up to 2,000 characters before that ``>`` (they are further still): the scan jumps
    there, or to the next script/style opening, so a run of ``<`` costs no work per character."""
    low = text.translate(_FOLD)
    out: list[str] = []
    closers = [-2, -2]  # the next "</script>" and "</style>" looked for (-1: none left)
    pos, gt, opener = 0, -2, -2  # the next ">" and script/style opening looked for (-1: none left)
    i = text.find("<")
    while i >= 0:
        if opener != -1 and opener < i:
            found = _OPENER.search(low, i)
            opener = found.start() if found else -1
        end = _element_end(low, i, closers) if opener == i else -1
        if end < 0:
            if gt != -1 and gt <= i:
                gt = text.find(">", i + 1)
            if gt >= 0 and gt - i - 1 <= _MAX_TAG:
                end = gt + 1
        if end >= 0:
            out.append(text[pos:i])
            out.append(" ")
            pos = end
            i = text.find("<", end)
            continue
        following = text.find("<", max(i + 1, gt - _MAX_TAG - 1)) if gt >= 0 else -1
        if opener > i and (following < 0 or opener < following):
            following = opener
        i = following
    out.append(text[pos:])
    return "".join(out)


def _element_end(low: str, i: int, closers: list[int]) -> int:
    """The end of the script or style element opened at ``i`` (through the first closer), else -1."""
    start = i + 1 + (6 if low.startswith("script", i + 1) else 5)
    for index, closer in enumerate(_CLOSERS):
        if closers[index] != -1 and closers[index] < start:
            closers[index] = low.find(closer, start)
    found = [(at, len(_CLOSERS[index])) for index, at in enumerate(closers) if at >= 0]
    if not found:
        return -1
    at, length = min(found)
    return at + length
