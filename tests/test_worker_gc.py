"""A Celery worker leaves the objects it started with out of the garbage collector's full passes."""

import gc

from celery.signals import worker_init, worker_process_init

import bounceportal.celery  # noqa: F401  (connects the handlers)


def test_a_starting_worker_freezes_the_objects_it_started_with():
    for signal in (worker_init, worker_process_init):
        gc.unfreeze()
        try:
            signal.send(sender=None)
            assert gc.get_freeze_count() > 0, f"{signal.name} left the start-up objects to the collector"
        finally:
            gc.unfreeze()
