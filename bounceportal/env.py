"""Read typed settings from the environment; a malformed value stops start-up.

Each helper raises ``ImproperlyConfigured`` naming the variable, so a typo in a
deployment fails loudly at boot instead of running with a silent default.
"""

import ipaddress
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    """Return the variable's value, or ``default`` when it is unset."""
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    """Return a boolean from 1/0, true/false, yes/no, on/off."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """Return an integer, refusing values below ``minimum``."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated list with blanks dropped."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_networks(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated list of networks (CIDRs such as ``10.1.0.0/16`` or single addresses)."""
    networks = env_list(name, default)
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise ImproperlyConfigured(f"{name} must list networks such as 10.1.0.0/16, got {network!r}") from None
    return networks


def database_from_env(name: str, *, sqlite_path: Path) -> dict:
    """Return a DATABASES['default'] entry: SQLite when unset, else postgres:// or sqlite:///."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(sqlite_path)}
    try:
        url = urlsplit(raw)
        port = url.port
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not a valid URL: {exc}") from None
    if url.scheme in ("postgres", "postgresql", "pgsql"):
        db_name = unquote(url.path.lstrip("/"))
        if not url.hostname or not db_name:
            raise ImproperlyConfigured(f"{name} must look like postgres://user:password@host:5432/dbname, got {raw!r}")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": db_name,
            "USER": unquote(url.username or ""),
            "PASSWORD": unquote(url.password or ""),
            "HOST": url.hostname,
            "PORT": str(port or 5432),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            # PostgreSQL's JIT compiles expensive-looking plans; for the portal's short
            # aggregates the compiling (~100 ms) costs more than it saves. Prepared statements
            # (bounceportal/prepared.py; Django prepares none) keep one plan instead of being
            # planned again on every EXECUTE when their cost depends on an argument.
            # effective_io_concurrency: a bitmap heap scan prefetches that many pages (PostgreSQL's default, 1,
            # reads them one by one; 0 on a server without posix_fadvise, e.g. macOS). DATABASE_IO_CONCURRENCY.
            "OPTIONS": {
                "options": "-c jit=off -c plan_cache_mode=force_generic_plan"
                f" -c effective_io_concurrency={io_concurrency_from_env()}"
            },
        }
    if url.scheme == "sqlite":
        path = raw[len("sqlite:///") :] if raw.startswith("sqlite:///") else ""
        if not path:
            raise ImproperlyConfigured(f"{name} must look like sqlite:///path/to/db.sqlite3, got {raw!r}")
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path}
    raise ImproperlyConfigured(f"{name} must start with postgres:// or sqlite:///, got scheme {url.scheme!r}")


def io_concurrency_from_env() -> int:
    """DATABASE_IO_CONCURRENCY: the pages a PostgreSQL bitmap heap scan prefetches (default 200, for SSDs)."""
    raw = os.environ.get("DATABASE_IO_CONCURRENCY", "").strip() or "200"
    if not raw.isdigit() or int(raw) > 1000:
        raise ImproperlyConfigured(f"DATABASE_IO_CONCURRENCY must be a whole number from 0 to 1000, got {raw!r}")
    return int(raw)


def redis_url_from_env(name: str) -> str:
    """Return a redis:// or rediss:// URL, or '' when unset."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return ""
    try:
        url = urlsplit(raw)
        url.port  # noqa: B018 - parsing the port validates it
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not a valid URL: {exc}") from None
    if url.scheme not in ("redis", "rediss") or not url.hostname:
        raise ImproperlyConfigured(f"{name} must look like redis://host:6379/0, got {raw!r}")
    return raw
