"""Another organization's anything is a 404: walk every portal URL with the other org's ids.

When a page is added, add it to OBJECT_URLS (or to LIST_URLS); the completeness
test fails until every portal URL with an id in it is walked.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from campaigns.esp_models import EspConnection
from contacts.models import AutomationRule, BulkClearJob, Invitation, LearnerImport, NeverSuppress
from contacts.webhooks.subscriptions import create_subscription
from tests.factories import (
    BounceEventFactory,
    BounceMailboxFactory,
    InboundMessageFactory,
    MembershipFactory,
    SendFactory,
)

PORTAL_NAMESPACES = ("contacts", "campaigns", "reports")

WEBHOOK_PAGES = ("detail", "rotate", "enable", "disable", "test", "delete")
# URL name -> how to get the path arguments from the other organization's objects.
OBJECT_URLS = {
    "contacts:learner-detail": lambda o: {"pk": o["learner"].pk},
    "contacts:learner-edit": lambda o: {"pk": o["learner"].pk},
    "campaigns:campaign-detail": lambda o: {"pk": o["campaign"].pk},
    "campaigns:run-detail": lambda o: {"pk": o["run"].pk},
    "campaigns:inbound-raw": lambda o: {"pk": o["inbound"].pk},
    "contacts:settings-automation-toggle": lambda o: {"pk": o["rule"].pk},
    "contacts:settings-automation-delete": lambda o: {"pk": o["rule"].pk},
    "campaigns:mailbox-edit": lambda o: {"pk": o["mailbox"].pk},
    "campaigns:mailbox-test": lambda o: {"pk": o["mailbox"].pk},
    "campaigns:run-create": lambda o: {"pk": o["campaign"].pk},
    "contacts:learner-bulk-clear-confirm": lambda o: {"pk": o["bulk_clear_job"].pk},
    "contacts:learner-bulk-clear-progress": lambda o: {"pk": o["bulk_clear_job"].pk},
    "campaigns:esp-edit": lambda o: {"pk": o["esp_connection"].pk},
    "campaigns:run-schedule": lambda o: {"pk": o["campaign"].pk},
    "campaigns:run-cancel": lambda o: {"pk": o["run"].pk},
    "campaigns:run-resume": lambda o: {"pk": o["run"].pk},
    "contacts:settings-never-suppress-remove": lambda o: {"pk": o["never_suppress"].pk},
    "contacts:learner-import-mapping": lambda o: {"pk": o["learner_import"].pk},
    "contacts:learner-import-preview": lambda o: {"pk": o["learner_import"].pk},
    "contacts:learner-import-progress": lambda o: {"pk": o["learner_import"].pk},
    "contacts:learner-import-report": lambda o: {"pk": o["learner_import"].pk},
    "campaigns:review-detail": lambda o: {"pk": o["inbound"].pk},
    "contacts:member-detail": lambda o: {"pk": o["membership"].pk},
    "contacts:member-deactivate": lambda o: {"pk": o["membership"].pk},
    "contacts:member-reactivate": lambda o: {"pk": o["membership"].pk},
    "contacts:invitation-revoke": lambda o: {"pk": o["invitation"].pk},
    "contacts:invitation-resend": lambda o: {"pk": o["invitation"].pk},
    **{f"contacts:webhook-{action}": lambda o: {"pk": o["webhook"].pk} for action in WEBHOOK_PAGES},
}
# URLs whose argument names a page every organization shares, not an object of one
# (a Sending configurations page: the notes shown on it are the viewer's organization's own).
SHARED_PAGE_URLS = {"campaigns:guidance-detail"}

LIST_URLS = [
    "contacts:learner-list",
    "campaigns:campaign-list",
    "campaigns:mailbox-list",
    "campaigns:esp-list",
    "reports:index",
    "reports:learner-report",
    "reports:email-status",
    "contacts:settings",
    "contacts:settings-policy",
    "contacts:settings-automation",
    "contacts:settings-never-suppress",
    "campaigns:review-list",
    "contacts:webhook-list",
    "contacts:member-list",
    "contacts:language",
    "contacts:settings-digest",
    "contacts:settings-security",
    # The user's own two-factor pages: they name no object, and show only the session's user's devices.
    "contacts:two-factor",
    "contacts:two-factor-enrol",
    "contacts:two-factor-backup-codes",
    "contacts:two-factor-remove",
]
# Public pages outside the portal namespaces whose signed link names one object: the digest's
# one-click unsubscribe (digest-unsubscribe) acts on its own subscription only, whoever is logged in
# (tests/reports/test_digest.py::test_an_unsubscribe_link_works_only_for_its_own_subscription).


@pytest.mark.django_db
def test_a_guidance_page_shows_only_the_organizations_own_notes(admin_client, other_org):
    from campaigns.models import GuidanceNote

    GuidanceNote.objects.create(organization=other_org, slug="mimecast", text="the other org's secret note")

    body = admin_client.get(reverse("campaigns:guidance-detail", args=["mimecast"])).content.decode()

    assert "the other org's secret note" not in body


def portal_url_names():
    """Every named URL in the portal namespaces, with whether it takes arguments."""
    names = {}
    for resolver in get_resolver().url_patterns:
        if isinstance(resolver, URLResolver) and resolver.namespace in PORTAL_NAMESPACES:
            _collect(resolver.namespace, resolver.url_patterns, names)
    return names


def _collect(namespace, patterns, names):
    for pattern in patterns:
        if isinstance(pattern, URLPattern) and pattern.name:
            names[f"{namespace}:{pattern.name}"] = bool(pattern.pattern.regex.groupindex)
        elif isinstance(pattern, URLResolver) and not pattern.namespace:  # a plain include() of a list
            _collect(namespace, pattern.url_patterns, names)


def objects_of(other_org):
    """One object of every kind a portal URL names, in ``other_org`` (the accessibility walk uses it too)."""
    send = SendFactory(run__campaign__organization=other_org)
    event = BounceEventFactory(send=send, inbound_message=InboundMessageFactory(organization=other_org))
    return {
        "learner": send.learner,
        "campaign": send.run.campaign,
        "run": send.run,
        "send": send,
        "event": event,
        "organization": other_org,
        "inbound": event.inbound_message,
        "rule": AutomationRule.objects.create(organization=other_org, category="hard", action="tag", tag="x"),
        "mailbox": BounceMailboxFactory(organization=other_org, name="Other org mailbox"),
        "never_suppress": NeverSuppress.objects.create(organization=other_org, entry="x.example", reason="x"),
        "learner_import": LearnerImport.objects.create(
            organization=other_org, file_name="theirs.csv", content=b"email\na@other.example\n"
        ),
        "bulk_clear_job": BulkClearJob.objects.create(
            organization=other_org, via="portal_bulk", learner_ids=[send.learner_id], total=1
        ),
        "esp_connection": EspConnection.objects.create(organization=other_org, name="Other SES", service="amazon_ses"),
        "webhook": create_subscription(
            organization=other_org, url="https://hooks.other.example/theirs", events=["learner.suppressed"]
        )[0],
        "membership": MembershipFactory(organization=other_org, user__username="their-member", role="viewer"),
        "invitation": Invitation.objects.create(organization=other_org, email="their-invitee@other.example"),
    }


@pytest.fixture
def other_orgs_objects(other_org):
    return objects_of(other_org)


def test_every_portal_url_with_an_id_is_walked():
    takes_ids = {name for name, has_args in portal_url_names().items() if has_args}

    assert takes_ids - set(OBJECT_URLS) - SHARED_PAGE_URLS == set(), "add the new page to OBJECT_URLS"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(OBJECT_URLS))
def test_other_organizations_object_is_a_404_on_get_and_post(admin_client, other_orgs_objects, name):
    url = reverse(name, kwargs=OBJECT_URLS[name](other_orgs_objects))

    assert admin_client.get(url).status_code in (404, 405)  # 405: a POST-only action, whoever owns the id
    assert admin_client.post(url, {}).status_code in (404, 405)


@pytest.mark.django_db
@pytest.mark.parametrize("name", LIST_URLS)
def test_lists_never_show_other_organizations_rows(admin_client, other_orgs_objects, name):
    response = admin_client.get(reverse(name))

    assert response.status_code == 200
    assert other_orgs_objects["learner"].email not in response.content.decode()
    assert other_orgs_objects["campaign"].name not in response.content.decode()
    assert other_orgs_objects["mailbox"].name not in response.content.decode()
    assert other_orgs_objects["esp_connection"].name not in response.content.decode()
    assert other_orgs_objects["webhook"].url not in response.content.decode()
    assert other_orgs_objects["membership"].user.email not in response.content.decode()


@pytest.mark.django_db
def test_the_login_code_step_and_the_two_factor_pages_concern_only_the_sessions_own_user(client, other_org):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.contacts.test_two_factor import enrol, give_code, log_in, next_code, wait_out_throttling

    theirs = MembershipFactory(organization=other_org, user__username="their-admin", role="admin").user
    their_device, their_backup_codes = enrol(theirs)
    mine = MembershipFactory(organization=other_org, user__username="mine", role="admin").user
    my_device, _codes = enrol(mine)
    log_in(client, "mine")

    with_their_code = give_code(client, next_code(their_device))
    with_their_backup_code = give_code(client, their_backup_codes[0])
    account = client.get(reverse("contacts:two-factor"))
    wait_out_throttling(mine)

    assert with_their_code.status_code == 200 and with_their_backup_code.status_code == 200
    assert account.status_code == 302  # still waiting for its own code
    assert give_code(client, next_code(my_device)).status_code == 302
    assert client.get(reverse("contacts:two-factor")).context["device"] == my_device
    assert TOTPDevice.objects.get(user=theirs).throttling_failure_count == 0  # their device was never asked


@pytest.mark.django_db
def test_portal_pages_need_a_login(client):
    response = client.get(reverse("contacts:learner-list"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_a_user_without_organization_is_refused(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("drifter", password="x"))

    assert client.get(reverse("contacts:learner-list")).status_code == 403
