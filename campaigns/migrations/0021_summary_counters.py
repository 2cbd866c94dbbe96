"""Summary counters kept by the writes (issue #16): the counter tables; 0022 installs the triggers that keep them."""


import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("campaigns", "0020_mailbox_uid_watermark"),
        ("contacts", "0011_learner_org_id_index"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="runcounter", name="run_counter_unique_key"),
        migrations.AddField(
            model_name="runcounter",
            name="shard",
            field=models.SmallIntegerField(db_default=0, default=0),
        ),
        migrations.AlterField(
            model_name="runcounter",
            name="run",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="guard_counters",
                to="campaigns.campaignrun",
            ),
        ),
        migrations.AlterField(model_name="runcounter", name="key", field=models.TextField()),
        migrations.AlterField(model_name="runcounter", name="count", field=models.BigIntegerField(default=0)),
        migrations.AddConstraint(
            model_name="runcounter",
            constraint=models.UniqueConstraint(fields=("run", "key", "shard"), name="run_counter_unique_key_shard"),
        ),
        migrations.CreateModel(
            name="OrgDayCounter",
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
                        related_name="day_counters",
                        to="contacts.organization",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("organization", "day", "key", "shard"), name="org_day_counter_unique_key_shard"
                    )
                ],
            },
        ),
    ]
