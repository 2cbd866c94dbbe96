"""A forgotten password has a way back: Django's reset views and tokens, mailed through real SMTP."""

import re
from email import message_from_bytes

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/accounts/reset/\S+/")


def reset_link(sink):
    (received,) = sink.wait_for(1, timeout=10)
    body = message_from_bytes(received.data).get_payload(decode=True).decode()
    match = LINK.search(body)
    assert match, body
    return match.group(0)


def test_login_page_offers_a_way_back(client):
    response = client.get(reverse("login"))

    assert reverse("password_reset") in response.content.decode()


def test_reset_mails_a_link_that_sets_a_new_password(client, admin_member, mail_sink):
    response = client.post(reverse("password_reset"), {"email": "alice@portal.example"})
    assert response.status_code == 302

    link = reset_link(mail_sink)
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    new = {"new_password1": "a much better passphrase 7", "new_password2": "a much better passphrase 7"}
    done = client.post(form.redirect_chain[-1][0], new)

    assert done.url == reverse("password_reset_complete")
    admin_member.user.refresh_from_db()
    assert admin_member.user.check_password("a much better passphrase 7")


def test_reset_link_works_only_once(client, admin_member, mail_sink):
    client.post(reverse("password_reset"), {"email": "alice@portal.example"})
    link = reset_link(mail_sink)
    form = client.get(link, follow=True)
    new = {"new_password1": "a much better passphrase 7", "new_password2": "a much better passphrase 7"}
    client.post(form.redirect_chain[-1][0], new)

    again = client.get(link, follow=True)

    assert "This link no longer works" in again.content.decode()


def test_an_unknown_address_is_answered_the_same_and_mails_nothing(client, admin_member, mail_sink):
    response = client.post(reverse("password_reset"), {"email": "nobody@elsewhere.example"})

    assert response.url == reverse("password_reset_done")
    assert mail_sink.wait_for(1, timeout=1) == []


def test_a_weak_new_password_is_reshown_with_a_message(client, admin_member, mail_sink):
    client.post(reverse("password_reset"), {"email": "alice@portal.example"})
    form = client.get(reset_link(mail_sink), follow=True)

    response = client.post(form.redirect_chain[-1][0], {"new_password1": "alice", "new_password2": "alice"})

    assert response.status_code == 200
    assert "field-error" in response.content.decode()
    admin_member.user.refresh_from_db()
    assert admin_member.user.check_password("correct horse battery staple")


def test_reset_mails_to_one_address_stop_at_the_hourly_cap_and_the_form_answers_the_same(
    client, admin_member, mail_sink, settings
):
    settings.PASSWORD_RESET_MAILS_PER_ADDRESS = 2
    answers = [client.post(reverse("password_reset"), {"email": "alice@portal.example"}) for _ in range(4)]
    unknown = client.post(reverse("password_reset"), {"email": "nobody@elsewhere.example"})

    assert len(mail_sink.wait_for(3, timeout=2)) == 2  # the third and fourth asked mailed nothing
    assert {(r.status_code, r.url) for r in [*answers, unknown]} == {(302, reverse("password_reset_done"))}


def test_reset_mails_from_one_client_stop_at_the_hourly_cap_whatever_the_address(
    client, admin_member, mail_sink, settings
):
    settings.PASSWORD_RESET_MAILS_PER_IP = 3
    for n in range(3):
        client.post(reverse("password_reset"), {"email": f"probe{n}@elsewhere.example"})

    limited = client.post(reverse("password_reset"), {"email": "alice@portal.example"})
    other_client = client.post(reverse("password_reset"), {"email": "alice@portal.example"}, REMOTE_ADDR="198.51.100.7")

    assert limited.url == other_client.url == reverse("password_reset_done")
    (received,) = mail_sink.wait_for(2, timeout=2)  # only the other client's request was mailed
    assert received.rcpt_tos == ["alice@portal.example"]
