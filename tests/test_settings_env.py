"""Settings come from the environment and fail loudly on malformed values."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from bounceportal.env import database_from_env, env_bool, env_int, redis_url_from_env

ROOT = Path(__file__).resolve().parent.parent
# What a production deployment sets at the least (README, "Production").
PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "p3Xq-" * 12,
    "MAILBOX_SECRET_KEY": "k" * 44,
    "ALLOWED_HOSTS": "portal.example",
}


def test_no_database_url_means_sqlite(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)

    assert database_from_env("DATABASE_URL", sqlite_path=tmp_path / "db")["ENGINE"].endswith("sqlite3")


def test_postgres_url_means_postgresql(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://bp:s%40cret@db.internal:6543/portal")

    db = database_from_env("DATABASE_URL", sqlite_path=tmp_path / "db")

    assert (db["ENGINE"], db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "django.db.backends.postgresql",
        "portal",
        "bp",
        "s@cret",
        "db.internal",
        "6543",
    )


@pytest.mark.parametrize(("value", "expected"), [(None, "200"), ("0", "0"), ("32", "32")])
def test_postgres_bitmap_scans_prefetch_database_io_concurrency_pages(monkeypatch, tmp_path, value, expected):
    """200 by default (the cold run details' rare category, campaigns/filters.py); 0 for a server without
    posix_fadvise."""
    monkeypatch.setenv("DATABASE_URL", "postgres://bp@db.internal:5432/portal")
    if value is None:
        monkeypatch.delenv("DATABASE_IO_CONCURRENCY", raising=False)
    else:
        monkeypatch.setenv("DATABASE_IO_CONCURRENCY", value)

    options = database_from_env("DATABASE_URL", sqlite_path=tmp_path / "db")["OPTIONS"]["options"]

    settings = dict(part.strip().split("=") for part in options.split("-c ") if part.strip())
    assert settings["effective_io_concurrency"] == expected


@pytest.mark.parametrize("value", ["-1", "many", "1001"])
def test_a_malformed_database_io_concurrency_names_the_variable(monkeypatch, tmp_path, value):
    monkeypatch.setenv("DATABASE_URL", "postgres://bp@db.internal:5432/portal")
    monkeypatch.setenv("DATABASE_IO_CONCURRENCY", value)

    with pytest.raises(ImproperlyConfigured, match="DATABASE_IO_CONCURRENCY"):
        database_from_env("DATABASE_URL", sqlite_path=tmp_path / "db")


@pytest.mark.parametrize("value", ["mysql://x/y", "postgres://host-only", "postgres://h:notaport/db", "nonsense"])
def test_malformed_database_url_names_the_variable(monkeypatch, tmp_path, value):
    monkeypatch.setenv("DATABASE_URL", value)

    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        database_from_env("DATABASE_URL", sqlite_path=tmp_path / "db")


@pytest.mark.parametrize("value", ["http://redis", "redis://:9/0x"])
def test_malformed_redis_url_names_the_variable(monkeypatch, value):
    monkeypatch.setenv("REDIS_URL", value)

    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        redis_url_from_env("REDIS_URL")


def test_malformed_numbers_and_booleans_name_the_variable(monkeypatch):
    monkeypatch.setenv("SEND_CHUNK_SIZE", "lots")
    monkeypatch.setenv("DEBUG", "maybe")

    with pytest.raises(ImproperlyConfigured, match="SEND_CHUNK_SIZE"):
        env_int("SEND_CHUNK_SIZE", 10)
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env_bool("DEBUG")


def run_python(code: str, **env):
    """Run ``code`` after ``django.setup()`` (the settings as ``s``) in a fresh interpreter with only
    these variables; return the process."""
    clean = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "bounceportal.settings", **env}
    code = f"import django; django.setup(); from django.conf import settings as s; {code}"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True)


def run_settings(**env):
    """Import the settings in a fresh interpreter with only these variables; return the process."""
    return run_python(
        "print(s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.CELERY_TASK_ALWAYS_EAGER, s.PASSWORD_HASHERS[0])",
        **env,
    )


def test_production_refuses_the_default_secret_key():
    result = run_settings(DJANGO_ENV="production", ALLOWED_HOSTS="portal.example")

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("key", ["s3cr3t-" * 7, "x" * 64], ids=["49 characters", "one distinct character"])
def test_production_refuses_a_short_or_uniform_secret_key(key):
    result = run_settings(**{**PRODUCTION, "SECRET_KEY": key})

    assert result.returncode != 0
    assert "SECRET_KEY must be set to a random value of 50+ characters" in result.stderr


def test_the_deploy_check_is_clean_with_the_production_settings():
    clean = {"PATH": os.environ["PATH"], **PRODUCTION}

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_turns_on_secure_cookies_and_hsts():
    result = run_settings(**PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["True", "31536000"]


def test_no_redis_url_runs_tasks_eagerly():
    result = run_settings()

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[2] == "True"


def test_only_the_test_environment_uses_the_fast_password_hasher():
    production = run_settings(**PRODUCTION)
    development, test = run_settings(), run_settings(DJANGO_ENV="test")

    assert production.stdout.split()[3].endswith("PBKDF2PasswordHasher"), production.stderr
    assert development.stdout.split()[3].endswith("PBKDF2PasswordHasher"), development.stderr
    assert test.stdout.split()[3].endswith("MD5PasswordHasher"), test.stderr


def test_malformed_value_stops_start_up_naming_the_variable():
    result = run_settings(DATABASE_URL="postgres://")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "DATABASE_URL" in result.stderr


def test_every_response_carries_a_content_security_policy(client):
    response = client.get("/accounts/login/")

    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_static_files_carry_the_content_security_policy_too(client, settings):
    settings.WHITENOISE_USE_FINDERS = True  # serve from static/ without collectstatic

    response = client.get("/static/css/portal.css")

    assert response.status_code == 200
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
