"""The public webhook URL of each ESP connection: ``/hooks/esp/<webhook key>/`` (no login, no CSRF).

The unguessable key names the connection; the request must then pass the connection's own checks
(signature, SNS certificate, basic auth). A refused request is answered 4xx and logged with the
connection, the reason, the sender's address and the body's size, never the body. An unknown or
disabled key is a 404.
"""

import logging

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from campaigns.models import EspConnection
from campaigns.services.esp.webhooks import WebhookRefused, ingest_in_batches, receive_webhook
from campaigns.tasks.esp import queue_esp_events

logger = logging.getLogger(__name__)


@csrf_exempt
@require_http_methods(["POST", "HEAD"])
def esp_webhook(request, key):
    connection = get_object_or_404(EspConnection.objects.filter(enabled=True), webhook_key=key)
    if request.method == "HEAD":  # some services check the URL when it is configured
        return HttpResponse()
    try:
        _read_body(request)
        received = receive_webhook(connection=connection, request=request)
    except WebhookRefused as exc:
        return _refused(request, connection, exc)
    if len(received.events) > settings.ESP_WEBHOOK_SYNC_EVENTS:
        queued = queue_esp_events(connection=connection, events=received.events)
        return JsonResponse({"queued": queued}, status=202)
    result = ingest_in_batches(connection=connection, events=received.events)
    return JsonResponse({"received": result.received, "stored": result.stored, "duplicates": result.duplicates})


def _read_body(request) -> None:
    """Read the body up to ESP_WEBHOOK_MAX_BYTES (SendGrid batches exceed Django's 2.5 MB form limit)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit = settings.ESP_WEBHOOK_MAX_BYTES
    if length > limit:
        raise WebhookRefused(f"body of {length} bytes is over the {limit} byte limit", status=413)
    data = request.read(limit + 1)
    if len(data) > limit:
        raise WebhookRefused(f"body over the {limit} byte limit", status=413)
    request._body = data  # what HttpRequest.body returns; its own 2.5 MB check is for forms


def _refused(request, connection: EspConnection, exc: WebhookRefused) -> HttpResponse:
    reason = str(exc)[:400]
    logger.warning(
        "ESP webhook refused: connection %s (%s), %s, from %s, %s bytes",
        connection.pk,
        connection.service,
        reason,
        request.META.get("REMOTE_ADDR", "?"),
        request.META.get("CONTENT_LENGTH", "?"),
    )
    EspConnection.objects.filter(pk=connection.pk).update(last_error=reason, last_error_at=timezone.now())
    response = HttpResponse(reason, status=exc.status, content_type="text/plain")
    for name, value in exc.headers.items():
        response[name] = value
    return response
