# The API's learners list in id order (cursor pages). Built concurrently on PostgreSQL: learners
# are one of the large tables (contacts/0001).

from django.db import migrations, models

from bounceportal.migration_ops import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("contacts", "0010_learner_import"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="learner",
            index=models.Index(fields=["organization", "id"], name="learner_org_id"),
        ),
    ]
