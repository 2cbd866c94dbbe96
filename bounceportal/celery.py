"""The Celery application, configured from Django settings (CELERY_* names)."""

import gc
import os

from celery import Celery
from celery.signals import worker_init, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bounceportal.settings")

app = Celery("bounceportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@worker_process_init.connect
def freeze_start_up_objects(**_signal) -> None:
    """Leave the objects a worker starts with (Django, the tasks, the classifier's modules) out of the
    garbage collector's full passes, which otherwise walk all of them again and again while a poll makes
    and drops a few hundred objects per message (0.05-0.07 ms of CPU a message, against 0.015 frozen).

    Run in the worker's main process before it forks its pool (the children inherit the frozen objects
    and their pages stay shared) and again in each child for what it set up itself."""
    gc.collect()
    gc.freeze()
