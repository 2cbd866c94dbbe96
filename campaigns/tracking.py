"""Public tracking endpoints (no login; the send's token in the URL is the only credential).

The open pixel records an open and answers a 1×1 GIF; the unsubscribe URL
shows a confirmation page on GET and unsubscribes on POST, which is also what
mail programs send for RFC 8058 one-click unsubscribe (``List-Unsubscribe=One-Click``
in the body, no cookies). That POST cannot carry a CSRF token, so the view is
CSRF-exempt: the unguessable token is what authorizes it, and a GET never
changes anything (link scanners only GET). Unknown tokens are a 404.
"""

import base64

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from campaigns.models import Send
from campaigns.services.policy import record_open
from campaigns.services.unsubscribe import UnsubscribeVia, unsubscribe_learner
from contacts.choices import DeliverabilityStatus

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@require_GET
def open_pixel(request, token):
    send = get_object_or_404(Send.objects.only("pk", "learner_id"), token=token)
    record_open(send=send)
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, max-age=0"
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
