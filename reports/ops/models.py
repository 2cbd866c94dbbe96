"""The beat heartbeat: proof that beat, the broker and a worker are all running."""

from django.db import models


class Heartbeat(models.Model):
    """One row per periodic process; ``beat_at`` is when its last heartbeat task ran on a worker."""

    name = models.CharField(max_length=40, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
