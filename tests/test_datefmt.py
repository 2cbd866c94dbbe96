"""Dates and URLs of many rows: the text Django writes, made with less work per row."""

import random
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse
from django.utils import dateformat, translation
from django.utils.formats import get_format

from bounceportal.datefmt import format_value
from bounceportal.reversing import url_by_id

FORMATS = ["Y-m-d H:i:s", "Y-m-d H:i", "d.m.Y H:i", "H:i", "j.n.Y G:i", r"\Y\e\a\r Y", "Y 100%", "j. M Y", "F Y", "D"]


def test_formatted_dates_are_djangos_text():
    rng = random.Random(7)
    values = [datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)]
    values += [
        datetime(rng.randint(1, 9999), rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59))
        for _ in range(300)
    ]

    for value in values:
        for format_string in FORMATS:
            assert format_value(value, format_string) == dateformat.format(value, format_string)


def test_the_portals_formats_in_each_language_are_djangos_text():
    value = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)

    for language in ("en", "de"):
        with translation.override(language):
            for name in ("DATE_FORMAT", "SHORT_DATE_FORMAT", "DATETIME_FORMAT", "SHORT_DATETIME_FORMAT", "TIME_FORMAT"):
                assert format_value(value, get_format(name)) == dateformat.format(value, get_format(name))
    with translation.override("de"):
        assert format_value(value, get_format("SHORT_DATETIME_FORMAT")) == "04.03.2026 05:06"


def test_a_date_takes_date_codes_and_refuses_time_codes_as_django_does():
    assert format_value(date(2026, 3, 4), "d.m.Y") == "04.03.2026"
    with pytest.raises(TypeError):
        format_value(date(2026, 3, 4), "H:i")


@pytest.mark.django_db
def test_urls_by_id_are_what_reverse_gives():
    url_of = url_by_id("contacts:learner-detail")

    for pk in (0, 1, 42, 918_273_645, 10**20):
        assert url_of(pk) == reverse("contacts:learner-detail", args=[pk])
    with translation.override("de"):
        assert url_by_id("campaigns:run-detail")(7) == reverse("campaigns:run-detail", args=[7])


def test_a_url_by_a_non_integer_id_is_reversed_as_usual():
    url_of = url_by_id("admin:contacts_learner_change", current_app="admin")

    assert url_of("a b") == reverse("admin:contacts_learner_change", args=["a b"], current_app="admin")
    assert url_of(5) == reverse("admin:contacts_learner_change", args=[5], current_app="admin")
