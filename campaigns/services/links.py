"""Click tracking links: every http(s) link of a campaign's HTML body goes through a tracked redirect.

In each message the link's ``href`` becomes ``/c/TOKEN/INDEX/SIGNATURE/``: the
send's token, the link's position among the body's tracked links, and an HMAC
(keyed by SECRET_KEY) of the three with the link's URL as written. The redirect
(``campaigns.tracking.click``) looks up the link at that index in the campaign,
checks the signature against it and only then redirects, so it can only ever
send a visitor to a URL that was in that send's message: not to one put in a
URL by hand (an open redirect), nor to a link the campaign gained since.
Merge fields in a link are filled in (percent-encoded) when it is followed.
"""

import html
import re
from urllib.parse import quote

from django.utils.crypto import constant_time_compare, salted_hmac

from campaigns.merge_fields import MergeText

_HREF = re.compile(r"""(<a\b[^>]*?\shref\s*=\s*)(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE | re.DOTALL)
_TRACKED = re.compile(r"\s*https?://", re.IGNORECASE)
MARKER = "\x00link{}\x00"  # cannot occur in a body: NUL is not allowed in a text field


def rewrite_links(body_html: str) -> tuple[str, list[str]]:
    """Return the body with each tracked link's href replaced by MARKER.format(index), and the links' URLs."""
    links: list[str] = []

    def replace(match: re.Match) -> str:
        written = match.group(2) if match.group(2) is not None else match.group(3)
        url = html.unescape(written).strip()
        if not _TRACKED.match(url):
            return match.group(0)  # mailto:, tel:, #anchors and relative links are left alone
        links.append(url)
        return f'{match.group(1)}"{MARKER.format(len(links) - 1)}"'

    return _HREF.sub(replace, body_html), links


def tracked_links(body_html: str) -> list[str]:
    """The URLs of the body's tracked links, in the order their indexes follow."""
    return rewrite_links(body_html)[1]


def link_signature(token: str, index: int, url: str) -> str:
    return salted_hmac("bounceportal.click-link", f"{token}\n{index}\n{url}", algorithm="sha256").hexdigest()[:20]


def signature_matches(token: str, index: int, url: str, signature: str) -> bool:
    return constant_time_compare(link_signature(token, index, url), signature)


def click_path(token: str, index: int, url: str) -> str:
    return f"/c/{token}/{index}/{link_signature(token, index, url)}/"


def link_target(url: str, values: dict[str, str]) -> str:
    """The link's URL with merge fields filled in for the learner (values percent-encoded)."""
    return MergeText(url, escape=lambda value: quote(value, safe="@")).render(values)
