"""Amazon SNS messages (how Amazon SES delivers its events): signature check and subscription confirmation.

django-anymail leaves SNS signatures unverified ("Future: Verify SNS message signature") and confirms
subscriptions through boto3, so both are done here, by the AWS documentation ("Verifying the
signatures of Amazon SNS messages"): the signing certificate and the confirmation URL are fetched
only from Amazon SNS hosts over HTTPS (``sns.<region>.amazonaws.com``), the certificate must be
issued for that host, and the signature (SignatureVersion 1: SHA1, 2: SHA256, RSA PKCS#1 v1.5)
covers the documented fields in their documented order.

Tests serve a certificate they made on loopback: ``SNS_TEST_HOSTS`` names such hosts, and is read
only when ``DJANGO_ENV=test`` (plain HTTP is allowed there for those hosts alone).
"""

from __future__ import annotations

import base64
import re
import threading
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.conf import settings

from campaigns.services.esp.fetch import FetchError, fetch_bytes

_SNS_HOST = re.compile(r"^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")
_NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
_CONFIRMATION_FIELDS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
_CERT_CACHE: dict[str, x509.Certificate] = {}
_CERT_LOCK = threading.Lock()
_CERT_CACHE_SIZE = 32


class SnsError(Exception):
    """The SNS message is not signed by Amazon SNS (or its URLs point elsewhere)."""


def _test_hosts() -> tuple[str, ...]:
    if settings.DJANGO_ENV != "test":
        return ()
    return tuple(getattr(settings, "SNS_TEST_HOSTS", ()))


def check_sns_url(url: str, *, what: str) -> str:
    """Return the URL when it is an Amazon SNS HTTPS URL (or a test host in test settings); raise SnsError."""
    parts = urlsplit(str(url or ""))
    host = (parts.hostname or "").lower()
    netloc = parts.netloc.lower()
    if netloc in _test_hosts() and parts.scheme in ("http", "https"):
        return url
    if parts.scheme != "https" or not _SNS_HOST.match(host) or parts.port not in (None, 443) or parts.username:
        raise SnsError(f"the {what} is not an Amazon SNS HTTPS URL")
    return url


def string_to_sign(message: dict) -> bytes:
    """The documented canonical text of an SNS message (field name, newline, value, newline...)."""
    kind = message.get("Type")
    fields = _NOTIFICATION_FIELDS if kind == "Notification" else _CONFIRMATION_FIELDS
    text = "".join(f"{name}\n{message[name]}\n" for name in fields if name in message and message[name] is not None)
    return text.encode("utf-8")


def verify_sns_message(message: dict) -> None:
    """Raise SnsError unless the message carries a valid Amazon SNS signature."""
    if not isinstance(message, dict) or message.get("Type") not in (
        "Notification",
        "SubscriptionConfirmation",
        "UnsubscribeConfirmation",
    ):
        raise SnsError("not an SNS message")
    version = str(message.get("SignatureVersion", ""))
    algorithm = {"1": hashes.SHA1(), "2": hashes.SHA256()}.get(version)
    if algorithm is None:
        raise SnsError(f"unsupported SNS SignatureVersion {version!r}")
    url = check_sns_url(message.get("SigningCertURL", ""), what="signing certificate URL")
    if not urlsplit(url).path.endswith(".pem"):
        raise SnsError("the signing certificate URL is not a .pem file")
    certificate = _certificate(url)
    try:
        signature = base64.b64decode(str(message.get("Signature", "")), validate=True)
    except ValueError:
        raise SnsError("the signature is not base64") from None
    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise SnsError("the signing certificate has no RSA key")
    try:
        key.verify(signature, string_to_sign(message), padding.PKCS1v15(), algorithm)
    except InvalidSignature:
        raise SnsError("the SNS signature does not verify") from None


def _certificate(url: str) -> x509.Certificate:
    with _CERT_LOCK:
        cached = _CERT_CACHE.get(url)
    if cached is not None:
        return cached
    try:
        pem = fetch_bytes(url, max_bytes=64 * 1024)
        certificate = x509.load_pem_x509_certificate(pem)
    except (FetchError, ValueError) as exc:
        raise SnsError(f"the signing certificate could not be loaded: {exc}") from None
    host = (urlsplit(url).hostname or "").lower()
    if host not in {h.split(":")[0] for h in _test_hosts()} and not _names_host(certificate, host):
        raise SnsError("the signing certificate is not issued for the SNS host")
    with _CERT_LOCK:
        if len(_CERT_CACHE) >= _CERT_CACHE_SIZE:
            _CERT_CACHE.clear()
        _CERT_CACHE[url] = certificate
    return certificate


def _names_host(certificate: x509.Certificate, host: str) -> bool:
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns_names: list = names.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        dns_names = [a.value for a in certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)]
    return host in {str(name).lower() for name in dns_names}


def confirm_subscription(message: dict) -> None:
    """Visit the (verified) SubscriptionConfirmation's SubscribeURL, an Amazon SNS host only."""
    url = check_sns_url(message.get("SubscribeURL", ""), what="SubscribeURL")
    try:
        fetch_bytes(url, max_bytes=64 * 1024)
    except FetchError as exc:
        raise SnsError(f"the subscription could not be confirmed: {exc}") from None
