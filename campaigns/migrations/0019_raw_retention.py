# Retention of raw bodies (campaigns/services/retention.py): when each inbound message's body and each raw
# ESP event was purged, and a partial index per table over the rows still whole, so each batch is an index
# range scan. The columns are nullable without a default (no table rewrite); the indexes are built
# concurrently on PostgreSQL (large tables, campaigns/0001).

from django.db import migrations, models

from bounceportal.migration_ops import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("campaigns", "0018_event_org_id_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="inboundmessage",
            name="body_purged_at",
            field=models.DateTimeField(
                blank=True,
                null=True,
                help_text="When retention replaced the raw message by its headers (RAW_RETENTION_DAYS); "
                "the events and their evidence are kept.",
            ),
        ),
        migrations.AddField(
            model_name="espevent",
            name="raw_purged_at",
            field=models.DateTimeField(
                blank=True, null=True, help_text="When retention cut the raw event to its short top-level fields."
            ),
        ),
        migrations.AlterField(
            model_name="espevent",
            name="raw",
            field=models.JSONField(
                help_text="The service's event as it arrived (its short top-level fields only, once purged)."
            ),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="inboundmessage",
            index=models.Index(
                condition=models.Q(body_purged_at__isnull=True), fields=["received_at", "id"], name="inbound_unpurged"
            ),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="espevent",
            index=models.Index(
                condition=models.Q(raw_purged_at__isnull=True), fields=["received_at", "id"], name="esp_event_unpurged"
            ),
        ),
    ]
