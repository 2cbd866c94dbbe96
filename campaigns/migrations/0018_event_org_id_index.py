# The API's bounce events feed in id order (cursor pages). Built concurrently on PostgreSQL:
# bounce events are one of the large tables (campaigns/0001).

from django.db import migrations, models

from bounceportal.migration_ops import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("campaigns", "0017_guidance_notes"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="bounceevent",
            index=models.Index(fields=["organization", "id"], name="event_org_id"),
        ),
    ]
