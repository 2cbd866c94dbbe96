"""Reading an SMTP reply the way the reply-wording tests write one: code, enhanced status, text, stage."""

from bounceportal.classifier import classify_smtp_reply
from bounceportal.classifier.taxonomy import categorize


def read(code, status, text, stage=""):
    """``classify_smtp_reply`` of a reply written as its parts (the status, when given, leads the text)."""
    return classify_smtp_reply(code, f"{status} {text}" if status else text, command=stage)


def category_of(got):
    """The reason's category (a 4xx reply's own recipient is ``deferred`` until retries end)."""
    return categorize(got.reason, got.reply_code, got.status)[0]
