"""Every endpoint is scoped to the key's organization: another organization's ids are 404s."""

import pytest

from campaigns.models import BounceEvent
from contacts.choices import DeliverabilityStatus
from contacts.models import Learner, NeverSuppress
from tests.factories import BounceEventFactory, CampaignRunFactory, LearnerFactory, bounced_learner

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(other_org):
    """One of each object in the other organization."""
    learner = bounced_learner(other_org, learner=LearnerFactory(organization=other_org, email="theirs@other.example"))
    return {
        "learner": learner,
        "event": BounceEvent.objects.get(learner=learner),
        "run": CampaignRunFactory(campaign__organization=other_org, organization=other_org),
        "never_suppress": NeverSuppress.objects.create(organization=other_org, entry="x.example", reason="theirs"),
    }


def test_another_organizations_ids_are_404_on_every_detail_endpoint(write_api, theirs):
    learner, run, entry = theirs["learner"], theirs["run"], theirs["never_suppress"]

    responses = [
        write_api.get(f"/api/v1/learners/{learner.pk}/"),
        write_api.post(f"/api/v1/learners/{learner.pk}/clear/", {"note": "not ours"}),
        write_api.get(f"/api/v1/runs/{run.pk}/"),
        write_api.get(f"/api/v1/never-suppress/{entry.pk}/"),
        write_api.delete(f"/api/v1/never-suppress/{entry.pk}/"),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404, 404]
    learner.refresh_from_db()
    assert learner.status == DeliverabilityStatus.BOUNCED
    entry.refresh_from_db()
    assert entry.removed_at is None


def test_the_lists_show_only_the_keys_organization(write_api, org, theirs):
    mine = bounced_learner(org)
    CampaignRunFactory(campaign__organization=org, organization=org)

    learners = write_api.get("/api/v1/learners/").json()["results"]
    events = write_api.get("/api/v1/events/").json()["results"]
    runs = write_api.get("/api/v1/runs/").json()["results"]
    never_suppress = write_api.get("/api/v1/never-suppress/").json()["results"]

    assert never_suppress == []
    assert [row["id"] for row in learners] == [mine.pk]
    assert [row["learner"] for row in events] == [mine.pk]
    assert theirs["run"].pk not in [row["id"] for row in runs]
    assert len(runs) == 2  # the run of mine's bounce and the one made here


def test_bulk_upsert_never_touches_another_organizations_learner_of_the_same_address(write_api, org, theirs):
    response = write_api.post(
        "/api/v1/learners/bulk/", {"learners": [{"email": "theirs@other.example", "first_name": "Mine"}]}
    )

    assert response.json()["new"] == 1
    theirs["learner"].refresh_from_db()
    assert theirs["learner"].first_name != "Mine"
    assert Learner.objects.filter(email="theirs@other.example").count() == 2


def test_the_other_organizations_key_sees_its_own_and_not_ours(other_api, org, theirs):
    mine = bounced_learner(org)
    BounceEventFactory(send__run__campaign__organization=org)

    learners = other_api.get("/api/v1/learners/").json()["results"]
    events = other_api.get("/api/v1/events/").json()["results"]

    assert [row["id"] for row in learners] == [theirs["learner"].pk]
    assert [row["id"] for row in events] == [theirs["event"].pk]
    assert other_api.get(f"/api/v1/learners/{mine.pk}/").status_code == 404
