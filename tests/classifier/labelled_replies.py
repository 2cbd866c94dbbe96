"""A reply row labelled from its software's own documentation, and how a row is scored.

The sources of real reply texts (``debian_replies.py``, ``haraka_replies.py``) share the row, the
held-out quarter and the scoring: category (``replies.category_of``), reason (any of the
accepted ones) and, when the label gives one, the side of the cause.
"""

import hashlib
from typing import NamedTuple

from tests.classifier.replies import category_of, read


class LabelledReply(NamedTuple):
    package: str
    version: str
    code: str
    status: str
    stage: str
    text: str
    category: str
    reasons: tuple[str, ...]
    sender_side: bool | None


def is_held_out(row: LabelledReply) -> bool:
    """True for the quarter of rows set aside, that no fix may look at: ``sha256(text) % 4 == 0``."""
    return int(hashlib.sha256(row.text.encode("utf-8")).hexdigest(), 16) % 4 == 0


def reading(row: LabelledReply):
    """The classifier's reading of the row's reply."""
    return read(row.code, row.status, row.text, row.stage)


def misread_fields(row: LabelledReply, got) -> list[str]:
    """The fields of ``row``'s label that ``got`` reads otherwise."""
    wrong = []
    if category_of(got) != row.category:
        wrong.append("category")
    if got.reason not in row.reasons:
        wrong.append("reason")
    if row.sender_side is not None and got.sender_side != row.sender_side:
        wrong.append("sender_side")
    return wrong
