"""Fixtures for the operations endpoints: a port nothing listens on, production-like access."""

import socket

import pytest


@pytest.fixture
def closed_port():
    """A loopback port that refuses connections (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def production_ops(settings):
    """Production's access rule for /readyz and /metrics, with a known bearer token."""
    settings.PRODUCTION = True
    settings.OPS_TOKEN = "t" * 40
    return settings.OPS_TOKEN
