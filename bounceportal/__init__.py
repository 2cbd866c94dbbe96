"""BouncePortal project package.

The Celery app lives in ``bounceportal.celery`` and is imported by the task
modules themselves, not here, so that ``python -m bounceportal.classifier``
starts without loading Celery or Django.
"""
