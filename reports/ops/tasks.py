"""The beat heartbeat task (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

from django.utils import timezone

from bounceportal.celery import app
from reports.ops.models import Heartbeat

BEAT = "beat"


@app.task(ignore_result=True)
def record_beat_heartbeat() -> None:
    """Record that beat scheduled this and a worker ran it (``/readyz`` checks its age)."""
    Heartbeat.objects.update_or_create(name=BEAT, defaults={"beat_at": timezone.now()})
