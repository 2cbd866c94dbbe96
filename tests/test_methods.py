"""HTTP methods (issue #13, findings 4 and 9): any method but GET, HEAD, POST and OPTIONS is a 405 on
every page, and the role guards refuse every unsafe method, not only POST."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse

from campaigns.mailbox_views import MailboxEditView
from contacts.models import BouncePolicy
from contacts.settings_views import PolicySettingsView
from tests.factories import BounceMailboxFactory

pytestmark = pytest.mark.django_db

PAGES = ["contacts:learner-list", "contacts:settings-policy", "contacts:settings-automation", "campaigns:mailbox-list"]


@pytest.mark.parametrize("method", ["put", "patch", "delete", "trace"])
@pytest.mark.parametrize("page", PAGES)
def test_methods_other_than_get_head_post_options_are_405(viewer_client, page, method):
    response = getattr(viewer_client, method)(reverse(page), data="soft_threshold=1")

    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "POST", "OPTIONS"}


def test_an_invented_method_is_405_before_login_too(client):
    response = client.generic("PROPFIND", reverse("contacts:settings-policy"))

    assert response.status_code == 405


def test_a_viewers_put_to_the_policy_page_changes_nothing(viewer_client, org):
    before = list(BouncePolicy.objects.filter(organization=org).values())

    response = viewer_client.put(reverse("contacts:settings-policy"), data="soft_threshold_unengaged=1")

    assert response.status_code == 405
    assert list(BouncePolicy.objects.filter(organization=org).values()) == before


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_settings_guard_itself_refuses_every_unsafe_method_of_a_viewer(viewer_member, method):
    """The guard behind the middleware: a PUT that reached the view would be a 403, not a 200."""
    request = getattr(RequestFactory(), method)("/settings/policy/", data="soft_threshold_unengaged=1")
    request.user, request.membership = viewer_member.user, viewer_member

    with pytest.raises(PermissionDenied):
        PolicySettingsView.as_view()(request)


@pytest.mark.parametrize("method", ["put", "delete"])
def test_the_mailbox_guard_refuses_every_unsafe_method_of_a_viewer(viewer_member, method):
    mailbox = BounceMailboxFactory(organization=viewer_member.organization, protocol="imap", host="imap.example")
    request = getattr(RequestFactory(), method)(f"/settings/mailboxes/{mailbox.pk}/")
    request.user, request.membership = viewer_member.user, viewer_member

    with pytest.raises(PermissionDenied):
        MailboxEditView.as_view()(request, pk=mailbox.pk)


def test_head_and_options_still_work_for_a_viewer(viewer_client):
    assert viewer_client.head(reverse("contacts:learner-list")).status_code == 200
    assert viewer_client.options(reverse("contacts:settings-policy")).status_code == 200


def test_the_api_may_be_sent_delete_and_answers_other_methods_itself(client):
    assert client.delete("/api/v1/never-suppress/1/").status_code == 401  # DRF: no key
    assert client.put("/api/v1/never-suppress/1/").status_code == 405
