"""Follow a keyset pager's links (``includes/_keyset_pager.html``) the way a browser would."""

import html
import re


def link(response, rel: str) -> str | None:
    """The URL of the pager link ``rel`` ("next" or "prev") on the page, or None when it has none."""
    found = re.search(rf'<a href="([^"]*)" rel="{rel}"', response.content.decode())
    return response.request["PATH_INFO"] + html.unescape(found.group(1)) if found else None


def follow(client, response, rel: str):
    url = link(response, rel)
    assert url, f'no rel="{rel}" link on the page'
    return client.get(url)
