"""Two-factor authentication (django-otp): turn it on or off, backup codes, the login's code step, the admins' rule.

A user's authenticator app is one confirmed ``TOTPDevice``; their backup codes are the tokens
of one ``StaticDevice`` (each works once). Both are made together when the user confirms a
first code from the app, and removed together. Each change is a ``MemberChange`` audit row
(for members of an organization; staff without one enrol too, for the Django admin).
"""

from base64 import b32encode
from binascii import unhexlify
from datetime import datetime
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user, user_has_device
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from contacts.models import MemberAction, MemberChange, Organization

APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"
TOTP_TOLERANCE = 1  # steps of 30 s either side: the phone's clock may be a little off


class WrongCode(Exception):
    """The code is not the current one of the device (or not an unused backup code)."""


def new_totp_key() -> str:
    """A new random TOTP secret, as the hex string TOTPDevice.key holds (20 bytes, RFC 4226's length)."""
    return random_hex(20)


def key_in_base32(key: str) -> str:
    """The secret as authenticator apps take it when typed in: base32, in groups of four."""
    text = b32encode(unhexlify(key)).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def provisioning_uri(*, key: str, user) -> str:
    """The ``otpauth://totp/…`` URI an authenticator app reads from the QR code."""
    issuer = settings.OTP_TOTP_ISSUER
    label = quote(f"{issuer}:{user.get_username()}")
    query = urlencode({"secret": key_in_base32(key).replace(" ", ""), "issuer": issuer, "digits": 6, "period": 30})
    return f"otpauth://totp/{label}?{query}"


def qr_code_data_uri(text: str) -> str:
    """An SVG QR code of ``text`` as a data: URI (made here, nothing fetched; the CSP allows data: images)."""
    return segno.make(text, error="m").svg_data_uri(scale=5, border=4, dark="#111", light="#fff")


def normalize_code(code: str) -> str:
    """What the user typed, without spaces or dashes and in lower case (backup codes are lower-case base32)."""
    return "".join(code.split()).replace("-", "").lower()


def has_two_factor(user) -> bool:
    """True when the user has a confirmed authenticator app or backup codes."""
    return user_has_device(user)


def app_device_for(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _audit(*, user, action: str, **detail) -> None:
    membership = getattr(user, "membership", None)  # staff without an organization: no audit row
    if membership is not None:
        MemberChange.objects.create(
            organization_id=membership.organization_id, actor=user, member=user, action=action, detail=detail
        )


def enable_two_factor(*, user, key: str, code: str) -> tuple[TOTPDevice, list[str]]:
    """Turn on two-factor authentication with the app holding ``key``, once it shows ``code``.

    Returns the confirmed device and the new backup codes (to be shown once). WrongCode when the
    code is not the key's current one; ValueError when the user has two-factor authentication already.
    """
    totp = TOTP(unhexlify(key))
    try:
        matched = totp.verify(int(normalize_code(code)), tolerance=TOTP_TOLERANCE)
    except ValueError:
        matched = False
    if not matched:
        raise WrongCode(_("That code is not the one your app shows now. Check the app and try again."))
    with transaction.atomic():
        if has_two_factor(user):
            raise ValueError(_("Two-factor authentication is on already."))
        # last_t: the code just used cannot log in again (TOTPDevice refuses a step at or before it).
        device = TOTPDevice.objects.create(
            user=user, name=APP_DEVICE_NAME, key=key, confirmed=True, tolerance=TOTP_TOLERANCE, last_t=totp.t()
        )
        codes = _replace_backup_codes(user)
        _audit(user=user, action=MemberAction.TWO_FACTOR_ON)
    return device, codes


def _replace_backup_codes(user) -> list[str]:
    backup, _created = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    backup.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.TWO_FACTOR_BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=backup, token=code) for code in codes])
    return codes


def replace_backup_codes(*, user) -> list[str]:
    """New backup codes for a user with two-factor authentication; the old ones stop working. Returns them."""
    with transaction.atomic():
        if app_device_for(user) is None:
            raise ValueError(_("Turn on two-factor authentication first."))
        return _replace_backup_codes(user)


def verify_code(*, user, code: str) -> Device | None:
    """The user's device that accepts ``code`` (their app's current code, or an unused backup code, used up now).

    Six digits go to the app, anything else to the backup codes, so a mistyped code slows down
    only the device it was meant for. A device refuses every code for a while after wrong ones
    in a row (1, 2, 4 … seconds: django-otp's throttling, counted in the device's row).
    """
    code = normalize_code(code)
    model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    with transaction.atomic():
        for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
            if device.verify_token(code):
                return device
    return None


def code_wait_until(user) -> datetime | None:
    """Until when one of the user's devices refuses codes after wrong ones in a row (None: both take one now)."""
    for device in devices_for_user(user):
        allowed, data = device.verify_is_allowed()
        if not allowed and data and data.get("locked_until"):
            return data["locked_until"]
    return None


def disable_two_factor(*, user, code: str) -> None:
    """Turn off two-factor authentication once ``code`` (the app's or a backup code) is right: every device goes."""
    if verify_code(user=user, code=code) is None:
        raise WrongCode(_("That code is not right: give the one your app shows now, or an unused backup code."))
    with transaction.atomic():
        for device in list(devices_for_user(user, confirmed=None)):
            device.delete()
        _audit(user=user, action=MemberAction.TWO_FACTOR_OFF)


def set_admin_two_factor_rule(*, organization: Organization, required: bool, changed_by) -> bool:
    """Require (or stop requiring) two-factor authentication of the organization's admins; audited.

    Returns whether it changed (a conditional UPDATE: two admins saving at once make one audit row).
    """
    with transaction.atomic():
        changed = (
            Organization.objects.filter(pk=organization.pk)
            .exclude(require_admin_two_factor=required)
            .update(require_admin_two_factor=required)
        )
        organization.require_admin_two_factor = required
        if changed:
            MemberChange.objects.create(
                organization=organization,
                actor=changed_by,
                action=MemberAction.TWO_FACTOR_RULE,
                detail={"required": required},
            )
    return bool(changed)
