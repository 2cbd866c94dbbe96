"""The learner list: filters, the bulk "clear bounce status" with its confirmation page, and CSV export."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.services.policy import apply_bounce_event
from contacts.choices import DeliverabilityStatus
from tests.factories import BLOCK, SOFT, BounceEventFactory, LearnerFactory, SendFactory, bounced_learner

pytestmark = pytest.mark.django_db
LIST = reverse("contacts:learner-list")
BULK = reverse("contacts:learner-bulk-clear")


def listed(response):
    return response.content.decode()


def test_domain_filter_matches_the_whole_domain_case_insensitively(admin_client, org):
    inside = LearnerFactory(organization=org, email="ada@School.example")
    outside = LearnerFactory(organization=org, email="bob@other.example")

    body = listed(admin_client.get(LIST, {"domain": "@SCHOOL.example"}))

    assert inside.email in body
    assert outside.email not in body


def test_category_and_subtype_filters_use_the_last_bounce(admin_client, org):
    hard = bounced_learner(org)
    soft_send = SendFactory(run__campaign__organization=org)
    apply_bounce_event(event=BounceEventFactory(send=soft_send, **SOFT))

    body = listed(admin_client.get(LIST, {"category": "soft", "subtype": "mailbox_full"}))

    assert soft_send.learner.email in body
    assert hard.email not in body


def test_campaign_filter_lists_learners_sent_that_campaign(admin_client, org):
    send = SendFactory(run__campaign__organization=org)
    LearnerFactory(organization=org, email="never-sent@school.example")

    body = listed(admin_client.get(LIST, {"campaign": send.run.campaign_id}))

    assert send.learner.email in body
    assert "never-sent@school.example" not in body


def test_repeat_filter_lists_learners_bounced_again_after_a_clearance(admin_client, org, admin_member):
    from contacts.services import clear_bounce_status

    repeat = bounced_learner(org)
    clear_bounce_status(learner=repeat, cleared_by=admin_member.user)
    apply_bounce_event(event=BounceEventFactory(send=SendFactory(run__campaign__organization=org, learner=repeat)))
    once = bounced_learner(org)

    body = listed(admin_client.get(LIST, {"repeat": "true"}))

    assert repeat.email in body
    assert once.email not in body


def test_near_threshold_filter_lists_active_learners_close_to_suppression(admin_client, org):
    near = LearnerFactory(organization=org, soft_bounce_count=8)  # unengaged threshold 10
    far = LearnerFactory(organization=org, soft_bounce_count=2)

    body = listed(admin_client.get(LIST, {"near_threshold": "true"}))

    assert near.email in body
    assert far.email not in body


def test_bounce_date_range_filters_on_the_last_bounce(admin_client, org):
    now = timezone.now()
    recent = LearnerFactory(organization=org, last_bounced_at=now - timedelta(days=1), last_bounce_category="hard")
    old = LearnerFactory(organization=org, last_bounced_at=now - timedelta(days=40), last_bounce_category="hard")

    body = listed(admin_client.get(LIST, {"bounced_after": (now - timedelta(days=7)).date().isoformat()}))

    assert recent.email in body
    assert old.email not in body


def test_an_invalid_filter_value_is_shown_next_to_its_field(admin_client, org):
    LearnerFactory(organization=org, email="ada@school.example")

    response = admin_client.get(LIST, {"status": "nonsense", "bounced_after": "not-a-date"})

    body = listed(response)
    assert response.status_code == 200
    assert "Select a valid choice" in body
    assert "Enter a valid date" in body
    assert "ada@school.example" not in body


def test_a_bounce_date_at_the_end_of_the_calendar_is_refused_with_a_message(admin_client, org):
    LearnerFactory(organization=org, email="ada@school.example")

    for params in ({"bounced_before": "9999-12-31"}, {"bounced_after": "0001-01-01"}):
        response = admin_client.get(LIST, params)
        export = admin_client.get(LIST, {**params, "export": "csv"})

        assert response.status_code == 200
        assert "Enter a date" in listed(response)
        assert export.status_code == 200
        assert b"".join(export.streaming_content).decode().count("\n") == 1  # the header only


def test_free_text_search_finds_names_and_addresses(admin_client, org):
    LearnerFactory(organization=org, email="x1@school.example", first_name="Grace", last_name="Hopper")
    LearnerFactory(organization=org, email="x2@school.example", first_name="Alan", last_name="Turing")

    body = listed(admin_client.get(LIST, {"q": "hopp"}))

    assert "x1@school.example" in body
    assert "x2@school.example" not in body


def test_list_shows_a_capped_count(admin_client, org, monkeypatch):
    monkeypatch.setattr("bounceportal.pagination.COUNT_CAP", 3)
    LearnerFactory.create_batch(5, organization=org)

    body = listed(admin_client.get(LIST))

    assert "3+ learners" in body


def test_bulk_clear_asks_for_confirmation_with_the_count(admin_client, org):
    learners = [bounced_learner(org) for _ in range(3)]
    active = LearnerFactory(organization=org)

    response = admin_client.post(BULK, {"select": [learner.pk for learner in learners] + [active.pk]})

    body = listed(response)
    assert response.status_code == 200
    assert "You selected 4 learners" in body
    assert "3 bounced learners" in body
    assert all(learner.email in body for learner in learners)
    assert all(
        learner.status == DeliverabilityStatus.BOUNCED
        for learner in type(active).objects.filter(pk__in=[lr.pk for lr in learners])
    )


def test_bulk_clear_needs_a_note(admin_client, org):
    learner = bounced_learner(org)

    response = admin_client.post(BULK, {"select": [learner.pk], "confirm": "1", "note": "  "})

    assert response.status_code == 200
    assert "This field is required" in listed(response) or "Say why" in listed(response)
    learner.refresh_from_db()
    assert learner.status == DeliverabilityStatus.BOUNCED


def test_bulk_clear_clears_the_selected_with_an_audit_row_each(admin_client, org):
    learners = [bounced_learner(org) for _ in range(2)]
    untouched = bounced_learner(org)

    response = admin_client.post(
        BULK,
        {
            "select": [lr.pk for lr in learners],
            "confirm": "1",
            "note": "IT confirmed the mailboxes",
            "next": f"{LIST}?status=bounced",
        },
    )

    assert response.status_code == 302
    assert response.url == f"{LIST}?status=bounced"
    for learner in learners:
        learner.refresh_from_db()
        clearance = learner.clearances.get()
        assert learner.status == DeliverabilityStatus.ACTIVE
        assert (clearance.via, clearance.note) == ("portal_bulk", "IT confirmed the mailboxes")
    untouched.refresh_from_db()
    assert untouched.status == DeliverabilityStatus.BOUNCED


def test_bulk_clear_refuses_another_organizations_learners(admin_client, org, other_org):
    foreign = bounced_learner(other_org)

    response = admin_client.post(BULK, {"select": [foreign.pk], "confirm": "1", "note": "sure"})

    assert response.status_code == 200
    foreign.refresh_from_db()
    assert foreign.status == DeliverabilityStatus.BOUNCED


def test_bulk_clear_ignores_an_offsite_next_url(admin_client, org):
    learner = bounced_learner(org)

    response = admin_client.post(
        BULK, {"select": [learner.pk], "confirm": "1", "note": "ok", "next": "https://evil.example/"}
    )

    assert response.url == LIST


def test_viewers_see_no_checkboxes_and_cannot_bulk_clear(viewer_client, org):
    learner = bounced_learner(org)

    page = listed(viewer_client.get(LIST))
    response = viewer_client.post(BULK, {"select": [learner.pk], "confirm": "1", "note": "ok"})

    assert 'name="select"' not in page
    assert "Clear bounce status of selected" not in page
    assert response.status_code == 403
    learner.refresh_from_db()
    assert learner.status == DeliverabilityStatus.BOUNCED


def test_csv_export_has_every_filtered_row_and_neutralizes_formulas(admin_client, org):
    LearnerFactory(
        organization=org,
        email="ada@school.example",
        first_name='=HYPERLINK("http://x")',
        last_name="",
        department="@SUM(A1)",
    )
    LearnerFactory(organization=org, email="bob@other.example")
    LearnerFactory.create_batch(60, organization=org, email=factory_email("school.example"))

    response = admin_client.get(LIST, {"domain": "school.example", "export": "csv"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert response["Content-Type"].startswith("text/csv")
    assert rows[0][:3] == ["Email", "Name", "Department"]
    assert len(rows) == 1 + 61  # no pagination in exports
    ada = next(row for row in rows if row[0] == "ada@school.example")
    assert ada[1] == '\'=HYPERLINK("http://x")'
    assert ada[2] == "'@SUM(A1)"
    assert not any(row[0] == "bob@other.example" for row in rows)


def factory_email(domain):
    import factory

    return factory.Sequence(lambda n: f"bulk{n}@{domain}")


def test_block_bounces_show_in_the_list_with_their_category(admin_client, org):
    send = SendFactory(run__campaign__organization=org)
    apply_bounce_event(event=BounceEventFactory(send=send, **BLOCK))

    body = listed(admin_client.get(LIST, {"category": "block"}))

    assert send.learner.email in body
    assert "Mail block" in body


@pytest.mark.parametrize("params", [{}, {"status": "bounced"}, {"campaign": "any", "near_threshold": "false"}])
def test_list_query_count_does_not_grow_with_learners(admin_client, org, django_assert_max_num_queries, params):
    send = SendFactory(run__campaign__organization=org)
    params = {k: (send.run.campaign_id if v == "any" else v) for k, v in params.items()}
    bounced_learner(org)
    with django_assert_max_num_queries(10):
        admin_client.get(LIST, params)
    for _ in range(60):
        bounced_learner(org)

    with django_assert_max_num_queries(10):
        response = admin_client.get(LIST, params)

    assert response.status_code == 200


def test_settings_pages_query_counts_are_small(admin_client, org, django_assert_max_num_queries):
    for name in ("contacts:settings", "contacts:settings-policy", "contacts:settings-automation"):
        with django_assert_max_num_queries(8):
            assert admin_client.get(reverse(name)).status_code == 200


def test_bulk_clear_confirmation_query_count_does_not_grow(admin_client, org, django_assert_max_num_queries):
    learners = [bounced_learner(org) for _ in range(30)]

    with django_assert_max_num_queries(10):
        response = admin_client.post(BULK, {"select": [learner.pk for learner in learners]})

    assert "30 bounced learners" in response.content.decode()


def test_bulk_clear_can_take_every_learner_matching_the_filters(admin_client, org):
    blocked = [bounced_learner(org, learner__email=f"b{i}@strict.example") for i in range(3)]
    elsewhere = bounced_learner(org, learner__email="x@other.example")
    matching = "domain=strict.example&status=bounced"

    confirm = admin_client.post(BULK, {"matching": matching, "select": [elsewhere.pk]})
    done = admin_client.post(BULK, {"matching": matching, "confirm": "1", "note": "Allowlisting fixed"})

    assert "3 learners match your filters" in confirm.content.decode()
    assert done.status_code == 302
    assert all(learner.clearances.get().note == "Allowlisting fixed" for learner in blocked)
    elsewhere.refresh_from_db()
    assert elsewhere.status == DeliverabilityStatus.BOUNCED


def test_the_list_offers_clearing_all_matching_only_when_filtered(admin_client, org):
    bounced_learner(org)

    unfiltered = listed(admin_client.get(LIST))
    filtered = listed(admin_client.get(LIST, {"status": "bounced"}))

    assert "matching these filters" not in unfiltered
    assert 'name="matching" value="status=bounced"' in filtered
