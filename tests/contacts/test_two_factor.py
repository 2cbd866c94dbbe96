"""Two-factor authentication (issue #19 item 2): enrol with an authenticator app, log in with its code
or a backup code, wrong codes are limited like wrong passwords, an organization can require it of its
admins, and the Django admin requires it of staff in production."""

import time
from binascii import unhexlify
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from contacts.models import MemberAction, MemberChange
from contacts.two_factor import enable_two_factor, new_totp_key
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LOGIN, VERIFY = reverse("login"), reverse("two-factor-verify")
ENROL = reverse("contacts:two-factor-enrol")
LEARNERS = reverse("contacts:learner-list")


def current_code(key: str, *, after_step: int = -1) -> str:
    """What the authenticator app shows for ``key``: the current code, or the next step's when the
    current one was used already (a device takes each step's code once)."""
    totp = TOTP(unhexlify(key))
    totp.time = time.time()
    drift = max(0, after_step + 1 - totp.t())
    return f"{TOTP(unhexlify(key), drift=drift).token():06d}"


def next_code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return current_code(device.key, after_step=device.last_t)


def wait_out_throttling(user) -> None:
    """As if the user waited long enough after wrong codes (django-otp makes them wait 1, 2, 4 … s)."""
    long_ago = timezone.now() - timedelta(hours=1)
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user).update(throttling_failure_timestamp=long_ago)


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    key = new_totp_key()
    return enable_two_factor(user=user, key=key, code=current_code(key))


def log_in(client, username, password=PASSWORD, address="198.51.100.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def give_code(client, code, next_page=LEARNERS, address="198.51.100.7"):
    return client.post(VERIFY, {"code": code, "next": next_page}, REMOTE_ADDR=address)


# --- Enrolment ----------------------------------------------------------------------


def test_enrolment_shows_a_qr_code_and_the_secret_and_a_right_code_turns_it_on(admin_client, admin_member):
    page = admin_client.get(ENROL)
    key = admin_client.session["two_factor_new_key"]

    response = admin_client.post(ENROL, {"code": current_code(key)})

    body = page.content.decode()
    assert 'src="data:image/svg+xml' in body
    assert page.context["secret"].replace(" ", "") in body.replace(" ", "")
    assert response.status_code == 302 and response.url.startswith(reverse("contacts:two-factor-backup-codes"))
    device = TOTPDevice.objects.get(user=admin_member.user)
    assert device.confirmed and device.key == key
    assert MemberChange.objects.filter(member=admin_member.user, action=MemberAction.TWO_FACTOR_ON).count() == 1
    assert admin_client.get(reverse("contacts:two-factor")).context["device"] == device


def test_the_qr_code_holds_the_apps_provisioning_uri(admin_client, admin_member):
    from contacts.two_factor import key_in_base32, provisioning_uri

    key = new_totp_key()

    uri = provisioning_uri(key=key, user=admin_member.user)

    assert uri.startswith("otpauth://totp/BouncePortal%3Aalice?")
    assert f"secret={key_in_base32(key).replace(' ', '')}" in uri and "issuer=BouncePortal" in uri


def test_a_wrong_code_at_enrolment_turns_nothing_on_and_keeps_the_same_secret(admin_client, admin_member):
    admin_client.get(ENROL)
    key = admin_client.session["two_factor_new_key"]
    wrong = f"{(int(current_code(key)) + 1) % 1_000_000:06d}"

    response = admin_client.post(ENROL, {"code": wrong})

    assert response.status_code == 200
    assert "not the one your app shows" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=admin_member.user).exists()
    assert admin_client.session["two_factor_new_key"] == key


def test_backup_codes_are_shown_once_after_enrolment(admin_client, admin_member):
    admin_client.get(ENROL)
    admin_client.post(ENROL, {"code": current_code(admin_client.session["two_factor_new_key"])})
    codes_page = reverse("contacts:two-factor-backup-codes")

    first = admin_client.get(codes_page)
    again = admin_client.get(codes_page)

    codes = first.context["codes"]
    assert len(codes) == settings.TWO_FACTOR_BACKUP_CODES == len(set(codes))
    assert all(code in first.content.decode() for code in codes)
    assert again.context["codes"] is None
    assert not any(code in again.content.decode() for code in codes)
    assert "10 unused backup codes left" in again.content.decode()


def test_new_backup_codes_replace_the_old_ones(client, admin_member):
    device, old_codes = enrol(admin_member.user)
    log_in(client, "alice")
    give_code(client, next_code(device))

    client.post(reverse("contacts:two-factor-backup-codes"))
    new_codes = client.get(reverse("contacts:two-factor-backup-codes")).context["codes"]

    stored = set(StaticToken.objects.filter(device__user=admin_member.user).values_list("token", flat=True))
    assert stored == set(new_codes) and not stored & set(old_codes)


def test_new_backup_codes_need_a_verified_session(admin_client, admin_member):
    _device, old_codes = enrol(admin_member.user)  # force_login: password-less, no code given

    admin_client.post(reverse("contacts:two-factor-backup-codes"))

    stored = set(StaticToken.objects.filter(device__user=admin_member.user).values_list("token", flat=True))
    assert stored == set(old_codes)


# --- Login with a code ----------------------------------------------------------------


def test_after_the_password_no_portal_page_answers_until_the_code_is_given(client, admin_member):
    device, _codes = enrol(admin_member.user)

    logged_in = log_in(client, "alice")
    learners = client.get(LEARNERS)
    settings_page = client.get(reverse("contacts:settings"))
    verified = give_code(client, next_code(device))
    after = client.get(LEARNERS)

    assert logged_in.status_code == 302 and client.session["_auth_user_id"] == str(admin_member.user.pk)
    assert learners.status_code == 302 and learners.url == f"{VERIFY}?next=%2Flearners%2F"
    assert settings_page.status_code == 302 and settings_page.url.startswith(VERIFY)
    assert verified.status_code == 302 and verified.url == LEARNERS
    assert after.status_code == 200


def test_a_user_without_two_factor_logs_in_with_the_password_alone(client, admin_member):
    log_in(client, "alice")

    assert client.get(LEARNERS).status_code == 200


def test_a_wrong_code_is_refused_and_counts_as_a_failed_login(client, admin_member):
    device, _codes = enrol(admin_member.user)
    log_in(client, "alice")
    wrong = f"{(int(next_code(device)) + 1) % 1_000_000:06d}"

    response = give_code(client, wrong)

    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert client.get(LEARNERS).status_code == 302
    attempt = AccessAttempt.objects.get(username="alice")
    assert attempt.failures_since_start == 1
    assert wrong not in attempt.post_data  # the code is kept masked, like a password


def test_right_after_a_wrong_code_the_device_makes_you_wait(client, admin_member):
    device, _codes = enrol(admin_member.user)
    log_in(client, "alice")
    give_code(client, "000000" if next_code(device) != "000000" else "111111")

    too_soon = give_code(client, next_code(device))
    wait_out_throttling(admin_member.user)
    later = give_code(client, next_code(device))

    assert too_soon.status_code == 200 and "wait until" in too_soon.content.decode()
    assert later.status_code == 302 and later.url == LEARNERS


def test_wrong_codes_up_to_the_limit_lock_the_account_and_end_the_half_done_login(client, admin_member):
    device, _codes = enrol(admin_member.user)
    log_in(client, "alice")
    wrong = f"{(int(next_code(device)) + 1) % 1_000_000:06d}"

    responses = []
    for _ in range(settings.AXES_FAILURE_LIMIT):
        wait_out_throttling(admin_member.user)
        responses.append(give_code(client, wrong))
    password_again = log_in(client, "alice")

    assert [r.status_code for r in responses[:-1]] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    lockout_page = responses[-1].content.decode()
    assert responses[-1].status_code == 429 and "Too many failed logins" in lockout_page
    assert "wrong passwords or codes" in lockout_page
    assert "_auth_user_id" not in client.session
    assert password_again.status_code == 429


def test_a_backup_code_logs_in_once(client, admin_member):
    _device, codes = enrol(admin_member.user)

    log_in(client, "alice")
    first = give_code(client, codes[0].upper())
    client.post(reverse("logout"))
    log_in(client, "alice")
    second = give_code(client, codes[0])

    assert first.status_code == 302 and first.url == LEARNERS
    assert second.status_code == 200 and client.get(LEARNERS).status_code == 302
    assert StaticToken.objects.filter(device__user=admin_member.user).count() == settings.TWO_FACTOR_BACKUP_CODES - 1


def test_the_code_step_sends_only_to_pages_of_this_site(client, admin_member):
    device, _codes = enrol(admin_member.user)
    log_in(client, "alice")

    response = give_code(client, next_code(device), next_page="https://evil.example/")

    assert response.status_code == 302 and response.url == reverse("portal-home")


# --- Turning it off -----------------------------------------------------------------


def test_turning_it_off_needs_a_right_code_and_is_audited(client, admin_member):
    device, _codes = enrol(admin_member.user)
    log_in(client, "alice")
    give_code(client, next_code(device))
    remove = reverse("contacts:two-factor-remove")

    refused = client.post(remove, {"code": "12345678"})
    kept = TOTPDevice.objects.filter(user=admin_member.user).exists()
    wait_out_throttling(admin_member.user)
    done = client.post(remove, {"code": next_code(device)})

    assert refused.status_code == 200 and kept
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=admin_member.user).exists()
    assert not StaticToken.objects.filter(device__user=admin_member.user).exists()
    assert MemberChange.objects.filter(member=admin_member.user, action=MemberAction.TWO_FACTOR_OFF).exists()
    client.post(reverse("logout"))
    log_in(client, "alice")
    assert client.get(LEARNERS).status_code == 200


# --- The organization's rule for its admins -------------------------------------------


def test_admins_change_the_rule_in_settings_and_the_change_is_audited(admin_client, org, viewer_member):
    page = reverse("contacts:settings-security")

    response = admin_client.post(page, {"require_admin_two_factor": "on"})

    org.refresh_from_db()
    assert response.status_code == 302 and org.require_admin_two_factor
    change = MemberChange.objects.get(organization=org, action=MemberAction.TWO_FACTOR_RULE)
    assert change.detail == {"required": True} and change.actor.username == "alice"


def test_viewers_may_read_the_rule_but_not_change_it(viewer_client, org):
    page = reverse("contacts:settings-security")

    assert viewer_client.get(page).status_code == 200
    assert viewer_client.post(page, {"require_admin_two_factor": "on"}).status_code == 403
    org.refresh_from_db()
    assert not org.require_admin_two_factor


def test_with_the_rule_an_admin_without_a_device_can_reach_only_enrolment(client, org, admin_member, viewer_member):
    org.require_admin_two_factor = True
    org.save()

    log_in(client, "alice")
    blocked = [client.get(path) for path in (LEARNERS, reverse("contacts:settings"), reverse("reports:index"))]
    enrolment = client.get(ENROL)
    client.post(ENROL, {"code": current_code(client.session["two_factor_new_key"])})
    after = client.get(LEARNERS)

    assert all(r.status_code == 302 and r.url.startswith(ENROL) for r in blocked)
    assert enrolment.status_code == 200
    assert after.status_code == 200


def test_the_rule_asks_nothing_of_viewers(client, org, viewer_member):
    org.require_admin_two_factor = True
    org.save()

    log_in(client, "victor")

    assert client.get(LEARNERS).status_code == 200


def test_the_settings_page_names_the_admins_without_two_factor(admin_client, org, admin_member):
    MembershipFactory(organization=org, user__username="bea", role="admin")
    enrol(admin_member.user)

    admins = admin_client.get(reverse("contacts:settings-security")).context["admins_without_two_factor"]

    assert admins == ["bea"]


# --- The Django admin ---------------------------------------------------------------


@pytest.fixture
def staff():
    user = UserFactory(username="sam", is_staff=True, is_superuser=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def test_with_the_requirement_staff_need_a_code_for_the_django_admin(client, staff, settings):
    settings.ADMIN_REQUIRES_TWO_FACTOR = True
    device, _codes = enrol(staff)
    admin_index = reverse("admin:index")

    anonymous = client.get(admin_index, follow=False)
    anonymous_login = client.get(reverse("admin:login") + "?next=/admin/")
    log_in(client, "sam")
    before = client.get(admin_index, follow=True)
    give_code(client, next_code(device), next_page=admin_index)
    after = client.get(admin_index)

    assert anonymous.status_code == 302
    assert anonymous_login.url == f"{LOGIN}?next=%2Fadmin%2F"  # the portal's login, throttled, then the code
    assert before.redirect_chain[-1][0].startswith(VERIFY)
    assert after.status_code == 200


def test_with_the_requirement_staff_without_a_device_are_sent_to_set_one_up(client, staff, settings):
    settings.ADMIN_REQUIRES_TWO_FACTOR = True
    log_in(client, "sam")

    response = client.get(reverse("admin:index"), follow=True)

    assert response.redirect_chain[-1][0].startswith(ENROL)
    assert response.status_code == 200


def test_without_the_requirement_the_admin_takes_the_password_alone(client, staff, settings):
    settings.ADMIN_REQUIRES_TWO_FACTOR = False
    client.post(reverse("admin:login"), {"username": "sam", "password": PASSWORD})

    assert client.get(reverse("admin:index")).status_code == 200


def test_production_requires_two_factor_for_the_admin_and_development_does_not():
    from tests.test_settings_env import PRODUCTION, run_python

    production = run_python("print(s.ADMIN_REQUIRES_TWO_FACTOR)", **PRODUCTION)
    development = run_python("print(s.ADMIN_REQUIRES_TWO_FACTOR)")
    opted_in = run_python("print(s.ADMIN_REQUIRES_TWO_FACTOR)", ADMIN_REQUIRES_TWO_FACTOR="1")

    assert (production.stdout.strip(), development.stdout.strip(), opted_in.stdout.strip()) == ("True", "False", "True")


def test_the_code_step_can_switch_the_language_and_stays_waiting_for_the_code(client, admin_member):
    enrol(admin_member.user)
    log_in(client, "alice")

    switched = client.post(reverse("contacts:language"), {"language": "de", "next": VERIFY})
    page = client.get(VERIFY)

    assert switched.status_code == 302 and switched.url == VERIFY
    assert page.status_code == 200 and 'lang="de"' in page.content.decode()
    assert client.get(LEARNERS).status_code == 302


def test_the_django_admin_never_shows_a_users_secret_key(client, staff, admin_member):
    device, _codes = enrol(admin_member.user)
    client.force_login(staff)

    page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))

    assert page.status_code == 200
    assert device.key not in page.content.decode()
    assert "otpauth://" not in page.content.decode()
