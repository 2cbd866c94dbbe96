"""Celery tasks of the contacts app (thin: they take ids and call a service, STYLE rule 8).

A task that a service enqueues is declared in that service's module (the service
cannot import this module back without an import cycle); it is imported here so
Celery's autodiscovery of ``<app>.tasks`` registers it.
"""

from contacts.bulk_clear import run_bulk_clear_job

__all__ = ["run_bulk_clear_job"]
