"""The large tables' admin lists (bounceportal.admin_tools.KeysetAdminMixin): page numbers stop at OFFSET_CAP
rows, and "Older" (the admin's own ``id__lt`` lookup) walks every row once, newest first, however deep."""

import html
import re

import pytest
from django.urls import reverse

from contacts.models import Learner
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db
LIST = reverse("admin:contacts_learner_changelist")


@pytest.fixture
def learners():
    org = OrganizationFactory()
    return Learner.objects.bulk_create(Learner(organization=org, email=f"l{n:03}@school.example") for n in range(230))


def older(response) -> str | None:
    found = re.search(r'<a href="([^"]*)" rel="next" class="older">', response.content.decode())
    return LIST + html.unescape(found.group(1)) if found else None


def test_older_links_walk_every_learner_once_newest_first_while_learners_are_added(root_client, learners):
    org = learners[0].organization
    response, seen = root_client.get(LIST), []
    while True:
        seen += [learner.pk for learner in response.context["cl"].result_list]
        url = older(response)
        if url is None:
            break
        Learner.objects.create(organization=org, email=f"new{len(seen)}@school.example")  # newer than the page
        response = root_client.get(url)

    assert seen == sorted((learner.pk for learner in learners), reverse=True)
    assert "id__lt" not in LIST and len(seen) == 230


def test_a_page_number_past_the_cap_is_the_last_page_offered_not_a_deep_offset(root_client, learners, monkeypatch):
    monkeypatch.setattr("bounceportal.pagination.OFFSET_CAP", 120)  # 230 learners, 100 a page: 2 pages offered

    response = root_client.get(LIST, {"p": "99999999"})

    cl = response.context["cl"]
    assert response.status_code == 200 and cl.paginator.num_pages == 2
    assert [learner.pk for learner in cl.result_list] == sorted((learner.pk for learner in learners), reverse=True)[
        100:200
    ]
    assert older(response) is not None


def test_a_forged_older_link_is_an_admin_error_not_a_500(root_client, learners):
    response = root_client.get(LIST, {"id__lt": "not-a-number"})

    assert response.status_code == 302 and "e=1" in response["Location"]


def test_sorted_by_a_column_the_list_offers_no_older_link(root_client, learners):
    response = root_client.get(LIST, {"o": "2"})

    assert response.status_code == 200 and older(response) is None


def test_each_row_links_to_its_own_change_page(root_client, learners):
    response = root_client.get(LIST)

    rows = response.context["cl"].result_list
    links = re.findall(r'<th class="field-email"><a href="([^"]+)">', response.content.decode())
    assert links == [reverse("admin:contacts_learner_change", args=[learner.pk]) for learner in rows]
    assert len(links) == len(rows) > 1
