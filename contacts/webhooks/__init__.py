"""Outbound webhooks (DESIGN §6): signed POSTs of an organization's events to the URLs it subscribed.

Events: ``learner.suppressed``, ``learner.cleared``, ``learner.unsubscribed`` (written by
``contacts.deliverability``, the one owner of learner state), ``run.paused`` and
``run.finished`` (by ``campaigns.services.guard``, ``sending`` and ``scheduling``).

- ``events``: the outbox; ``record_events`` writes deliveries in the transition's transaction.
- ``delivery``: the worker's side (claim, sign, POST through the egress guard, record, retry,
  disable after a day of failures); ``tasks.deliver_due_webhooks`` runs it after commit and on beat.
- ``signing``: the ``X-BouncePortal-Signature: t=…,v1=…`` scheme and ``verify_signature``.
- ``subscriptions``: the admins' changes (create with a secret shown once, rotate, enable, …).
"""
