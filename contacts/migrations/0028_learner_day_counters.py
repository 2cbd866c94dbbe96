"""The learners' day counters (issue #16): the table; migration 0029 adds the triggers that keep it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0027_counter_shard_free_of_other_writers"),
    ]

    operations = [
        migrations.CreateModel(
            name="LearnerDayCounter",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField()),
                ("key", models.TextField()),
                ("shard", models.SmallIntegerField(db_default=0, default=0)),
                ("count", models.BigIntegerField(default=0)),
                (
                    "organization",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="learner_day_counters",
                        to="contacts.organization",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("organization", "day", "key", "shard"), name="learner_day_counter_unique_key_shard"
                    )
                ],
            },
        ),
    ]
