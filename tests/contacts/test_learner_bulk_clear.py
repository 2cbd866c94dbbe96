"""The portal's bulk clear: the same BulkClearJob as the admin's, with its limit, guard and progress."""

import pytest
from django.urls import reverse

from contacts import bulk_clear, bulk_clear_runner
from contacts.choices import DeliverabilityStatus
from contacts.models import BulkClearJob, Clearance, Learner
from tests.factories import LearnerFactory, bounced_learner

pytestmark = pytest.mark.django_db
LIST = reverse("contacts:learner-list")
BULK = reverse("contacts:learner-bulk-clear")


def select(client, learners, **data):
    """POST a selection from the list; return the redirect to the draft job's confirmation page."""
    return client.post(BULK, {"select": [learner.pk for learner in learners], **data})


def statuses(learners):
    return [Learner.objects.get(pk=learner.pk).status for learner in learners]


def test_bulk_clear_asks_for_confirmation_with_the_count(admin_client, org):
    learners = [bounced_learner(org) for _ in range(3)]
    active = LearnerFactory(organization=org)

    response = select(admin_client, [*learners, active], next=LIST)
    page = admin_client.get(response["Location"])

    body = page.content.decode()
    assert response.status_code == 302 and page.status_code == 200
    assert "You selected 4 learners" in body
    assert "3 bounced learners" in body
    assert all(learner.email in body for learner in learners)
    assert statuses(learners) == ["bounced"] * 3


def test_bulk_clear_makes_a_portal_job_of_the_organization(admin_client, org, admin_member):
    learners = [bounced_learner(org) for _ in range(2)]

    select(admin_client, learners)

    job = BulkClearJob.objects.get()
    assert (job.status, job.via, job.organization, job.created_by) == ("draft", "portal_bulk", org, admin_member.user)
    assert sorted(job.learner_ids) == sorted(learner.pk for learner in learners)


def test_bulk_clear_needs_a_note(admin_client, org):
    learner = bounced_learner(org)
    confirm = select(admin_client, [learner])["Location"]

    response = admin_client.post(confirm, {"note": "  "})

    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert statuses([learner]) == ["bounced"]


def test_bulk_clear_clears_the_selected_with_an_audit_row_each(admin_client, org, admin_member):
    learners = [bounced_learner(org) for _ in range(2)]
    untouched = bounced_learner(org)
    confirm = select(admin_client, learners, next=f"{LIST}?status=bounced")["Location"]

    response = admin_client.post(confirm, {"note": "IT confirmed the mailboxes"})

    assert response.status_code == 302
    assert response.url == f"{LIST}?status=bounced"
    for learner in learners:
        clearance = learner.clearances.get()
        assert (clearance.via, clearance.note, clearance.cleared_by) == (
            "portal_bulk",
            "IT confirmed the mailboxes",
            admin_member.user,
        )
    assert statuses(learners) == ["active", "active"]
    assert statuses([untouched]) == ["bounced"]
    assert BulkClearJob.objects.get().status == "done"


def test_bulk_clear_calls_out_repeat_bouncers_and_needs_an_explicit_tick(admin_client, org):
    repeat = bounced_learner(org)
    Learner.objects.filter(pk=repeat.pk).update(times_cleared=bulk_clear.REPEAT_CLEAR_THRESHOLD)
    other = bounced_learner(org)
    confirm = select(admin_client, [repeat, other])["Location"]

    page = admin_client.get(confirm).content.decode()
    refused = admin_client.post(confirm, {"note": "customer insists"})
    statuses_after_refusal = statuses([repeat, other])
    done = admin_client.post(confirm, {"note": "customer insists", "repeat_confirmed": "on"})

    assert "cleared 3 or more times before" in page and repeat.email in page
    assert 'name="repeat_confirmed"' in page
    assert refused.status_code == 200 and "tick the box" in refused.content.decode()
    assert statuses_after_refusal == ["bounced", "bounced"]
    assert done.status_code == 302
    assert statuses([repeat, other]) == ["active", "active"]
    assert Learner.objects.get(pk=repeat.pk).times_cleared == bulk_clear.REPEAT_CLEAR_THRESHOLD + 1


def test_a_large_bulk_clear_runs_in_the_worker_and_shows_its_progress(
    admin_client, org, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(bulk_clear, "SYNC_LIMIT", 2)
    monkeypatch.setattr(bulk_clear_runner, "CHUNK_SIZE", 2)
    learners = [bounced_learner(org) for _ in range(5)]
    confirm = select(admin_client, learners)["Location"]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_client.post(confirm, {"note": "Allowlisting fixed"})
    progress = admin_client.get(response["Location"]).content.decode()

    job = BulkClearJob.objects.get()
    assert len(callbacks) == 1  # the Celery task, enqueued after the commit (eager in tests)
    assert response["Location"] == reverse("contacts:learner-bulk-clear-progress", args=[job.pk])
    assert (job.status, job.done, job.cleared) == ("done", 5, 5)
    assert "5 of 5 processed" in progress and "data-refresh-seconds" not in progress
    assert statuses(learners) == ["active"] * 5


def test_the_progress_page_reloads_itself_while_the_job_runs(admin_client, org):
    learners = [bounced_learner(org) for _ in range(3)]
    select(admin_client, learners)
    job = BulkClearJob.objects.get()
    BulkClearJob.objects.filter(pk=job.pk).update(status="running", done=1, note="n")

    page = admin_client.get(reverse("contacts:learner-bulk-clear-progress", args=[job.pk])).content.decode()

    assert "data-refresh-seconds=" in page and "1 of 3 processed" in page


def test_bulk_clear_refuses_another_organizations_learners(admin_client, org, other_org):
    foreign = bounced_learner(other_org)

    response = select(admin_client, [foreign])

    assert response.status_code == 200
    assert not BulkClearJob.objects.exists()
    assert statuses([foreign]) == ["bounced"]


def test_another_organizations_bulk_clear_job_is_a_404(admin_client, org, other_org):
    from tests.factories import MembershipFactory

    foreign_admin = MembershipFactory(organization=other_org, role="admin").user
    foreign = bounced_learner(other_org)
    job = bulk_clear.prepare_bulk_clear(
        learners=Learner.objects.filter(pk=foreign.pk),
        created_by=foreign_admin,
        via="portal_bulk",
        organization=other_org,
    )

    confirm = admin_client.post(reverse("contacts:learner-bulk-clear-confirm", args=[job.pk]), {"note": "mine now"})
    progress = admin_client.get(reverse("contacts:learner-bulk-clear-progress", args=[job.pk]))

    assert (confirm.status_code, progress.status_code) == (404, 404)
    assert statuses([foreign]) == ["bounced"]


def test_bulk_clear_ignores_an_offsite_next_url(admin_client, org):
    learner = bounced_learner(org)
    confirm = select(admin_client, [learner], next="https://evil.example/")["Location"]

    response = admin_client.post(confirm, {"note": "ok"})

    assert response.url == LIST


def test_a_selection_with_nobody_bounced_says_so_and_keeps_no_job(admin_client, org):
    active = LearnerFactory(organization=org)

    response = select(admin_client, [active])

    assert response.status_code == 200
    assert "nothing to clear" in response.content.decode()
    assert not BulkClearJob.objects.exists()


def test_viewers_see_no_checkboxes_and_cannot_bulk_clear(viewer_client, org):
    learner = bounced_learner(org)

    page = viewer_client.get(LIST).content.decode()
    response = select(viewer_client, [learner])

    assert 'name="select"' not in page
    assert "Clear bounce status of selected" not in page
    assert response.status_code == 403
    assert statuses([learner]) == ["bounced"]


def test_bulk_clear_query_counts_do_not_grow(admin_client, org, django_assert_max_num_queries):
    learners = [bounced_learner(org) for _ in range(30)]

    with django_assert_max_num_queries(14):
        response = select(admin_client, learners)
    with django_assert_max_num_queries(10):
        page = admin_client.get(response["Location"])

    assert "30 bounced learners" in page.content.decode()


def test_bulk_clear_can_take_every_learner_matching_the_filters(admin_client, org):
    blocked = [bounced_learner(org, learner__email=f"b{i}@strict.example") for i in range(3)]
    elsewhere = bounced_learner(org, learner__email="x@other.example")
    matching = "domain=strict.example&status=bounced"

    response = admin_client.post(BULK, {"matching": matching, "select": [elsewhere.pk]})
    page = admin_client.get(response["Location"])
    done = admin_client.post(response["Location"], {"note": "Allowlisting fixed"})

    assert "3 learners match your filters" in page.content.decode()
    assert done.status_code == 302
    assert all(learner.clearances.get().note == "Allowlisting fixed" for learner in blocked)
    assert statuses([elsewhere]) == [DeliverabilityStatus.BOUNCED]
    assert Clearance.objects.count() == 3
