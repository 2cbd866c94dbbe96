"""Each user picks the portal's language: the header's picker stores it, their pages follow it."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from bounceportal.charts import column_chart
from contacts.models import UserPreference
from contacts.preferences import language_for, set_language_for
from tests.factories import LearnerFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def switch(client, code, next_url="/learners/"):
    return client.post(reverse("contacts:language"), {"language": code, "next": next_url})


def test_the_picker_stores_the_choice_and_the_next_page_is_german(admin_client, admin_member):
    response = switch(admin_client, "de")

    assert response.status_code == 302
    assert response.url == "/learners/"
    assert language_for(admin_member.user) == "de"
    page = admin_client.get("/learners/")
    assert page["Content-Language"] == "de"
    body = page.content.decode()
    assert '<html lang="de">' in body
    assert ">Lernende</a>" in body
    assert ">Abmelden</button>" in body


def test_another_user_stays_in_english(admin_client, org):
    switch(admin_client, "de")
    colleague = MembershipFactory(organization=org, user__username="bob", role="admin")
    other_browser = Client()
    other_browser.force_login(colleague.user)

    body = other_browser.get("/learners/").content.decode()

    assert language_for(colleague.user) == settings.LANGUAGE_CODE == "en"
    assert ">Learners</a>" in body
    assert '<html lang="en">' in body


def test_the_stored_language_follows_the_user_to_a_new_browser(admin_member):
    set_language_for(admin_member.user, "de")
    new_browser = Client()  # no cookie: the choice comes from the account, copied at login

    new_browser.force_login(admin_member.user)

    assert ">Einstellungen</a>" in new_browser.get("/learners/").content.decode()


def test_the_login_page_picker_sets_the_cookie_only(client):
    response = client.post(reverse("contacts:language"), {"language": "de", "next": "/accounts/login/"})

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    assert UserPreference.objects.count() == 0
    body = client.get("/accounts/login/").content.decode()
    assert "Passwort vergessen?" in body
    assert '<option value="de" lang="de" selected>Deutsch</option>' in body


def test_an_unknown_language_is_refused_with_a_message_and_nothing_changes(admin_client, admin_member):
    response = switch(admin_client, "xx")

    assert response.status_code == 302
    assert UserPreference.objects.filter(user=admin_member.user).count() == 0
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    body = admin_client.get(response.url).content.decode()
    assert "xx is not one of the available choices" in body


def test_a_next_off_site_goes_back_to_the_language_page(admin_client):
    response = switch(admin_client, "de", next_url="https://evil.example/")

    assert response.url == reverse("contacts:language")


def test_set_language_for_refuses_an_unsupported_code(admin_member):
    with pytest.raises(ValueError, match="unsupported language"):
        set_language_for(admin_member.user, "fr")

    set_language_for(admin_member.user, "")
    assert language_for(admin_member.user) == "en"


def test_the_language_page_shows_the_picker_with_the_current_language(admin_client):
    switch(admin_client, "de")

    body = admin_client.get(reverse("contacts:language")).content.decode()

    assert "<h1>Sprache</h1>" in body
    assert 'id="page-language"' in body
    assert '<option value="de" lang="de" selected>Deutsch</option>' in body


def test_dates_follow_the_language_and_stay_in_the_organizations_zone(admin_client, org):
    org.time_zone = "Europe/Berlin"
    org.save()
    learner = LearnerFactory(
        organization=org,
        status="bounced",
        status_since=dt.datetime(2026, 3, 4, 22, 30, tzinfo=dt.UTC),
        status_reason="hard bounce",
    )
    url = reverse("contacts:learner-detail", args=[learner.pk])

    english = admin_client.get(url).content.decode()
    switch(admin_client, "de")
    german = admin_client.get(url).content.decode()

    assert "2026-03-04 23:30" in english  # 22:30 UTC is 23:30 in Berlin
    assert "04.03.2026 23:30" in german
    assert "2026-03-04 23:30" not in german
    assert timezone.get_current_timezone_name() == settings.TIME_ZONE  # the override ended with the request


def test_a_german_chart_keeps_its_geometry_in_decimal_points():
    rows = [{"period": dt.date(2026, 11, 3) + dt.timedelta(days=i), "hard": 1, "soft": 2, "block": 0} for i in range(8)]

    with translation.override("de"):
        html = render_to_string("includes/_column_chart.html", {"chart": column_chart("t", rows), "chart_id": "c"})

    assert 'x="19.0"' in html  # not "19,0": SVG reads only a decimal point
    assert not re.search(r'(x|y|width|height)="\d+,\d', html)
    assert ">3. Nov</text>" in html and "Harte Bounces" in html


def test_a_german_page_leaves_the_thread_in_english(admin_client):
    switch(admin_client, "de")

    admin_client.get("/learners/")

    assert translation.get_language() == "en"
