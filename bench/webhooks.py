"""Benchmark: SendGrid-shaped event batches through the real webhook view into PostgreSQL.

Run: BENCH_DATABASE_URL=… .venv/bin/python bench/webhooks.py [--events N] [--batch N] [--simple N]
Last line: RESULT events_per_s=… queries_per_event=… limit_ratio=… (targets: ≥ 2,000 events/s in one
process, ≤ 0.5 queries per event in batches of 1,000).

Each request is signed (ECDSA, a key made here) and posted to ``/hooks/esp/<key>/`` through Django's
request handling, so the time covers signature verification, anymail's parsing, storing the raw
events, matching, classifying and applying them. The mix: deliveries, bounces of several
classifications and wordings, deferrals, dropped, processed, complaints. ``limit_ratio`` is the
batched rate divided by the simplest way of doing the same work in the same run: one request (and
one transaction) per event, as a receiver of anymail's per-event signal would. ``cpu_events_per_s``
counts this process's CPU time only (on a shared, loaded machine the wall-clock rate mostly measures
waiting for a core and for PostgreSQL); ``cpu_with_backend_events_per_s`` adds the CPU time of this
connection's PostgreSQL backend (read from /proc when the server runs on this machine): the rate one
process reaches when neither waits for a core.
"""

import argparse
import base64
import json
import os
import random
import time

from _setup import QueryCounter, setup_django

BOUNCES = [
    ("Invalid Address", "550 5.1.1 The email account that you tried to reach does not exist."),
    ("Mailbox Unavailable", "452 4.2.2 The email account that you tried to reach is over quota."),
    ("Reputation", "550 5.7.1 Service unavailable; client host blocked using Spamhaus"),
    ("Unclassified", "550 5.7.1 Message rejected as spam by Content Filtering."),
    ("Technical", "421 4.4.2 Connection timed out"),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--simple", type=int, default=1_000)
    args = parser.parse_args()
    setup_django()
    from django.test import Client, override_settings

    org, sends, connection, key = build(args.learners)
    client = Client()
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        bodies = [payload(sends, args.batch, f"b{n}") for n in range(args.events // args.batch)]
        cpu, backend = time.process_time(), backend_cpu()
        rate, queries = measure(lambda: [post(client, connection, key, body) for body in bodies], args.events)
        cpu_seconds, backend_seconds = time.process_time() - cpu, backend_cpu() - backend
        cpu_rate = args.events / cpu_seconds
        singles = [payload(sends, 1, f"s{n}") for n in range(args.simple)]
        simple_rate, _ = measure(lambda: [post(client, connection, key, body) for body in singles], args.simple)
    from campaigns.models import BounceEvent, EspEvent

    print(
        f"{args.events} events in batches of {args.batch}: {rate:.0f}/s, {queries:.2f} queries/event; "
        f"one request per event: {simple_rate:.0f}/s; stored {EspEvent.objects.filter(connection=connection).count()} "
        f"raw events, {BounceEvent.objects.filter(organization=org).count()} bounce events"
    )
    both = f"{args.events / (cpu_seconds + backend_seconds):.0f}" if backend_seconds else "?"
    print(
        f"RESULT events_per_s={rate:.0f} queries_per_event={queries:.3f} limit_ratio={rate / simple_rate:.2f} "
        f"cpu_events_per_s={cpu_rate:.0f} cpu_with_backend_events_per_s={both}"
    )


def backend_cpu() -> float:
    """CPU seconds of this connection's PostgreSQL backend so far (0 when it is not on this machine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def build(learner_count):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from bounceportal.audit import retention_path
    from campaigns.models import Campaign, CampaignRun, EspConnection, Send
    from contacts.models import Learner, Organization
    from contacts.services import create_organization

    with retention_path():  # the previous run's bounce events are audit rows
        Organization.objects.filter(slug="bench-webhooks").delete()
    org = create_organization(name="Bench webhooks", slug="bench-webhooks")
    learners = Learner.objects.bulk_create(
        [Learner(organization=org, email=f"w{i}@bench{i % 50}.example") for i in range(learner_count)], batch_size=5000
    )
    campaign = Campaign.objects.create(
        organization=org, name="Bench", subject="s", from_email="a@b.example", body_text="x"
    )
    run = CampaignRun.objects.create(organization=org, campaign=campaign)
    sends = Send.objects.bulk_create(
        [Send(organization=org, run=run, learner=learner, email=learner.email, status="sent") for learner in learners],
        batch_size=5000,
    )
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    connection = EspConnection(organization=org, name="SendGrid", service="sendgrid")
    connection.set_secrets(verification_key=base64.b64encode(public).decode())
    connection.save()
    return org, sends, connection, key


_rng = random.Random(17)


def payload(sends, count, prefix) -> bytes:
    events = []
    for n in range(count):
        send = sends[_rng.randrange(len(sends))]
        event = {
            "email": send.email,
            "timestamp": int(time.time()) - 60,
            "sg_event_id": f"{prefix}-{n}",
            "sg_message_id": f"{prefix}.{n}.filter0001",
            "bp_token": send.token,
        }
        roll = _rng.random()
        if roll < 0.5:
            event.update(event="delivered", response="250 2.0.0 OK")
        elif roll < 0.7:
            classification, reason = _rng.choice(BOUNCES)
            event.update(event="bounce", type="bounce", bounce_classification=classification, reason=reason)
        elif roll < 0.8:
            event.update(event="deferred", response="451 4.7.1 Greylisted, try again later", attempt="1")
        elif roll < 0.85:
            event.update(event="dropped", reason="Bounced Address")
        elif roll < 0.99:
            event.update(event="processed")
        else:
            event.update(event="spamreport")
        events.append(event)
    return json.dumps(events).encode()


def post(client, connection, key, body: bytes):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    timestamp = str(int(time.time()))
    signature = base64.b64encode(key.sign(timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))).decode()
    response = client.post(
        f"/hooks/esp/{connection.webhook_key}/",
        data=body,
        content_type="application/json",
        HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_SIGNATURE=signature,
        HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_TIMESTAMP=timestamp,
    )
    if response.status_code != 200:
        raise SystemExit(f"webhook answered {response.status_code}: {response.content[:300]!r}")
    return response


def measure(work, count):
    """Run ``work`` once; return (events per second, SQL statements per event)."""
    from django.db import connection

    counter = QueryCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        work()
    return count / (time.perf_counter() - started), counter.count / count


if __name__ == "__main__":
    main()
