"""The database's choices and the classifier's JSON use the same words (DESIGN §2)."""

from bounceportal.classifier import taxonomy
from contacts.choices import CATEGORY_OF_SUBTYPE, Category, Reason, Subtype

# Recipients that did not bounce never become bounce events: they update the send.
NOT_BOUNCES = {taxonomy.DELIVERED, taxonomy.DEFERRED}


def test_categories_agree_with_the_classifier():
    classifier = {value: label for value, label in taxonomy.CATEGORY_LABELS.items() if value not in NOT_BOUNCES}

    assert dict(Category.choices) == classifier


def test_subtypes_and_their_categories_agree_with_the_classifier():
    classifier = {
        slug: (category, label) for slug, (category, label) in taxonomy.SUBTYPES.items() if category not in NOT_BOUNCES
    }

    assert {s.value: (CATEGORY_OF_SUBTYPE[s], s.label) for s in Subtype} == classifier


def test_reasons_agree_with_the_classifier():
    assert set(Reason.values) == set(taxonomy.REASONS)
