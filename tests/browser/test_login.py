"""Smoke test of the browser set-up: an organization admin logs in and sees the learners."""

import pytest

from tests.factories import LearnerFactory

pytestmark = [pytest.mark.browser, pytest.mark.demo_smoke, pytest.mark.django_db(transaction=True)]


def test_admin_logs_in_and_sees_learner_list(page, live_server, log_in, admin_member, screenshot):
    LearnerFactory(organization=admin_member.organization, email="ada@school.example")

    log_in(page, "alice")

    assert page.url.endswith("/learners/")
    assert page.locator("text=ada@school.example").count() == 1
    screenshot(page, "learner-list")
