"""The migration history of 0.2: one initial set in dependency order, and the rule for later index changes."""

import pytest
from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.core.management import call_command
from django.db.migrations import AddIndex, RemoveIndex
from django.db.migrations.loader import MigrationLoader

# The tables that hold a row per learner, per send or per bounce: an index built there with a
# plain CREATE INDEX locks writes for as long as the build takes.
LARGE_MODELS = {("contacts", "learner"), ("campaigns", "send"), ("campaigns", "bounceevent")}
PROJECT_APPS = ("contacts", "campaigns", "reports")


def project_migrations():
    loader = MigrationLoader(None, ignore_no_migrations=True)  # the files only, not what a database applied
    return [migration for (app, _name), migration in loader.disk_migrations.items() if app in PROJECT_APPS]


def test_contacts_migrations_never_depend_on_campaigns_or_reports():
    contacts = [m for m in project_migrations() if m.app_label == "contacts"]

    assert contacts
    assert not [(m.name, dep) for m in contacts for dep in m.dependencies if dep[0] in ("campaigns", "reports")]


def test_each_app_has_one_initial_migration():
    initial = sorted(m.app_label for m in project_migrations() if m.initial)

    assert initial == ["campaigns", "contacts"]


@pytest.mark.django_db
def test_the_models_need_no_migration_that_is_not_written():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_later_index_changes_on_the_large_tables_are_concurrent_and_not_atomic():
    offending = []
    for migration in project_migrations():
        if migration.initial:
            continue
        for operation in migration.operations:
            if not isinstance(operation, AddIndex | RemoveIndex):
                continue
            if (migration.app_label, operation.model_name.lower()) not in LARGE_MODELS:
                continue
            concurrent = isinstance(operation, AddIndexConcurrently | RemoveIndexConcurrently)
            if not concurrent or migration.atomic:
                offending.append(f"{migration.app_label}.{migration.name}: {operation.describe()}")

    assert offending == []
