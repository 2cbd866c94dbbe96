# The domain filter in id order: (organization, email_domain, id) replaces (organization, email_domain),
# which is its prefix. Built and dropped concurrently on PostgreSQL: learners are one of the large
# tables (contacts/0001).

from django.db import migrations, models

from bounceportal.migration_ops import AddIndexConcurrentlyOnPostgres, RemoveIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("contacts", "0013_job_progress_help_texts"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="learner",
            index=models.Index(fields=["organization", "email_domain", "id"], name="learner_org_domain_id"),
        ),
        RemoveIndexConcurrentlyOnPostgres(model_name="learner", name="learner_org_domain"),
    ]
