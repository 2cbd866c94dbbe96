"""The "i" panel of a send and the facts of a bounce event, as escaped HTML built in Python.

These render for every row of the run details' table (50 per page), where the
template engine cost half the page's time; ``format_html`` escapes every value
(bounce text is attacker-controlled) and nothing from a bounce is marked safe.
Templates use them through the ``bounce_facts`` tag (campaigns/templatetags). The panels' fixed labels
are translated once per language (``_labels``), not a dozen ``gettext`` calls a row.
"""

import functools

from django.urls import reverse
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, gettext_lazy

from bounceportal.tables import local_datetime
from campaigns.guidance import page_for_name
from campaigns.models import EventSource, MatchedBy, SendStatus

MATCHED_BY = dict(MatchedBy.choices)
SOURCES = dict(EventSource.choices)
SEND_STATUSES = dict(SendStatus.choices)


@functools.cache
def _labels_in(language: str | None) -> dict[str, str]:
    """The panels' fixed texts translated into ``language`` (the active one when called by ``_labels``)."""
    return {
        "verified": format_html('<span class="badge badge-active">{}</span>', gettext("Verified")),
        "unverified": format_html(
            '<span class="badge badge-soft" title="{}">{}</span>',
            gettext("No token of ours: the bounce could be forged"),
            gettext("Unverified"),
        ),
        "server_message": gettext("Server message"),
        "none_given": gettext("(none given)"),
        "status_code": gettext("Status code"),
        "reason": gettext("Reason"),
        "remote_server": gettext("Remote server"),
        "address": gettext("Address"),
        "matched_by": gettext("Matched by"),
        "received": gettext("Received"),
        "when_via": gettext("%(when)s via %(source)s"),
        "feedback_type": gettext("Feedback type"),
        "why": gettext("Why we read it so"),
        "status": gettext("Status"),
        "server_reply": gettext("Server reply"),
        "attempts": gettext("Attempts"),
        "sent": gettext("Sent"),
        "delivered": gettext("Delivered"),
        "opened": gettext("Opened"),
        "times": gettext("%(when)s (%(count)s times)"),
        "details_of": gettext("Details of the send to %(email)s"),
    }


def _labels() -> dict[str, str]:
    """``_labels_in`` the active language."""
    return _labels_in(get_language())


def _verified_badge(is_verified: bool) -> str:
    return _labels()["verified" if is_verified else "unverified"]


def _when(value) -> str:
    return local_datetime(value, "DATETIME_FORMAT") if value else "—"


def _facts(rows) -> str:
    """A <dl> of (term, description-html) pairs, each escaped unless safe (what format_html_join wrote)."""
    items = "".join(
        f"<dt>{conditional_escape(term)}</dt><dd>{conditional_escape(value)}</dd>" for term, value in rows if value
    )
    return mark_safe(f'<dl class="bounce-facts">{items}</dl>')  # every part escaped above


STAGES = {
    "connect": gettext_lazy("Refused on connecting"),
    "helo": gettext_lazy("Refused at HELO"),
    "mail": gettext_lazy("Refused at MAIL FROM (the sender)"),
    "rcpt": gettext_lazy("Refused at RCPT TO (the recipient)"),
    "data": gettext_lazy("Refused at DATA"),
    "after-data": gettext_lazy("Refused after the message was sent (a content filter)"),
}


def _named(label: str, name: str):
    """ "Label: name", the name linked to its Sending configurations page when we have one."""
    page = page_for_name(name)
    if page is None:
        return f"{label}: {name}"
    url = reverse("campaigns:guidance-detail", args=[page.slug])
    return format_html('{}: <a href="{}">{}</a> ({})', label, url, name, gettext("what to allowlist or how to delist"))


def explanation_html(event) -> str:
    """Why the classifier read the event as it did: the stage, whose side, and each rule with its words."""
    refused = STAGES.get(event.stage) or (event.stage and gettext("Refused at %(stage)s") % {"stage": event.stage})
    facts = [
        refused and str(refused),
        event.sender_side and gettext("A cause on the sender's side (not the learner's address)"),
        event.blocklist and _named(gettext("Blocklist named"), event.blocklist),
        event.filter_product and _named(gettext("Filter or provider"), event.filter_product),
    ]
    items = format_html_join(
        "",
        "<li><code>{}</code> {}</li>",
        ((item.get("rule", ""), f"“{item['text']}”" if item.get("text") else "") for item in event.evidence or ()),
    )
    if not items and not any(facts):
        return ""
    return format_html(
        '<div class="explanation">{}<ul class="evidence">{}</ul></div>',
        format_html_join("", "<p>{}</p>", ((fact,) for fact in facts if fact)),
        items,
    )


def bounce_facts_html(event, *, can_view_raw: bool) -> str:
    """What the receiving server said about one bounce event."""
    labels, verified = _labels(), _verified_badge(event.is_verified)
    code = event.status or "—"
    source = str(SOURCES.get(event.source, event.source)).lower()
    rows = [
        (
            labels["server_message"],
            format_html('<pre class="diagnostic">{}</pre>', event.diagnostic or labels["none_given"]),
        ),
        (labels["status_code"], format_html("{} (SMTP {})", code, event.reply_code) if event.reply_code else code),
        (labels["reason"], event.reason),
        (labels["remote_server"], event.remote_mta or "—"),
        (labels["address"], event.address or "—"),
        (labels["matched_by"], format_html("{} {}", MATCHED_BY.get(event.matched_by, event.matched_by), verified)),
        (labels["received"], labels["when_via"] % {"when": _when(event.occurred_at), "source": source}),
        (labels["feedback_type"], event.feedback_type),
        (labels["why"], explanation_html(event)),
    ]
    if can_view_raw and event.inbound_message_id:
        url = reverse("campaigns:inbound-raw", args=[event.inbound_message_id])
        rows.append(
            (gettext("Raw message"), format_html('<a href="{}">{}</a>', url, gettext("Show the message as received")))
        )
    return _facts(rows)


def send_facts_html(send) -> str:
    """A send without a bounce event: its status, the last server reply and its times."""
    labels, status = _labels(), SEND_STATUSES.get(send.status, send.status)
    opened = _when(send.opened_at) if send.opened_at else ""
    if send.opened_at and send.open_count > 1:
        opened = labels["times"] % {"when": opened, "count": send.open_count}
    rows = [
        (labels["status"], f"{status} ({send.skip_reason})" if send.skip_reason else status),
        (
            labels["server_reply"],
            format_html('<pre class="diagnostic">{}</pre>', send.last_reply) if send.last_reply else "",
        ),
        (labels["attempts"], str(send.attempts)),
        (labels["sent"], _when(send.sent_at) if send.sent_at else ""),
        (labels["delivered"], _when(send.delivered_at) if send.delivered_at else ""),
        (labels["opened"], opened),
    ]
    return _facts(rows)


def send_info_html(send, event, *, can_view_raw: bool) -> str:
    """The row's "i" panel: a <details> that opens in place, no script needed."""
    body = bounce_facts_html(event, can_view_raw=can_view_raw) if event else send_facts_html(send)
    return format_html(
        '<details class="info-panel"><summary aria-label="{}">'
        '<span class="info-icon" aria-hidden="true">i</span></summary><div class="info-body">{}</div></details>',
        _labels()["details_of"] % {"email": send.email},
        body,
    )
