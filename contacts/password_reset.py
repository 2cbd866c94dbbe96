"""Forgotten passwords: Django's reset view, with a cap on the mails one address or one client may ask for.

The cap is a counter per hour in the cache (Redis with ``CACHE_URL``; each process's own memory
without it), one for the address asked about and one for the client's address. Past either cap
the form answers exactly as for an address nobody has, and mails nothing: the answer says no
more about which addresses have accounts than before (no enumeration), and the mailbox of the
person asked about cannot be flooded.
"""

import hashlib
import logging

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.http import HttpResponseRedirect

from bounceportal.security import client_ip

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 3600


def _hit(key: str, limit: int) -> bool:
    """Count one request under ``key`` in the current hour; False once the count is past ``limit``."""
    # add() starts the hour's counter only when there is none, so incr() never races a reset;
    # the key's expiry is its window (a fixed window: at most twice the limit across a boundary).
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # the counter expired between add() and incr()
        cache.add(key, 1, timeout=WINDOW_SECONDS)
        count = 1
    return count <= limit


def reset_mail_allowed(*, email: str, ip: str) -> bool:
    """Count a reset request for ``email`` from ``ip``; True while both are within their hourly caps."""
    address = hashlib.sha256(email.strip().lower().encode()).hexdigest()  # no address in cache keys
    by_address = _hit(f"password-reset:address:{address}", settings.PASSWORD_RESET_MAILS_PER_ADDRESS)
    by_client = _hit(f"password-reset:ip:{ip}", settings.PASSWORD_RESET_MAILS_PER_IP)
    return by_address and by_client


class PortalPasswordResetView(auth_views.PasswordResetView):
    """Django's reset form and mail, styled like the portal, mailing only within the hourly caps."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        if reset_mail_allowed(email=form.cleaned_data["email"], ip=client_ip(self.request)):
            return super().form_valid(form)
        logger.warning("password reset mail refused: hourly cap reached (client %s)", client_ip(self.request))
        return HttpResponseRedirect(self.get_success_url())
