"""Address matching probes an organization's sends by the lower case of their address
(campaigns/services/matching.py ``recent_sends_to``): the index of ``email`` as stored served no
query, and each batch with an address to match scanned the organization's sends. Built and dropped
concurrently on PostgreSQL: the sends table is the largest one."""

from django.db import migrations, models
from django.db.models.functions import Lower

from bounceportal.migration_ops import AddIndexConcurrentlyOnPostgres, RemoveIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("campaigns", "0029_event_run_id"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="send",
            index=models.Index("organization", Lower("email"), "created_at", name="send_org_lower_email_created"),
        ),
        RemoveIndexConcurrentlyOnPostgres(model_name="send", name="send_org_email_created"),
    ]
