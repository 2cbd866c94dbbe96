import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from contacts.models import BouncePolicy
from tests.factories import LearnerFactory

pytestmark = pytest.mark.django_db


def test_learner_email_is_unique_per_organization_ignoring_case(org):
    LearnerFactory(organization=org, email="Ada@School.example")

    with pytest.raises(IntegrityError), transaction.atomic():
        LearnerFactory(organization=org, email="ada@school.example")


def test_the_same_email_may_exist_in_two_organizations(org, other_org):
    LearnerFactory(organization=org, email="ada@school.example")

    LearnerFactory(organization=other_org, email="ada@school.example")


def test_new_organization_gets_the_default_policy(org):
    policy = org.bounce_policy

    assert (policy.soft_threshold_engaged, policy.soft_threshold_unengaged, policy.engaged_window_days) == (20, 10, 90)
    assert policy.unverified_events_suppress is True


@pytest.mark.parametrize("value", [0, -1])
def test_policy_threshold_below_one_is_rejected_by_validation_and_database(org, value):
    policy = org.bounce_policy
    policy.soft_threshold_unengaged = value

    with pytest.raises(ValidationError):
        policy.full_clean()
    if value >= 0:
        with pytest.raises(IntegrityError), transaction.atomic():
            BouncePolicy.objects.filter(pk=policy.pk).update(soft_threshold_unengaged=value)
