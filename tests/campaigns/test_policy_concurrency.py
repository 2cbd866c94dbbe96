"""Two database connections applying soft bounces for one learner at once lose no update."""

import threading

import pytest
from django.db import connections

from campaigns.services.policy import apply_bounce_event
from tests.factories import SOFT, BounceEventFactory, SendFactory


@pytest.mark.postgres  # row locks
@pytest.mark.django_db(transaction=True)
def test_concurrent_soft_bounces_for_one_learner_keep_the_right_count(org):
    org.bounce_policy.soft_threshold_unengaged = 1000
    org.bounce_policy.save()
    send = SendFactory(run__campaign__organization=org)
    events = [BounceEventFactory(send=send, **SOFT) for _ in range(40)]
    barrier = threading.Barrier(2)
    errors = []

    def apply_half(chunk):
        try:
            barrier.wait()
            for event in chunk:
                apply_bounce_event(event=event)
        except Exception as exc:  # surfaced below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=apply_half, args=(events[i::2],)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    send.learner.refresh_from_db()
    assert send.learner.soft_bounce_count == 40
