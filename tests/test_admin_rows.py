"""The large tables' admin lists (``{% keyset_result_list cl %}``, bounceportal/admin_rows.py) show the rows
Django's ``{% result_list cl %}`` shows, character for character: choices (and a value that is none),
booleans, dates, empty values and blanks, foreign keys (and none), markup to escape, the change link with
the list's filters kept, in English and German."""

from datetime import timedelta

import pytest
from django.contrib.admin.templatetags.admin_list import results
from django.utils import timezone, translation

from campaigns.models import MatchedBy
from contacts.choices import Category, Subtype
from tests.factories import (
    BounceEventFactory,
    BounceMailboxFactory,
    InboundMessageFactory,
    LearnerFactory,
    OrganizationFactory,
    SendFactory,
)

pytestmark = pytest.mark.django_db
LISTS = [
    "/admin/contacts/learner/",
    "/admin/contacts/learner/?status__exact=bounced",
    "/admin/campaigns/send/",
    "/admin/campaigns/bounceevent/",
    "/admin/campaigns/bounceevent/?category__exact=soft&o=2",
    "/admin/campaigns/inboundmessage/",
]


@pytest.fixture
def rows_of_every_kind():
    org = OrganizationFactory()
    now = timezone.now()
    LearnerFactory(organization=org, status="bounced", last_bounce_category="hard", last_bounced_at=now)
    LearnerFactory(organization=org, last_bounce_subtype="", soft_bounce_count=12345, first_name="   ")
    send = SendFactory(learner__organization=org, run__organization=org, sent_at=None)
    SendFactory(learner__organization=org, run__organization=org, status="bounced")
    BounceEventFactory(send=send, category=Category.SOFT, subtype=Subtype.MAILBOX_FULL, occurred_at=now)
    BounceEventFactory(send=send, category=Category.SOFT, subtype="not-a-subtype", outcome="")
    mailbox = BounceMailboxFactory(organization=org)
    InboundMessageFactory(organization=org, mailbox=mailbox, truncated=True, processed_at=now - timedelta(days=400))
    InboundMessageFactory(organization=org, mailbox=None, matched_by=MatchedBy.NONE, subject="<b>x</b>")


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("language", ["en", "de"])
def test_the_rows_are_djangos(root_client, rows_of_every_kind, url, language):
    root_client.cookies["django_language"] = language

    response = root_client.get(url, HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    ours = [list(row) for row in response.context["results"]]
    with translation.override(language):  # Django's, for the same page and language
        theirs = [list(row) for row in results(response.context["cl"])]
    assert ours == theirs and len(ours) >= 1
    assert ("_changelist_filters" in "".join(ours[0])) == ("?" in url)  # the change link keeps the filters
    page = response.content.decode()
    assert all(str(cell) in page for row in ours for cell in row)
