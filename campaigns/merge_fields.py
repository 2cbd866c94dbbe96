"""Merge fields in a campaign's subject and bodies: ``{{ first_name }}``, ``{{ last_name }}``,
``{{ department }}`` and ``{{ email }}``, replaced by the learner's values for each send.

Campaign authors' text is never given to a template engine: the text is split
once into literal pieces and field names, and rendering joins the pieces with
the values (HTML-escaped in an HTML body). Anything else that looks like
template code (``{{ other }}``, ``{{ email|upper }}``, ``{% if %}``, ``{# #}``)
is a problem reported when the campaign is saved, so it can never reach a
message, and would be sent as its literal text if it did.
"""

import html
import re
from collections.abc import Callable, Mapping

MERGE_FIELDS = ("first_name", "last_name", "department", "email")
_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_FIELD = re.compile(r"\{\{\s*(" + "|".join(MERGE_FIELDS) + r")\s*\}\}")


def merge_field_problems(text: str, *, where: str) -> list[str]:
    """Return why ``text`` (the campaign's ``where``) holds template code other than the merge fields."""
    known = ", ".join("{{ " + name + " }}" for name in MERGE_FIELDS)
    problems = []
    for match in _PLACEHOLDER.finditer(text or ""):
        if _FIELD.fullmatch(match.group(0)):
            continue
        shown = match.group(0) if len(match.group(0)) <= 40 else match.group(0)[:37] + "…"
        problems.append(f"The {where} uses {shown}, which is not a merge field: use {known}.")
    return problems


class MergeText:
    """A text split into literal pieces and merge fields; ``render`` fills them in for one learner."""

    __slots__ = ("escape", "has_fields", "pieces")

    def __init__(self, text: str, *, escape: Callable[[str], str] | None = None):
        parts = _FIELD.split(text)  # literal, field, literal, field, …, literal
        self.pieces = parts
        self.has_fields = len(parts) > 1
        self.escape = escape

    def render(self, values: Mapping[str, str]) -> str:
        if not self.has_fields:
            return self.pieces[0]
        escape = self.escape
        out = self.pieces[:]
        for index in range(1, len(out), 2):
            value = values.get(out[index]) or ""
            out[index] = escape(value) if escape else value
        return "".join(out)


def html_merge(text: str) -> MergeText:
    """A MergeText for an HTML body: the values are escaped, quotes included."""
    return MergeText(text, escape=lambda value: html.escape(value, quote=True))
