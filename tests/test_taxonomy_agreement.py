"""The database's choices are built from the classifier's taxonomy (contacts/choices.py).

Values and labels cannot drift any more; what can still happen is the classifier
gaining a word the choices have no member for, which would store a value the
fields' choices reject. These tests catch that (add the member and a migration).
"""

from bounceportal.classifier import taxonomy
from contacts.choices import CATEGORY_OF_SUBTYPE, Category, Reason, Subtype

# Recipients that did not bounce never become bounce events: they update the send.
NOT_BOUNCES = {taxonomy.DELIVERED, taxonomy.DEFERRED}


def test_every_bounce_category_of_the_classifier_has_a_choice():
    bounce_categories = set(taxonomy.CATEGORY_LABELS) - NOT_BOUNCES

    assert set(Category.values) == bounce_categories


def test_every_bounce_subtype_of_the_classifier_has_a_choice_in_its_category():
    bounce_subtypes = {
        slug: category for slug, (category, _) in taxonomy.SUBTYPES.items() if category not in NOT_BOUNCES
    }

    assert {subtype.value: category.value for subtype, category in CATEGORY_OF_SUBTYPE.items()} == bounce_subtypes
    assert set(Subtype.values) == set(bounce_subtypes)


def test_every_reason_the_classifier_names_is_a_choice():
    assert set(Reason.values) == set(taxonomy.REASONS)


def test_whatever_categorize_returns_for_a_bounce_is_stored_as_a_choice():
    for reason in taxonomy.REASONS:
        for reply_code in ("550", "450", ""):
            category, subtype, _hard = taxonomy.categorize(reason, reply_code)
            if category in NOT_BOUNCES:
                continue

            assert category in Category.values and subtype in Subtype.values, (reason, reply_code)
            assert CATEGORY_OF_SUBTYPE[Subtype(subtype)] == category
