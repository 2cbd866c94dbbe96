"""End to end in Chromium: support logs in to the admin, selects all bounced learners across pages,
confirms with a note (and the guard rail), and watches the job finish."""

import pytest
from django.utils import timezone

from contacts import bulk_clear, bulk_clear_runner
from contacts.admin import LearnerAdmin
from contacts.models import BulkClearJob, Clearance, Learner
from tests.factories import LearnerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def admin_log_in(page, live_server, username, next_path):
    page.goto(f"{live_server.url}/admin/login/?next={next_path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct horse battery staple")
    page.click("input[type=submit]")
    page.wait_for_load_state("networkidle")


def test_support_bulk_clears_every_bounced_learner_of_an_organization(
    page, live_server, cx_user, org, other_org, screenshot, monkeypatch
):
    monkeypatch.setattr(LearnerAdmin, "list_per_page", 10)  # three pages of bounced learners
    monkeypatch.setattr(bulk_clear, "SYNC_LIMIT", 5)  # so the job goes through the Celery task
    monkeypatch.setattr(bulk_clear_runner, "CHUNK_SIZE", 10)
    now = timezone.now()
    for i in range(25):
        LearnerFactory(
            organization=org,
            email=f"learner{i:02}@acme.example",
            status="bounced",
            last_bounce_category="hard",
            last_bounce_subtype="address_unknown",
            last_bounced_at=now,
            times_cleared=4 if i == 7 else 0,
        )
    LearnerFactory.create_batch(3, organization=org)
    LearnerFactory(
        organization=other_org,
        email="elsewhere@other.example",
        status="bounced",
        last_bounce_category="soft",
        last_bounce_subtype="mailbox_full",
    )

    admin_log_in(
        page, live_server, "carol", f"/admin/contacts/learner/?status__exact=bounced%26organization__id__exact={org.pk}"
    )
    assert page.locator("#result_list tbody tr").count() == 10
    page.check("#action-toggle")
    page.click("text=Select all 25 learners")
    page.select_option("select[name=action]", "clear_bounce_status")
    page.click("button[name=index]")
    page.wait_for_load_state("networkidle")

    assert page.locator("#clear-count").inner_text() == "25"
    assert page.locator("table.repeat-learners").inner_text().count("learner07@acme.example") == 1
    page.fill("textarea[name=note]", "Ticket 4711: Acme fixed their mail server")
    page.click("input[type=submit].default")  # without the guard-rail checkbox: refused
    page.wait_for_load_state("networkidle")
    assert "tick the box to clear them anyway" in page.content()
    assert Clearance.objects.count() == 0
    page.fill("textarea[name=note]", "Ticket 4711: Acme fixed their mail server")
    page.check("input[name=repeat_confirmed]")
    screenshot(page, "admin-bulk-clear-confirm")
    page.click("input[type=submit].default")
    page.wait_for_load_state("networkidle")

    assert page.locator("#job-status").inner_text() == "Done"
    assert page.locator("#job-cleared").inner_text() == "25"
    screenshot(page, "admin-bulk-clear-done")
    job = BulkClearJob.objects.get()
    assert (job.total, job.done, job.cleared, job.status) == (25, 25, 25, "done")
    assert Learner.objects.filter(organization=org, status="bounced").count() == 0
    assert Learner.objects.get(email="elsewhere@other.example").status == "bounced"
    assert (
        Clearance.objects.filter(
            via="admin_bulk", cleared_by=cx_user, note="Ticket 4711: Acme fixed their mail server"
        ).count()
        == 25
    )
