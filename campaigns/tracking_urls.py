"""Public URLs: the open pixel, the unsubscribe link (campaigns/tracking.py) and ESP webhooks (webhook_views.py)."""

from django.urls import re_path

from campaigns import tracking, webhook_views

app_name = "tracking"

# Tokens are secrets.token_urlsafe(18): 24 URL-safe characters; anything else is a 404.
TOKEN = r"(?P<token>[A-Za-z0-9_-]{16,64})"

urlpatterns = [
    re_path(rf"^t/{TOKEN}/open\.gif$", tracking.open_pixel, name="open"),
    re_path(rf"^c/{TOKEN}/(?P<index>[0-9]{{1,4}})/(?P<signature>[0-9a-f]{{20}})/$", tracking.click, name="click"),
    re_path(rf"^u/{TOKEN}/$", tracking.unsubscribe, name="unsubscribe"),
    re_path(r"^hooks/esp/(?P<key>[A-Za-z0-9_-]{24,64})/$", webhook_views.esp_webhook, name="esp-webhook"),
]
