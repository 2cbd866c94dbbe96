"""Encrypt small secrets (mailbox passwords, OAuth tokens) at rest with Fernet.

The key comes from MAILBOX_SECRET_KEY (a Fernet key, or any passphrase, which
is stretched into one); in development it falls back to one derived from
SECRET_KEY so a fresh clone works. Plain values never reach logs or pages.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class SecretDecryptionError(Exception):
    """The stored secret cannot be read with the configured key (was the key rotated?)."""


def _fernet() -> Fernet:
    material = settings.MAILBOX_SECRET_KEY or f"dev-mailbox-key:{settings.SECRET_KEY}"
    try:
        return Fernet(material.encode() if isinstance(material, str) else material)
    except ValueError:  # not a Fernet key: stretch the passphrase into one
        return Fernet(base64.urlsafe_b64encode(hashlib.sha256(material.encode()).digest()))


def encrypt_secret(plain: str) -> str:
    """Return the ciphertext of ``plain`` as text ('' stays '')."""
    if not plain:
        return ""
    return _fernet().encrypt(plain.encode()).decode()


def decrypt_secret(token: str) -> str:
    """Return the plain text of a value made by encrypt_secret ('' stays '')."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretDecryptionError("stored secret cannot be decrypted with MAILBOX_SECRET_KEY") from None
