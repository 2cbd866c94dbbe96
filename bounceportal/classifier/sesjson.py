"""Amazon SES event notifications (JSON, usually wrapped in an SNS envelope) by mail.

SES can publish bounce, complaint, delivery and delivery-delay events to SNS, and SNS can
deliver them as email: the body is a JSON object whose ``Message`` is itself JSON text with
``notificationType`` (or ``eventType``) ``Bounce``, ``Complaint``, ``Delivery`` or
``DeliveryDelay`` (event publishing only: ``deliveryDelay.delayedRecipients``, each with its
status and diagnostic code; SES keeps trying until ``expirationTime``).
"""

from __future__ import annotations

import json

from .dsn import strip_type

TYPE_CHECKING = False  # typing costs ~10 ms of start-up; annotations are strings anyway
if TYPE_CHECKING:
    from typing import Any


def load_notification(body: str) -> dict[str, Any] | None:
    """Return the SES notification object in a message body, or None if there is none."""
    if "notificationType" not in body and "eventType" not in body:
        return None
    start = body.find("{")
    end = body.rfind("}")
    if start < 0 or end <= start:
        return None
    try:  # strict=False: mail transports fold long lines inside the JSON strings
        data = json.loads(body[start : end + 1], strict=False)
    except ValueError:
        return None
    if isinstance(data, dict) and isinstance(data.get("Message"), str):
        try:
            data = json.loads(data["Message"], strict=False)
        except ValueError:
            return None
    if not isinstance(data, dict):
        return None
    kind = data.get("notificationType") or data.get("eventType")
    return data if kind in ("Bounce", "Complaint", "Delivery", "DeliveryDelay") else None


def _failure(item: dict[str, Any], action: str, remote_mta: str) -> dict[str, str]:
    """One bounced or delayed recipient (``action``: the item's own, else the event's)."""
    return {
        "address": str(item.get("emailAddress", "")),
        "action": str(item.get("action") or action),
        "status": str(item.get("status") or ""),
        "diagnostic": strip_type(str(item.get("diagnosticCode") or "")),
        "remote_mta": remote_mta,
    }


def recipients_of(data: dict[str, Any]) -> list[dict[str, str]]:
    """Return ``[{address, action, status, diagnostic, remote_mta, feedback_type}]``."""
    kind = data.get("notificationType") or data.get("eventType")
    rows = []
    if kind == "Bounce":
        bounce = data.get("bounce") or {}
        remote = strip_type(str(bounce.get("remoteMtaIp") or ""))
        rows = [
            _failure(item, "failed", remote) for item in bounce.get("bouncedRecipients") or [] if isinstance(item, dict)
        ]
    elif kind == "DeliveryDelay":
        delay = data.get("deliveryDelay") or {}
        rows = [
            _failure(item, "delayed", "") for item in delay.get("delayedRecipients") or [] if isinstance(item, dict)
        ]
    elif kind == "Complaint":
        complaint = data.get("complaint") or {}
        feedback_type = str(complaint.get("complaintFeedbackType") or "abuse")
        for item in complaint.get("complainedRecipients") or []:
            if isinstance(item, dict):
                rows.append({"address": str(item.get("emailAddress", "")), "feedback_type": feedback_type})
    else:
        delivery = data.get("delivery") or {}
        for address in delivery.get("recipients") or []:
            rows.append(
                {
                    "address": str(address),
                    "action": "delivered",
                    "status": "2.0.0",
                    "diagnostic": str(delivery.get("smtpResponse") or ""),
                    "remote_mta": str(delivery.get("remoteMtaIp") or ""),
                }
            )
    return rows


def original_headers(data: dict[str, Any]) -> dict[str, list[str]]:
    """Return the sent message's headers SES echoes back (``mail.headers``), lower-cased."""
    mail = data.get("mail") or {}
    headers: dict[str, list[str]] = {}
    for item in mail.get("headers") or []:
        if isinstance(item, dict) and "name" in item:
            headers.setdefault(str(item["name"]).lower(), []).append(str(item.get("value", "")))
    if mail.get("source"):
        headers.setdefault("return-path", []).append(str(mail["source"]))
    return headers
