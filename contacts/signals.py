"""Signals contacts sends for what other apps keep about an organization (contacts imports none of them)."""

from django.dispatch import Signal

# Sent inside the transaction that changed ``organization.time_zone`` (keyword: organization). The
# summary counters count days in the organization's zone, so campaigns recounts its days.
organization_time_zone_changed = Signal()
