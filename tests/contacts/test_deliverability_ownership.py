"""Only contacts.deliverability writes a learner's deliverability state and Clearance rows (STYLE rule 16)."""

from pathlib import Path

import pytest

from tests.deliverability_ownership import findings_in_source, findings_in_tree

ROOT = Path(__file__).resolve().parents[2]
OWNER = "contacts/deliverability/"
# Modules allowed to write the fields anyway, and why.
EXCEPTIONS = {
    "bench/": "benchmark set-up builds and resets thousands of learners' state directly, outside the timed part",
    "campaigns/management/commands/seed_demo.py": "demo learners are created with past engagement dates "
    "(there are no opens to derive them from)",
    "tests/": "tests arrange learners in the state they need",
}


def _skipped(relative: str) -> bool:
    return (
        relative.startswith((".venv/", OWNER))
        or "/migrations/" in relative
        or any(relative.startswith(prefix) for prefix in EXCEPTIONS)
    )


def test_no_module_outside_the_deliverability_package_writes_a_learners_deliverability_state():
    found = findings_in_tree(ROOT, _skipped)

    assert found == {}, "Call contacts.deliverability instead of writing these:\n" + "\n".join(
        f"{path}:{line}: {what}" for path, items in found.items() for line, what in items
    )


def test_the_exceptions_still_exist():
    assert all((ROOT / prefix).exists() for prefix in EXCEPTIONS)


@pytest.mark.parametrize(
    "source",
    [
        "learner.soft_bounce_count = 0",
        "learner.status, learner.status_reason = 'active', ''",
        "locked.times_cleared += 1",
        "Learner.objects.filter(pk=1).update(status='active')",
        "Learner.objects.filter(pk=1).update(last_engaged_at=now)",
        "learners.update(status='bounced')",
        "Learner(organization=org, status='bounced')",
        "learner.save(update_fields=['auto_replied_at'])",
        "update_fields_many(learners, ['status', 'bounce_count'])",
        "setattr(learner, 'on_resend_list', True)",
        "Clearance.objects.create(learner=learner, via='admin')",
        "Clearance.objects.bulk_create([Clearance(learner_id=1)])",
        "learner.clearances.create(via='portal')",
        "cursor.execute('UPDATE contacts_learner SET status = %s', ['active'])",
        "cursor.execute(f'INSERT INTO {quote(Clearance._meta.db_table)} (x) SELECT 1')",
    ],
)
def test_the_check_catches_a_write_of_the_deliverability_state(source):
    assert findings_in_source(source)


@pytest.mark.parametrize(
    "source",
    [
        "send.status = 'bounced'",
        "Send.objects.filter(learner=learner).update(status='sent')",
        "job.save(update_fields=['status', 'done'])",
        "Learner.objects.filter(status='bounced', times_cleared__gte=3)",
        "learner.status == 'bounced'",
        "Clearance.objects.filter(learner=learner).count()",
        "cursor.execute('SELECT status FROM contacts_learner')",
    ],
)
def test_the_check_leaves_reads_and_other_models_alone(source):
    assert findings_in_source(source) == []
