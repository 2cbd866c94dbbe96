"""A portal user's own preferences (today: the language of their pages and emails)."""

from django.conf import settings
from django.db import models


class UserPreference(models.Model):
    """One row per user who chose something; a user without one gets the defaults (contacts.preferences)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference")
    # Blank: no choice made, the site's LANGUAGE_CODE (and on pages the cookie or the browser's) applies.
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, blank=True)

    def __str__(self):
        return f"{self.user} preferences"
