# The release task's range scan over a scheduled run's due times (campaigns/services/scheduling.py).
# campaigns_send is a large table: the index is built concurrently on PostgreSQL (the rule in
# contacts/migrations/0001_initial.py), so this migration is not atomic.

from django.db import migrations, models

from bounceportal.migration_ops import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('campaigns', '0007_run_schedule_window'),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name='send',
            index=models.Index(condition=models.Q(('next_attempt_at__isnull', False), ('status', 'scheduled')), fields=['run', 'next_attempt_at'], name='send_run_due'),
        ),
    ]
