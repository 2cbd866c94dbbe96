"""The upsert by address: its address check (a fast path for plain addresses that says what Django's
validate_email says) and its set-based writes."""

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from hypothesis import given
from hypothesis import strategies as st

from contacts.learner_upsert import apply_upsert, is_valid_address, plan_upsert
from contacts.models import Learner
from tests.factories import LearnerFactory


def django_accepts(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(
    "address",
    [
        "ada@school.example",
        "o'neil+tag@sub.school.example",
        "a.b.c@x-y.example",
        '"quoted local"@school.example',
        "zoë@école.example",
        "user@[192.0.2.1]",
        "user@localhost",
        "user@bücher.xn--p1ai",
        "a..b@school.example",
        ".ada@school.example",
        "ada@-school.example",
        "ada@school-.example",
        "ada@school.e",
        "ada@school.123",
        "ada@school.example.",
        "ada@@school.example",
        "ada@school.exa-mple",
        "\u212aelvin@school.example",
        "ada@school.\u212aelvin",
        "x" * 64 + "@" + "y" * 250 + ".example",
        "",
        "@school.example",
    ],
)
def test_known_tricky_addresses_get_djangos_verdict(address):
    assert is_valid_address(address) == django_accepts(address)


ADDRESS_PIECES = st.text(alphabet="ab1.-_+'\"@[]:\u212a\u00e9 ", min_size=0, max_size=12)


@given(local=ADDRESS_PIECES, domain=ADDRESS_PIECES, tld=st.sampled_from(["example", "e", "x1", "co-", "", "\u00e9t"]))
def test_any_address_gets_djangos_verdict(local, domain, tld):
    address = f"{local}@{domain}.{tld}"

    assert is_valid_address(address) == django_accepts(address)


@pytest.mark.django_db
def test_a_new_row_whose_address_was_taken_between_plan_and_write_is_invalid_and_writes_nothing(org, admin_member):
    plans = plan_upsert(organization=org, rows=[{"email": "race@school.example", "first_name": "Rae"}])
    LearnerFactory(organization=org, email="Race@School.example", first_name="Other")

    counts = apply_upsert(organization=org, plans=plans, actor=admin_member.user)

    assert (counts["new"], counts["invalid"]) == (0, 1)
    assert "while this was running" in plans[0].errors[0]
    assert list(Learner.objects.filter(organization=org).values_list("email", "first_name")) == [
        ("Race@School.example", "Other")
    ]


@pytest.mark.django_db
def test_new_and_updated_rows_are_written_with_the_models_defaults(org, admin_member):
    LearnerFactory(organization=org, email="known@school.example", first_name="K", department="Old")
    plans = plan_upsert(
        organization=org,
        rows=[{"email": "known@school.example", "department": "New"}, {"email": "fresh@school.example"}],
    )

    apply_upsert(organization=org, plans=plans, actor=admin_member.user)

    known = Learner.objects.get(email="known@school.example")
    fresh = Learner.objects.get(email="fresh@school.example")
    assert (known.first_name, known.department) == ("K", "New")
    assert (fresh.status, fresh.tags, fresh.email_domain, fresh.bounce_count) == ("active", [], "school.example", 0)
    assert fresh.created_at is not None and fresh.pk == plans[1].learner_id


@pytest.mark.django_db
def test_a_detail_the_row_leaves_as_it_was_keeps_an_edit_made_between_plan_and_write(org, admin_member):
    learner = LearnerFactory(organization=org, email="ed@school.example", first_name="Ed", last_name="Old")
    plans = plan_upsert(
        organization=org, rows=[{"email": "ed@school.example", "first_name": "Edward", "last_name": "Old"}]
    )
    Learner.objects.filter(pk=learner.pk).update(last_name="Edited meanwhile")

    apply_upsert(organization=org, plans=plans, actor=admin_member.user)

    learner.refresh_from_db()
    assert (learner.first_name, learner.last_name) == ("Edward", "Edited meanwhile")
