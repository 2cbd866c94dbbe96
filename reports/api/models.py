"""API keys: one organization each, stored hashed, read-only or read-write, optionally allowed to clear."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import Organization


class ApiScope(models.TextChoices):
    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


class ApiKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    """A secret an organization's own systems send as ``Authorization: Bearer <key>``.

    Only the SHA-256 of the key is kept (the key is 32 random bytes, so a slow
    password hash would add nothing); ``prefix`` is its first characters, shown
    to admins so they can tell keys apart.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, help_text=_("What uses this key, e.g. “HR sync”."))
    prefix = models.CharField(max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scope = models.CharField(max_length=8, choices=ApiScope.choices, default=ApiScope.READ)
    can_clear = models.BooleanField(
        default=False, help_text=_("May clear learners' bounce statuses (needs read and write).")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API key")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def may_write(self) -> bool:
        return self.scope == ApiScope.WRITE

    @property
    def may_clear(self) -> bool:
        return self.may_write and self.can_clear
