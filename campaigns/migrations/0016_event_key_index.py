# The look-up of a report's event keys before its events are counted (issue #13). Built
# concurrently on PostgreSQL: bounce events are one of the large tables (campaigns/0001).

from django.db import migrations, models

from bounceportal.migration_ops import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("campaigns", "0015_inbound_content_digest_and_event_key"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="bounceevent",
            index=models.Index(fields=["organization", "event_key"], name="event_org_key"),
        ),
    ]
