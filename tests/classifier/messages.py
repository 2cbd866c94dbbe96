"""Small bounce messages the classifier tests build themselves (a DSN, its groups, a plain notice)."""

TOKEN = "AbCdEfGhIjKlMnOpQrStUv_-12"


def dsn(
    recipients: str,
    *,
    notice: str = "Your message could not be delivered.",
    headers: str = "",
    original: str = "",
    reporting: str = "mx.example.org",
) -> bytes:
    """A multipart/report DSN with the given per-recipient groups."""
    original = original or (
        f"Message-ID: <{TOKEN}@bounce.example.org>\nFrom: news@example.org\nTo: a@b.example\nSubject: Hello\n"
    )
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\n"
        f"To: bounces+{TOKEN}@bounce.example.org\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        f"{headers}"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="BB"\n\n'
        "--BB\nContent-Type: text/plain\n\n"
        f"{notice}\n\n"
        "--BB\nContent-Type: message/delivery-status\n\n"
        f"Reporting-MTA: dns; {reporting}\n\n"
        f"{recipients}\n"
        "--BB\nContent-Type: text/rfc822-headers\n\n"
        f"{original}\n"
        "--BB--\n"
    ).encode()


def group(address: str, action: str, status: str, diagnostic: str = "", remote: str = "") -> str:
    """One per-recipient group of a delivery-status part."""
    lines = [f"Final-Recipient: rfc822; {address}", f"Action: {action}", f"Status: {status}"]
    if remote:
        lines.append(f"Remote-MTA: dns; {remote}")
    if diagnostic:
        lines.append(f"Diagnostic-Code: smtp; {diagnostic}")
    return "\n".join(lines) + "\n"


def text_bounce(body: str, subject: str = "failure notice", sender: str = "MAILER-DAEMON@mx.example.org") -> bytes:
    """A plain-text bounce notice (no delivery-status part)."""
    return (f"From: {sender}\nTo: bounces+{TOKEN}@bounce.example.org\nSubject: {subject}\n\n{body}").encode()
