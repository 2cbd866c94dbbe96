"""Fixtures of the campaigns tests: a real SMTP peer (aiosmtpd) the sender talks to."""

import pytest

from tests.smtp_sink import SmtpSink


@pytest.fixture
def smtp_sink(settings):
    """An aiosmtpd server on a free loopback port, with SMTP_* settings pointing at it."""
    sink = SmtpSink().start()
    settings.SMTP_HOST, settings.SMTP_PORT = "127.0.0.1", sink.port
    settings.SMTP_SECURITY, settings.SMTP_USERNAME = "none", ""
    yield sink
    sink.stop()
