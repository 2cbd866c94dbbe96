"""Shared fixtures: one organization and a second "other" one per test (STYLE rule 12)."""

import pytest

from tests.factories import MembershipFactory, OrganizationFactory


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tasks run in-process unless a test starts a real worker (see tests/campaigns/test_worker_*)."""
    from bounceportal.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: it holds throttle counts (the API's, password-reset mails')."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test ends back in the default language: a request in German leaves German active in the
    thread (LocaleMiddleware activates, nothing deactivates), and the next test would read German."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture
def org(db):
    return OrganizationFactory(name="Acme Training", slug="acme")


@pytest.fixture
def other_org(db):
    return OrganizationFactory(name="Other Org", slug="other")


@pytest.fixture
def admin_member(org):
    return MembershipFactory(organization=org, user__username="alice", role="admin")


@pytest.fixture
def viewer_member(org):
    return MembershipFactory(organization=org, user__username="victor", role="viewer")


@pytest.fixture
def admin_client(client, admin_member):
    """A test client logged in as an admin of ``org``."""
    client.force_login(admin_member.user)
    return client


@pytest.fixture
def root_client(client):
    """A test client logged in as a superuser (the Django admin's lists)."""
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def viewer_client(client, viewer_member):
    client.force_login(viewer_member.user)
    return client


@pytest.fixture
def cx_user(db):
    """A customer-experience staff member: is_staff and in the group made by the data migration."""
    from importlib import import_module

    from django.apps import apps
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    # A transactional test before this one may have flushed the migration's rows: make them again.
    import_module("contacts.migrations.0002_customer_experience_group").create_group(apps, None)
    import_module("contacts.migrations.0008_customer_experience_unlocks_logins").grant(apps, None)
    import_module("contacts.migrations.0003_never_suppress_list").grant_support(apps, None)
    import_module("contacts.migrations.0015_webhooks").grant(apps, None)
    user = UserFactory(username="carol", is_staff=True)
    user.groups.add(Group.objects.get(name="Customer experience"))
    return user


@pytest.fixture
def cx_client(client, cx_user):
    client.force_login(cx_user)
    return client


@pytest.fixture
def tcp_listener():
    """A real TCP listener on 127.0.0.1; yields (port, the peers it accepted): a guard test
    asserts nothing ever connected."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.02)
    accepted: list = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, peer = server.accept()
            except OSError:
                continue
            accepted.append(peer)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    stop.set()
    thread.join()
    server.close()


def pytest_collection_modifyitems(config, items):
    """Skip tests marked ``postgres`` on SQLite and tests marked ``redis`` without REDIS_URL
    (``make test-sqlite``: the demo's SQLite and eager tasks); ``make test`` has both and runs all."""
    from django.conf import settings

    on_sqlite = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
    skips = {
        "postgres": pytest.mark.skip(reason="needs PostgreSQL (make test runs it)") if on_sqlite else None,
        "redis": pytest.mark.skip(reason="needs Redis (make test runs it)") if not settings.REDIS_URL else None,
    }
    for item in items:
        for marker, skip in skips.items():
            if skip is not None and marker in item.keywords:
                item.add_marker(skip)


@pytest.fixture
def mail_sink(settings):
    """aiosmtpd on loopback (tests/smtp_sink.py), with Django's own SMTP email backend pointed at it."""
    from tests.smtp_sink import SmtpSink

    sink = SmtpSink().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield sink
    sink.stop()


@pytest.fixture
def receiver():
    """A real HTTP receiver on loopback for outbound webhooks (tests/webhook_receiver.py)."""
    from tests.webhook_receiver import start_receiver

    receiver, server = start_receiver()
    yield receiver
    server.shutdown()
    server.server_close()
