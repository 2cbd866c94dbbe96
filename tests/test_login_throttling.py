"""Login throttling (issue #13, finding 5): wrong passwords lock the account (from any address) and the
client address (for any account) on the portal login and the admin login; support staff unlock."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
LOGIN = reverse("login")
ADMIN_LOGIN = reverse("admin:login")
LOCKED = "Too many failed logins"


@pytest.fixture
def user():
    user = UserFactory(username="ada", is_staff=True)
    user.set_password("right-password-1")
    user.save()
    return user


def log_in(client, url, username, password, address="198.51.100.7"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, url, username, times, address="198.51.100.7"):
    for _ in range(times):
        response = log_in(client, url, username, "wrong", address)
        assert response.status_code in (200, 429)


@pytest.mark.parametrize("url", [LOGIN, ADMIN_LOGIN])
def test_after_the_limit_even_the_right_password_is_refused_with_a_clear_page(client, user, url):
    fail(client, url, "ada", settings.AXES_FAILURE_LIMIT)

    response = log_in(client, url, "ada", "right-password-1")

    assert response.status_code == 429
    assert LOCKED in response.content.decode() and "ask your organization" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_account_is_locked_from_every_address(client, user):
    for n in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, LOGIN, "ada", "wrong", address=f"203.0.113.{n + 1}")

    response = log_in(client, LOGIN, "ada", "right-password-1", address="192.0.2.200")

    assert response.status_code == 429


def test_one_address_guessing_many_accounts_is_locked(client, user):
    for n in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, LOGIN, f"someone{n}", "wrong", address="198.51.100.99")

    response = log_in(client, LOGIN, "ada", "right-password-1", address="198.51.100.99")
    elsewhere = log_in(client, LOGIN, "ada", "right-password-1", address="198.51.100.100")

    assert response.status_code == 429
    assert elsewhere.status_code == 302


def test_below_the_limit_the_right_password_logs_in_and_the_count_starts_again(client, user):
    fail(client, LOGIN, "ada", settings.AXES_FAILURE_LIMIT - 1)

    response = log_in(client, LOGIN, "ada", "right-password-1")

    assert response.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)
    assert not AccessAttempt.objects.filter(username="ada").exists()


def test_support_staff_unlock_an_account_in_the_admin(client, cx_client, user):
    fail(client, LOGIN, "ada", settings.AXES_FAILURE_LIMIT)
    changelist = reverse("admin:axes_accessattempt_changelist")
    attempts = AccessAttempt.objects.filter(username="ada")

    page = cx_client.get(changelist)
    response = cx_client.post(
        changelist, {"action": "unlock", "_selected_action": [a.pk for a in attempts]}, follow=True
    )
    after = log_in(client, LOGIN, "ada", "right-password-1")

    assert page.status_code == 200 and "ada" in page.content.decode()
    assert "Unlocked 1 login record: ada" in response.content.decode()
    assert after.status_code == 302


def test_the_client_address_behind_trusted_proxies_is_the_one_they_saw(rf, settings):
    from bounceportal.security import client_ip

    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7", REMOTE_ADDR="10.0.0.2")

    assert client_ip(request) == "198.51.100.7"
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
