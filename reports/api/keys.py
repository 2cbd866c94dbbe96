"""Create, revoke and look up API keys (the only code that writes ApiKey rows)."""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from reports.api.models import ApiKey, ApiScope

KEY_PREFIX = "bpk_"
# last_used_at is written at most this often per key: one UPDATE per request would be a hot row.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_api_key(*, organization, name: str, scope: str, can_clear: bool, created_by) -> tuple[ApiKey, str]:
    """Create a key and return (the row, the raw key); the raw key is shown once and never stored."""
    if scope not in ApiScope.values:
        raise ValueError(f"Unknown scope {scope!r}")
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        key = ApiKey.objects.create(
            organization=organization,
            name=name.strip()[:100],
            prefix=raw[: len(KEY_PREFIX) + 8],
            key_hash=hash_key(raw),
            scope=scope,
            can_clear=can_clear and scope == ApiScope.WRITE,
            created_by=created_by,
        )
    return key, raw


def revoke_api_key(*, key: ApiKey, now=None) -> ApiKey:
    """Revoke the key (it stops working at once); revoking twice keeps the first time."""
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=now or timezone.now())
    key.refresh_from_db()
    return key


def active_key_for(raw: str, *, now=None) -> ApiKey | None:
    """Return the active key whose secret is ``raw`` (None when unknown or revoked); note its use."""
    if not raw.startswith(KEY_PREFIX) or len(raw) > 100:
        return None
    key = ApiKey.objects.active().select_related("organization", "created_by").filter(key_hash=hash_key(raw)).first()
    if key is None:
        return None
    now = now or timezone.now()
    if key.last_used_at is None or key.last_used_at < now - LAST_USED_RESOLUTION:
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
        ApiKey.objects.filter(stale, pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
