"""The clearance audit log in the admin: read-only, filterable, exportable, never deletable."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.choices import ClearedVia
from contacts.deliverability import clear_bounce_status
from contacts.models import Clearance, Learner
from tests.factories import LearnerFactory, UserFactory

CHANGELIST = reverse("admin:contacts_clearance_changelist")
pytestmark = pytest.mark.django_db


def cleared(organization, by, via=ClearedVia.PORTAL, note="", email=None):
    learner = LearnerFactory(
        organization=organization,
        status="bounced",
        last_bounce_category="hard",
        last_bounce_subtype="address_unknown",
        last_bounced_at=timezone.now(),
        **({"email": email} if email else {}),
    )
    return clear_bounce_status(learner=learner, cleared_by=by, via=via, note=note)


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def notes(response):
    return {clearance.note for clearance in response.context["cl"].result_list}


def test_filters_by_how_who_and_organization(cx_client, cx_user, org, other_org, admin_member):
    cleared(org, admin_member.user, ClearedVia.PORTAL, "by portal admin")
    cleared(org, cx_user, ClearedVia.ADMIN_BULK, "by support")
    cleared(other_org, None, ClearedVia.OPEN, "by an open")

    assert notes(cx_client.get(f"{CHANGELIST}?via__exact=admin_bulk")) == {"by support"}
    assert notes(cx_client.get(f"{CHANGELIST}?who={cx_user.pk}")) == {"by support"}
    assert notes(cx_client.get(f"{CHANGELIST}?who=portal")) == {"by portal admin"}
    assert notes(cx_client.get(f"{CHANGELIST}?who=nobody")) == {"by an open"}
    assert notes(cx_client.get(f"{CHANGELIST}?organization__id__exact={other_org.pk}")) == {"by an open"}


@pytest.mark.parametrize("who", ["²", "٣", "abc"])  # isdigit() is true for the first two, int() refuses them
def test_a_cleared_by_value_that_is_not_a_user_id_is_ignored(cx_client, who):
    assert cx_client.get(CHANGELIST, {"who": who}).status_code in (200, 302)


def test_audit_rows_are_read_only_for_support(cx_client, cx_user, org):
    clearance = cleared(org, cx_user, note="original")

    page = cx_client.get(reverse("admin:contacts_clearance_change", args=[clearance.pk]))
    changed = cx_client.post(reverse("admin:contacts_clearance_change", args=[clearance.pk]), {"note": "edited"})

    assert page.status_code == 200 and 'name="note"' not in page.content.decode()
    assert changed.status_code == 403
    clearance.refresh_from_db()
    assert clearance.note == "original"


def test_not_even_a_superuser_can_delete_an_audit_row(superuser_client, org):
    clearance = cleared(org, None, note="keep me")

    single = superuser_client.post(reverse("admin:contacts_clearance_delete", args=[clearance.pk]), {"post": "yes"})
    bulk = superuser_client.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [clearance.pk], "post": "yes"}
    )

    assert single.status_code == 403
    assert bulk.status_code == 302  # delete_selected is not offered: "No action selected."
    assert Clearance.objects.filter(pk=clearance.pk).exists()


def test_a_learner_with_audit_rows_cannot_be_deleted_through_the_admin(superuser_client, org):
    clearance = cleared(org, None)

    response = superuser_client.post(
        reverse("admin:contacts_learner_delete", args=[clearance.learner_id]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert Learner.objects.filter(pk=clearance.learner_id).exists()
    assert Clearance.objects.filter(pk=clearance.pk).exists()


def test_csv_export_neutralizes_formulas(cx_client, cx_user, org):
    cleared(org, cx_user, ClearedVia.ADMIN_BULK, '=HYPERLINK("http://evil.example")', email="ada@school.example")
    cleared(org, cx_user, ClearedVia.ADMIN_BULK, "+1 call me")
    cleared(org, cx_user, ClearedVia.ADMIN_BULK, "plain note")

    response = cx_client.post(
        CHANGELIST,
        {
            "action": "export_csv",
            "select_across": "1",
            "index": "0",
            "_selected_action": [Clearance.objects.first().pk],
        },
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["cleared at", "organization", "learner"]
    by_note = {row[-1]: row for row in rows[1:]}
    assert set(by_note) == {'\'=HYPERLINK("http://evil.example")', "'+1 call me", "plain note"}
    assert by_note['\'=HYPERLINK("http://evil.example")'][2] == "ada@school.example"
    assert by_note["plain note"][4] == "admin_bulk" and by_note["plain note"][5] == "carol"


def test_csv_safe_prefixes_every_formula_start():
    from bounceportal.export import neutralize as csv_safe

    assert [csv_safe(v) for v in ("=1", "+1", "-1", "@x", "\tx", "\rx", "ok", None, 5)] == [
        "'=1",
        "'+1",
        "'-1",
        "'@x",
        "'\tx",
        "'\rx",
        "ok",
        "",
        "5",
    ]


def test_clearance_changelist_query_count_is_constant(cx_client, cx_user, org, django_assert_max_num_queries):
    cleared(org, cx_user)
    with django_assert_max_num_queries(15) as few:
        cx_client.get(CHANGELIST)
    for _ in range(20):
        cleared(org, cx_user)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = cx_client.get(CHANGELIST)

    assert len(response.context["cl"].result_list) == 21
