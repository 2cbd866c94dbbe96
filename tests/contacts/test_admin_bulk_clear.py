"""The learner admin's bulk action "Clear bounce status": confirmation, note, audit, jobs, guard rail."""

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts import bulk_clear, bulk_clear_runner
from contacts.bulk_clear import BulkClearError, confirm_bulk_clear, prepare_bulk_clear
from contacts.bulk_clear_runner import process_bulk_clear_job
from contacts.choices import ClearedVia
from contacts.deliverability import clear_bounce_statuses
from contacts.models import BulkClearJob, Clearance, Learner
from tests.factories import LearnerFactory, OrganizationFactory

CHANGELIST = reverse("admin:contacts_learner_changelist")
pytestmark = pytest.mark.django_db


def bounced(**fields):
    return LearnerFactory(
        status="bounced",
        status_reason="userunknown",
        last_bounce_category="hard",
        last_bounce_subtype="address_unknown",
        last_bounced_at=timezone.now(),
        **fields,
    )


def run_action(client, learners=(), select_across=False, query=""):
    data = {"action": "clear_bounce_status", "_selected_action": [learner.pk for learner in learners]}
    if select_across:
        data["select_across"] = "1"
    return client.post(CHANGELIST + query, data)


def confirm_url(job):
    return reverse("admin:contacts_learner_bulk_clear_confirm", args=[job.pk])


def test_action_shows_confirmation_with_count_sample_and_required_note(cx_client, org):
    learners = [bounced(organization=org, email=f"b{i}@school.example") for i in range(3)]
    active = LearnerFactory(organization=org, email="fine@school.example")

    response = run_action(cx_client, [*learners, active])
    page = cx_client.get(response["Location"])

    assert response.status_code == 302
    assert page.status_code == 200
    html = page.content.decode()
    assert '<strong id="clear-count">3</strong>' in html
    assert "1 of the 4 selected learners is not bounced" in html
    assert "b0@school.example" in html and "b2@school.example" in html
    assert "fine@school.example" not in html
    assert 'name="note"' in html
    assert Learner.objects.filter(status="bounced").count() == 3


def test_confirming_without_a_note_clears_nothing(cx_client, org):
    learner = bounced(organization=org)
    job_page = run_action(cx_client, [learner])["Location"]

    response = cx_client.post(job_page, {"note": "   "})

    assert response.status_code == 200
    assert "This field is required" in response.content.decode() or "A note is required" in response.content.decode()
    learner.refresh_from_db()
    assert learner.status == "bounced"
    assert not Clearance.objects.exists()


def test_confirming_clears_each_learner_with_one_audit_row(cx_client, cx_user, org, other_org):
    learners = [bounced(organization=org), bounced(organization=other_org)]
    job_page = run_action(cx_client, learners)["Location"]

    response = cx_client.post(job_page, {"note": "Ticket 4711: customer fixed their MX"})

    job = BulkClearJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:contacts_learner_bulk_clear_progress", args=[job.pk])
    assert job.status == "done" and job.cleared == 2
    assert set(Learner.objects.values_list("status", flat=True)) == {"active"}
    clearances = Clearance.objects.all()
    assert clearances.count() == 2
    assert {c.learner_id for c in clearances} == {learner.pk for learner in learners}
    assert {(c.via, c.cleared_by_id, c.note, c.previous_status) for c in clearances} == {
        (ClearedVia.ADMIN_BULK, cx_user.pk, "Ticket 4711: customer fixed their MX", "bounced")
    }
    progress = cx_client.get(response["Location"]).content.decode()
    assert '<strong id="job-cleared">2</strong>' in progress
    assert 'http-equiv="refresh"' not in progress


def test_confirmation_warns_when_the_selection_spans_several_organizations(cx_client, org, other_org):
    learners = [bounced(organization=org), bounced(organization=org), bounced(organization=other_org)]

    page = cx_client.get(run_action(cx_client, learners)["Location"]).content.decode()

    assert '<strong id="organization-count">2</strong>' in page
    assert "<li>Acme Training: 2</li><li>Other Org: 1</li>" in page


def test_select_all_across_pages_clears_the_whole_filtered_result(cx_client, org, other_org):
    for i in range(105):  # more than one page of 100
        bounced(organization=org, email=f"acme{i}@school.example")
    untouched = bounced(organization=other_org, email="elsewhere@school.example")
    first_page = Learner.objects.filter(organization=org).order_by("-pk")[:1]

    response = run_action(cx_client, first_page, select_across=True, query=f"?organization__id__exact={org.pk}")
    cx_client.post(response["Location"], {"note": "Customer asked to clear all of Acme"})

    assert Learner.objects.filter(organization=org, status="bounced").count() == 0
    assert Clearance.objects.filter(organization=org).count() == 105
    untouched.refresh_from_db()
    assert untouched.status == "bounced"


def test_selection_with_no_bounced_learner_says_so(cx_client, org):
    learner = LearnerFactory(organization=org)

    response = run_action(cx_client, [learner])

    assert response.status_code == 302
    assert response["Location"].endswith(CHANGELIST)
    assert not BulkClearJob.objects.exists()


def test_large_selection_runs_as_chunked_task_and_shows_progress(
    cx_client, org, monkeypatch, django_capture_on_commit_callbacks
):
    from contacts import tasks

    monkeypatch.setattr(bulk_clear, "SYNC_LIMIT", 5)
    monkeypatch.setattr(bulk_clear_runner, "CHUNK_SIZE", 4)
    enqueued, chunks = [], []
    real_delay, real_clear = tasks.run_bulk_clear_job.delay, bulk_clear_runner.clear_bounce_statuses
    monkeypatch.setattr(tasks.run_bulk_clear_job, "delay", lambda job_id: enqueued.append(job_id) or real_delay(job_id))
    monkeypatch.setattr(
        bulk_clear_runner,
        "clear_bounce_statuses",
        lambda *, learners, **kw: chunks.append(learners.count()) or real_clear(learners=learners, **kw),
    )
    learners = [bounced(organization=org) for _ in range(10)]
    job_page = run_action(cx_client, learners)["Location"]

    with django_capture_on_commit_callbacks(execute=True):
        response = cx_client.post(job_page, {"note": "bulk"})

    job = BulkClearJob.objects.get()
    assert enqueued == [job.pk]
    assert chunks == [4, 4, 2]
    assert job.status == "done" and job.done == 10 and job.cleared == 10
    assert Clearance.objects.count() == 10
    assert "10 of 10 processed" in cx_client.get(response["Location"]).content.decode()


def test_progress_page_reloads_itself_while_the_job_runs(cx_client, cx_user, org):
    learners = Learner.objects.filter(pk__in=[bounced(organization=org).pk for _ in range(3)])
    job = prepare_bulk_clear(learners=learners, created_by=cx_user, via=ClearedVia.ADMIN_BULK)
    BulkClearJob.objects.filter(pk=job.pk).update(status="running", done=1, note="n")

    page = cx_client.get(reverse("admin:contacts_learner_bulk_clear_progress", args=[job.pk])).content.decode()

    assert '<meta http-equiv="refresh" content="2">' in page
    assert '<progress id="job-progress" max="3" value="1">' in page
    assert "<script>" not in page


def test_job_resumes_after_the_last_committed_chunk_and_never_clears_twice(cx_user, org):
    learners = [bounced(organization=org) for _ in range(6)]
    job = prepare_bulk_clear(learners=Learner.objects.all(), created_by=cx_user, via=ClearedVia.ADMIN_BULK)
    BulkClearJob.objects.filter(pk=job.pk).update(status="queued", note="n")
    # A first worker cleared the first chunk of two, then died.
    clear_bounce_statuses(
        learners=Learner.objects.filter(pk__in=job.learner_ids[:2]),
        cleared_by=cx_user,
        via=ClearedVia.ADMIN_BULK,
        note="n",
    )
    BulkClearJob.objects.filter(pk=job.pk).update(status="running", done=2, cleared=2)

    finished = process_bulk_clear_job(job_id=job.pk, chunk_size=2)
    again = process_bulk_clear_job(job_id=job.pk, chunk_size=2)

    assert finished.status == "done" and finished.done == 6 and finished.cleared == 6
    assert again.cleared == 6
    assert Clearance.objects.count() == 6
    assert {c.learner_id for c in Clearance.objects.all()} == {learner.pk for learner in learners}


def test_learner_cleared_meanwhile_is_skipped_not_cleared_twice(cx_user, org):
    first, second = bounced(organization=org), bounced(organization=org)
    job = prepare_bulk_clear(learners=Learner.objects.all(), created_by=cx_user, via=ClearedVia.ADMIN_BULK)
    clear_bounce_statuses(learners=Learner.objects.filter(pk=first.pk), cleared_by=None, via=ClearedVia.OPEN)

    job = confirm_bulk_clear(job=job, note="ticket")

    assert job.done == 2 and job.cleared == 1
    assert Clearance.objects.filter(via=ClearedVia.ADMIN_BULK).get().learner_id == second.pk


def test_a_job_is_confirmed_only_once(cx_user, org):
    bounced(organization=org)
    job = prepare_bulk_clear(learners=Learner.objects.all(), created_by=cx_user, via=ClearedVia.ADMIN_BULK)
    confirm_bulk_clear(job=job, note="first")

    with pytest.raises(BulkClearError):
        confirm_bulk_clear(job=job, note="second")

    assert Clearance.objects.count() == 1


def test_another_users_draft_is_not_found(client, cx_user, org):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    bounced(organization=org)
    job = prepare_bulk_clear(learners=Learner.objects.all(), created_by=cx_user, via=ClearedVia.ADMIN_BULK)
    colleague = UserFactory(username="dave", is_staff=True)
    colleague.groups.add(Group.objects.get(name="Customer experience"))
    client.force_login(colleague)

    response = client.post(confirm_url(job), {"note": "not mine"})

    assert response.status_code == 404
    assert not Clearance.objects.exists()


def test_learner_page_shows_clear_button_leading_to_the_same_confirmation(cx_client, org):
    learner = bounced(organization=org, email="one@school.example")
    page = cx_client.get(reverse("admin:contacts_learner_change", args=[learner.pk])).content.decode()

    response = cx_client.post(reverse("admin:contacts_learner_clear_one", args=[learner.pk]))
    cx_client.post(response["Location"], {"note": "Customer confirmed the address"})

    assert "Clear bounce status…" in page
    learner.refresh_from_db()
    assert learner.status == "active" and learner.times_cleared == 1
    assert Clearance.objects.get().via == ClearedVia.ADMIN_BULK


def test_the_learner_clear_button_needs_the_clear_bounce_permission(client, org):
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    learner = bounced(organization=org)
    viewer = UserFactory(username="erin", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_learner"))
    client.force_login(viewer)

    response = client.post(reverse("admin:contacts_learner_clear_one", args=[learner.pk]))

    assert response.status_code == 403
    assert not BulkClearJob.objects.exists()


class TestGuardRail:
    def test_repeatedly_cleared_learner_is_listed_and_needs_the_extra_checkbox(self, cx_client, org):
        repeat = bounced(organization=org, email="again@school.example", times_cleared=3)
        fresh = bounced(organization=org, email="fresh@school.example", times_cleared=1)
        job_page = run_action(cx_client, [repeat, fresh])["Location"]

        page = cx_client.get(job_page).content.decode()
        refused = cx_client.post(job_page, {"note": "ticket 1"})

        assert "Cleared 3 or more times before" in page
        assert 'class="repeat-learners"' in page and "again@school.example" in page
        assert 'name="repeat_confirmed"' in page
        assert refused.status_code == 200
        assert "tick the box to clear them anyway" in refused.content.decode()
        assert not Clearance.objects.exists()

    def test_ticking_the_checkbox_clears_them(self, cx_client, org):
        repeat = bounced(organization=org, times_cleared=5)
        job_page = run_action(cx_client, [repeat])["Location"]

        cx_client.post(job_page, {"note": "customer insists", "repeat_confirmed": "on"})

        repeat.refresh_from_db()
        assert repeat.status == "active" and repeat.times_cleared == 6

    def test_no_checkbox_when_nobody_was_cleared_three_times(self, cx_client, org):
        learner = bounced(organization=org, times_cleared=2)

        page = cx_client.get(run_action(cx_client, [learner])["Location"]).content.decode()

        assert 'name="repeat_confirmed"' not in page

    def test_changelist_shows_how_often_a_bounced_learner_was_cleared(self, cx_client, org):
        bounced(organization=org, email="again@school.example", times_cleared=4)

        page = cx_client.get(CHANGELIST).content.decode()

        assert "4 times, bounced again" in page


def test_organizations_of_other_learners_are_untouched_when_selecting_explicitly(cx_client, org):
    chosen, other = bounced(organization=org), bounced(organization=OrganizationFactory())

    cx_client.post(run_action(cx_client, [chosen])["Location"], {"note": "n"})

    other.refresh_from_db()
    assert other.status == "bounced"


def test_a_failed_job_is_resumed_by_the_management_command(cx_user, org):
    from django.core.management import call_command

    learners = [bounced(organization=org) for _ in range(3)]
    job = prepare_bulk_clear(learners=Learner.objects.all(), created_by=cx_user, via=ClearedVia.ADMIN_BULK)
    BulkClearJob.objects.filter(pk=job.pk).update(status="failed", note="n", error="OperationalError: gone")

    call_command("run_bulk_clear_job", str(job.pk))

    job.refresh_from_db()
    assert (job.status, job.cleared, job.error) == ("done", 3, "")
    assert Clearance.objects.filter(learner__in=learners).count() == 3


def test_the_management_command_refuses_an_unconfirmed_job(cx_user, org):
    from django.core.management import CommandError, call_command

    bounced(organization=org)
    job = prepare_bulk_clear(learners=Learner.objects.all(), created_by=cx_user, via=ClearedVia.ADMIN_BULK)

    with pytest.raises(CommandError, match="never confirmed"):
        call_command("run_bulk_clear_job", str(job.pk))

    assert not Clearance.objects.exists()


def test_a_failing_job_shows_its_error_instead_of_a_server_error(cx_client, org, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(bulk_clear_runner, "clear_bounce_statuses", broken)
    learner = bounced(organization=org)
    job_page = run_action(cx_client, [learner])["Location"]

    response = cx_client.post(job_page, {"note": "n"}, follow=True)

    assert response.status_code == 200
    assert "The job stopped: RuntimeError: database went away" in response.content.decode()
    assert BulkClearJob.objects.get().status == "failed"
    learner.refresh_from_db()
    assert learner.status == "bounced"
