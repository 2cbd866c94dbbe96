"""The learner list: filters, the bulk-clear selection it offers, and CSV export (the bulk clear itself:
test_learner_bulk_clear.py)."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.services.policy import apply_bounce_event
from tests.factories import BLOCK, SOFT, BounceEventFactory, LearnerFactory, SendFactory, bounced_learner

pytestmark = pytest.mark.django_db
LIST = reverse("contacts:learner-list")


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
    from contacts.deliverability import clear_bounce_status

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


def test_a_filtered_list_shows_a_capped_count_and_the_whole_list_its_exact_total(admin_client, org, monkeypatch):
    monkeypatch.setattr("bounceportal.pagination.COUNT_CAP", 3)
    for i in range(5):
        LearnerFactory(organization=org, email=f"capped{i}@capped.example")

    filtered = listed(admin_client.get(LIST, {"domain": "capped.example"}))
    everyone = listed(admin_client.get(LIST))  # from the organization's counters (PostgreSQL), or counted
    active = listed(admin_client.get(LIST, {"status": "active"}))

    assert "3+ learners" in filtered
    assert "5 learners" in everyone and "5 learners" in active


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


def test_the_list_offers_clearing_all_matching_only_when_filtered(admin_client, org):
    bounced_learner(org)

    unfiltered = listed(admin_client.get(LIST))
    filtered = listed(admin_client.get(LIST, {"status": "bounced"}))

    assert "matching these filters" not in unfiltered
    assert 'name="matching" value="status=bounced"' in filtered
