"""Public tracking URLs: the open pixel and the unsubscribe link (see campaigns/tracking.py)."""

from django.urls import re_path

from campaigns import tracking

app_name = "tracking"

# Tokens are secrets.token_urlsafe(18): 24 URL-safe characters; anything else is a 404.
TOKEN = r"(?P<token>[A-Za-z0-9_-]{16,64})"

urlpatterns = [
    re_path(rf"^t/{TOKEN}/open\.gif$", tracking.open_pixel, name="open"),
    re_path(rf"^u/{TOKEN}/$", tracking.unsubscribe, name="unsubscribe"),
]
