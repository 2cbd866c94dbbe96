"""Keys and signatures the tests make themselves, as each service signs its webhooks.

SendGrid: ECDSA P-256 over timestamp + body (its "Signed Event Webhook"). Mailgun: HMAC-SHA256 of
timestamp + token. Amazon SNS: RSA over the documented string to sign, the certificate served from
a local HTTP server on loopback (``SnsCertServer``), which also records the SubscribeURL visits.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import http.server
import json
import secrets
import threading

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from campaigns.services.esp.sns import string_to_sign


class SendGridKey:
    def __init__(self):
        self.private = ec.generate_private_key(ec.SECP256R1())
        der = self.private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.public_b64 = base64.b64encode(der).decode()  # what SendGrid's settings page shows

    def headers(self, body: bytes, timestamp: str = "1700000000") -> dict:
        signature = self.private.sign(timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))
        return {
            "HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_SIGNATURE": base64.b64encode(signature).decode(),
            "HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_TIMESTAMP": timestamp,
        }


def mailgun_signature(key: str, *, timestamp: str = "1700000000") -> dict:
    token = secrets.token_hex(25)
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {"timestamp": timestamp, "token": token, "signature": signature}


class SnsCertServer:
    """Serves a certificate the test made at /cert.pem and answers /confirm (counting the visits)."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.test")])
        now = datetime.datetime.now(datetime.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .sign(self.key, hashes.SHA256())
        )
        self.pem = certificate.public_bytes(serialization.Encoding.PEM)
        self.confirmations: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path.startswith("/confirm"):
                    outer.confirmations.append(self.path)
                    body = b"<ConfirmSubscriptionResponse/>"
                elif self.path == "/cert.pem":
                    body = outer.pem
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def sign(self, message: dict, *, key=None) -> dict:
        message = dict(message, SignatureVersion="2", SigningCertURL=f"http://{self.host}/cert.pem")
        signature = (key or self.key).sign(string_to_sign(message), padding.PKCS1v15(), hashes.SHA256())
        message["Signature"] = base64.b64encode(signature).decode()
        return message


def sns_notification(ses_event: dict, *, topic: str = "arn:aws:sns:us-east-1:123456789012:ses-events") -> dict:
    """An SNS Notification wrapping an SES event, shaped like AWS's documented example (unsigned)."""
    return {
        "Type": "Notification",
        "MessageId": "c4a5d3e1-" + secrets.token_hex(12),
        "TopicArn": topic,
        "Message": json.dumps(ses_event),
        "Timestamp": "2026-12-01T10:00:00.000Z",
    }
