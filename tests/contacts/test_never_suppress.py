"""The never-suppress list: its bounces are recorded and counted but never suppress; managed in the portal,
the admin and by CSV."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from campaigns.models import EventOutcome
from campaigns.services.policy import apply_bounce_event
from contacts.choices import DeliverabilityStatus
from contacts.models import AutomationRule, NeverSuppress
from contacts.never_suppress import (
    NeverSuppressError,
    add_never_suppress_entry,
    import_never_suppress_csv,
    never_suppress_csv_rows,
    parse_entry,
    remove_never_suppress_entry,
)
from tests.factories import BLOCK, COMPLAINT, SOFT, BounceEventFactory, SendFactory

pytestmark = pytest.mark.django_db
PAGE = reverse("contacts:settings-never-suppress")


def send_to(org, email):
    return SendFactory(run__campaign__organization=org, learner__email=email, email=email)


def listed(org, entry, reason="Our test mailboxes"):
    return add_never_suppress_entry(organization=org, entry=entry, reason=reason, added_by=None)


def test_hard_bounce_of_a_listed_address_is_recorded_and_counted_but_never_suppresses(org):
    listed(org, "CEO@Acme.example")
    send = send_to(org, "ceo@acme.example")

    event = apply_bounce_event(event=BounceEventFactory(send=send))

    learner = send.learner
    learner.refresh_from_db()
    send.refresh_from_db()
    assert event.outcome == EventOutcome.PROTECTED
    assert learner.status == DeliverabilityStatus.ACTIVE and learner.status_event_id is None
    assert (learner.bounce_count, learner.last_bounce_category) == (1, "hard")
    assert send.status == "bounced"  # the send's own outcome is shown as it was


def test_a_listed_learners_bounce_is_counted_in_the_email_status_report(admin_client, org):
    listed(org, "@acme.example")
    send = send_to(org, "ceo@acme.example")

    apply_bounce_event(event=BounceEventFactory(send=send))

    report = admin_client.get(reverse("reports:email-status"), {"export": "csv", "table": "campaigns"})
    table = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode())))
    header, row = table[0], table[1]
    assert row[0] == send.run.campaign.name and row[header.index("Hard bounce")] == "1"
    send.learner.refresh_from_db()
    assert send.learner.status == DeliverabilityStatus.ACTIVE


def test_a_domain_entry_covers_its_subdomains_past_the_soft_threshold(org):
    listed(org, "@partner.example")
    send = send_to(org, "ann@eu.partner.example")

    for kind in [SOFT] * 6 + [BLOCK] * 6:
        apply_bounce_event(event=BounceEventFactory(send=send, **kind))

    send.learner.refresh_from_db()
    assert send.learner.status == DeliverabilityStatus.ACTIVE
    assert send.learner.soft_bounce_count == 12


def test_a_complaint_still_unsubscribes_a_listed_learner(org):
    listed(org, "acme.example")
    send = send_to(org, "bob@acme.example")

    apply_bounce_event(event=BounceEventFactory(send=send, **COMPLAINT))

    send.learner.refresh_from_db()
    assert send.learner.status == DeliverabilityStatus.UNSUBSCRIBED


def test_an_automation_suppress_rule_does_not_suppress_a_listed_learner(org):
    AutomationRule.objects.create(organization=org, category="soft", subtype="mailbox_full", action="suppress")
    listed(org, "acme.example")
    send = send_to(org, "bob@acme.example")

    event = apply_bounce_event(event=BounceEventFactory(send=send, **SOFT))

    send.learner.refresh_from_db()
    assert send.learner.status == DeliverabilityStatus.ACTIVE and event.outcome == EventOutcome.PROTECTED


def test_removing_an_entry_lets_the_next_bounce_suppress_and_keeps_the_audit(org, admin_member):
    entry = listed(org, "ceo@acme.example")
    send = send_to(org, "ceo@acme.example")

    remove_never_suppress_entry(entry=entry, removed_by=admin_member.user)
    apply_bounce_event(event=BounceEventFactory(send=send))

    send.learner.refresh_from_db()
    entry.refresh_from_db()
    assert send.learner.status == DeliverabilityStatus.BOUNCED
    assert entry.removed_by == admin_member.user and entry.removed_at is not None
    listed(org, "ceo@acme.example")  # may be listed again: only one current entry per address
    assert NeverSuppress.objects.filter(entry="ceo@acme.example").count() == 2


def test_another_organizations_entry_protects_nobody_here(org, other_org):
    listed(other_org, "acme.example")
    send = send_to(org, "bob@acme.example")

    apply_bounce_event(event=BounceEventFactory(send=send))

    send.learner.refresh_from_db()
    assert send.learner.status == DeliverabilityStatus.BOUNCED


@pytest.mark.parametrize("text", ["", "not an address", "a@b@c", "localhost", "-bad-.example", "x" * 70 + ".example"])
def test_entries_that_are_neither_address_nor_domain_are_refused(text):
    with pytest.raises(ValidationError):
        parse_entry(text)


def test_a_duplicate_entry_is_refused(org):
    listed(org, "acme.example")

    with pytest.raises(NeverSuppressError, match="already"):
        listed(org, "ACME.example")


def test_csv_import_is_all_or_nothing_and_names_every_bad_line(org):
    text = "entry,reason\nqa@acme.example,QA mailbox\nnot-a-domain,Typo\npartner.example,\n"

    with pytest.raises(NeverSuppressError) as error:
        import_never_suppress_csv(organization=org, text=text, added_by=None)

    assert "line 3" in str(error.value) and "line 4" in str(error.value)
    assert not NeverSuppress.objects.exists()


def test_the_export_reads_back_in_as_the_same_list(org, other_org, admin_member):
    listed(org, "qa@acme.example", reason="QA, =cmd")
    listed(org, "partner.example", reason="Partner")
    rows = list(never_suppress_csv_rows(org))
    text = "\n".join(",".join(f'"{cell}"' for cell in row) for row in rows)

    result = import_never_suppress_csv(organization=other_org, text=text, added_by=admin_member.user)
    again = import_never_suppress_csv(organization=other_org, text=text, added_by=admin_member.user)

    assert sorted(result.added) == ["partner.example", "qa@acme.example"]
    assert sorted(again.already_listed) == ["partner.example", "qa@acme.example"] and not again.added
    copy = NeverSuppress.objects.get(organization=other_org, entry="qa@acme.example")
    assert (copy.reason, copy.added_by, copy.is_domain) == ("QA, =cmd", admin_member.user, False)


def test_admin_adds_and_removes_entries_on_the_settings_page(admin_client, org, admin_member):
    response = admin_client.post(PAGE, {"entry": "@Partner.example", "reason": "Partner's domain"})

    assert response.status_code == 302
    entry = NeverSuppress.objects.get(organization=org)
    assert (entry.entry, entry.is_domain, entry.added_by) == ("partner.example", True, admin_member.user)
    page = admin_client.get(PAGE).content.decode()
    assert "partner.example" in page and "Partner&#x27;s domain" in page

    admin_client.post(reverse("contacts:settings-never-suppress-remove", args=[entry.pk]))
    assert NeverSuppress.objects.current().count() == 0


def test_bad_entries_are_reshown_with_the_error_and_nothing_saved(admin_client, org):
    response = admin_client.post(PAGE, {"entry": "no such thing", "reason": ""})

    assert response.status_code == 200
    assert "neither an address nor a domain" in response.content.decode()
    assert not NeverSuppress.objects.exists()


def test_csv_upload_and_export_on_the_page(admin_client, org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("list.csv", b"qa@acme.example,QA\n=evil.example\n", content_type="text/csv")
    response = admin_client.post(
        reverse("contacts:settings-never-suppress-import"), {"file": upload, "default_reason": "Imported"}
    )
    assert response.status_code == 200 and "line 2" in response.content.decode()

    upload = SimpleUploadedFile("list.csv", b"qa@acme.example,QA\nevil.example\n", content_type="text/csv")
    admin_client.post(reverse("contacts:settings-never-suppress-import"), {"file": upload, "default_reason": "Imp"})
    export = b"".join(admin_client.get(PAGE, {"export": "csv"}).streaming_content).decode()

    assert NeverSuppress.objects.get(entry="evil.example").reason == "Imp"
    assert export.splitlines()[0] == "entry,kind,reason,added by,added at" and "qa@acme.example,address,QA" in export


def test_viewers_read_the_list_but_cannot_change_it(viewer_client, org):
    listed(org, "acme.example")

    page = viewer_client.get(PAGE)
    response = viewer_client.post(PAGE, {"entry": "other.example", "reason": "x"})

    assert page.status_code == 200 and "acme.example" in page.content.decode()
    assert "Add to the list" not in page.content.decode()
    assert response.status_code == 403 and NeverSuppress.objects.count() == 1


def test_another_organizations_entry_cannot_be_removed(admin_client, other_org):
    entry = listed(other_org, "acme.example")

    response = admin_client.post(reverse("contacts:settings-never-suppress-remove", args=[entry.pk]))

    assert response.status_code == 404 and NeverSuppress.objects.current().count() == 1


def test_the_profile_says_why_a_learner_is_never_suppressed(admin_client, org):
    listed(org, "acme.example", reason="Executives <b>")
    send = send_to(org, "bob@acme.example")
    apply_bounce_event(event=BounceEventFactory(send=send))

    page = admin_client.get(reverse("contacts:learner-detail", args=[send.learner.pk])).content.decode()

    assert "Never-suppress list" in page and "Executives &lt;b&gt;" in page
    assert "never suppressed" in page  # the bounce's outcome in the activity log


def test_support_adds_and_removes_entries_in_the_django_admin(cx_client, cx_user, org):
    add = cx_client.post(
        reverse("admin:contacts_neversuppress_add"),
        {"organization": org.pk, "entry": "QA@acme.example", "reason": "QA mailbox"},
    )
    entry = NeverSuppress.objects.get()
    removed = cx_client.post(
        reverse("admin:contacts_neversuppress_changelist"),
        {"action": "remove_entries", "_selected_action": [entry.pk]},
    )

    entry.refresh_from_db()
    assert add.status_code == 302 and removed.status_code == 302
    assert (entry.entry, entry.added_by, entry.removed_by) == ("qa@acme.example", cx_user, cx_user)
