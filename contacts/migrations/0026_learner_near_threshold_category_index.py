"""The near-threshold index also holds the last bounce's category and subtype (issue #16).

The learner list filtered by near threshold and a category (``?category=soft&near_threshold=true``) counted
its matches (up to 10,001) through learner_org_soft_counting: every learner past the lowest floor, about
240,000 at 1,000,000 learners, each read from the table to check its status, category and engagement
(113 ms, EXPLAIN ANALYZE on bench/pages.py's data). With the category and subtype included, the same
count is an index-only scan of the active learners (29 ms there, at load 6). The new index is built
before the old one is dropped, both concurrently on PostgreSQL (no write lock on the learners), so the
near-threshold queries always have one.
"""

from django.db import migrations, models

from bounceportal.migration_ops import AddIndexConcurrentlyOnPostgres, RemoveIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("contacts", "0025_learner_update_counter_skips_unchanged"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="learner",
            index=models.Index(
                condition=models.Q(("soft_bounce_count__gt", 0), ("status", "active")),
                fields=["organization", "-soft_bounce_count", "id"],
                include=("last_engaged_at", "last_bounce_category", "last_bounce_subtype"),
                name="learner_org_active_soft_cat",
            ),
        ),
        RemoveIndexConcurrentlyOnPostgres(model_name="learner", name="learner_org_active_soft"),
    ]
