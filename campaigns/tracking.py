"""Public tracking endpoints (no login; the send's token in the URL is the only credential).

The open pixel records an open and answers a 1×1 GIF; a tracked link records a
click and redirects to the link's URL only when the signature proves that URL
was in that send's message (``campaigns.services.links``); both record
machine requests (link scanners) as such (``campaigns.services.engagement``).
HEAD is answered like GET, and recorded as a machine. The unsubscribe URL
shows a confirmation page on GET and unsubscribes on POST, which is also what
mail programs send for RFC 8058 one-click unsubscribe (``List-Unsubscribe=One-Click``
in the body, no cookies). That POST cannot carry a CSRF token, so the view is
CSRF-exempt: the unguessable token is what authorizes it, and a GET never
changes anything (link scanners only GET). Unknown tokens are a 404.
"""

import base64

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from campaigns.models import Send
from campaigns.services import engagement
from campaigns.services.links import link_target, signature_matches, tracked_links
from campaigns.services.unsubscribe import UnsubscribeVia, unsubscribe_learner
from contacts.choices import DeliverabilityStatus

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
NO_STORE = "no-store, no-cache, must-revalidate, max-age=0"


def hit_of(request) -> engagement.Hit:
    """Who made the request, as far as it says (REMOTE_ADDR: set it from a trusted proxy's header upstream)."""
    return engagement.Hit(
        method=request.method,
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        ip=request.META.get("REMOTE_ADDR") or None,
        at=timezone.now(),
    )


@require_safe
def open_pixel(request, token):
    send = get_object_or_404(Send.objects.only("pk", "learner_id"), token=token)
    engagement.record_open(send=send, hit=hit_of(request))
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["Cache-Control"] = NO_STORE
    return response


@require_safe
def click(request, token, index, signature):
    """Record a click on link ``index`` of the send's message and redirect to it, or 404 if not proven."""
    send = get_object_or_404(Send.objects.select_related("run__campaign", "learner"), token=token)
    links = tracked_links(send.run.campaign.body_html)
    index = int(index)
    if index >= len(links) or not signature_matches(token, index, links[index], signature):
        raise Http404("This link is not one of the message's links.")
    learner = send.learner
    values = {"first_name": learner.first_name, "last_name": learner.last_name, "department": learner.department}
    target = link_target(links[index], {**values, "email": send.email})
    engagement.record_click(send=send, link_index=index, url=target, link_count=len(links), hit=hit_of(request))
    response = HttpResponseRedirect(target)
    response["Cache-Control"] = NO_STORE
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    send = get_object_or_404(Send.objects.select_related("organization", "learner"), token=token)
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        unsubscribe_learner(send=send, via=UnsubscribeVia.ONE_CLICK if one_click else UnsubscribeVia.LINK)
        return render(request, "campaigns/unsubscribe_done.html", {"send": send})
    already = send.learner.status == DeliverabilityStatus.UNSUBSCRIBED
    return render(request, "campaigns/unsubscribe.html", {"send": send, "already": already})
