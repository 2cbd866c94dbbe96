"""Prepare a web process for its first request: what Django otherwise does lazily, on a user's time.

A fresh process builds the URL resolver's reverse lookup tables on the first ``reverse()`` (once per
language: the admin alone has hundreds of patterns), reads and compiles each template on its first use
(the cached loader keeps it afterwards), and loads each language's catalogs on its first activation.
Together that was a third to a half of the first page of a fresh process (bench/pages.py, ``cold``).
``warm_up()`` does it at start-up instead; ``bounceportal/wsgi.py`` runs it, so a server worker (gunicorn
imports that module before it accepts a connection) takes its first request warm.

Nothing here reads the database or a cache: what is prepared depends on the code and the settings only.

``freeze_start_up_objects()`` (also run by ``wsgi.py``, after the warm-up) then moves every object the
process holds by then (modules, URL tables, compiled templates and patterns: some 200,000) out of the
collector's reach (``gc.freeze()``): a full collection walked them all, 0.3 s on a million-learner admin
list in one request in fifty (bench/pages.py; 18 ms frozen). They live as long as the process anyway.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse
from django.utils import translation

logger = logging.getLogger(__name__)


def warm_up() -> dict[str, int]:
    """Build the URL tables and load the catalogs for every language, and compile every template.

    Returns what was done ({"languages": …, "templates": …}), and logs it with the time taken.
    """
    started = time.perf_counter()
    languages = [code for code, _name in settings.LANGUAGES]
    for code in languages:
        with translation.override(code):  # the catalogs load on activation
            _populate(get_resolver())
    templates = compile_templates()
    done = {"languages": len(languages), "templates": templates}
    logger.info("warmed up in %.0f ms: %s", (time.perf_counter() - started) * 1000, done)
    return done


def _populate(resolver: URLResolver, namespaces: tuple[str, ...] = ()) -> None:
    """Build ``resolver``'s reverse tables for the active language, and those of every namespace under it.

    ``reverse("admin:…")`` does not read the root's tables: it makes a resolver of its own for the namespace
    and its URL prefix (``django.urls.resolvers.get_ns_resolver``, cached) and builds that one's tables on
    its first use, so the warm-up reverses a name in each namespace (one that matches nothing: building the
    tables is the point).
    """
    _ = resolver.reverse_dict
    for namespace, (_prefix, sub) in resolver.namespace_dict.items():
        path = (*namespaces, namespace)
        try:
            reverse(":".join((*path, "warm-up")))
        except NoReverseMatch:
            pass
        _populate(sub, path)


def template_names(directories) -> Iterator[str]:
    """The name of every template file under ``directories`` (relative to its directory), once each."""
    seen: set[str] = set()
    for directory in directories:
        root = Path(directory)
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            name = path.relative_to(root).as_posix()
            if path.is_file() and path.suffix in (".html", ".txt", ".xml") and name not in seen:
                seen.add(name)
                yield name


def compile_templates() -> int:
    """Load every template the Django template engines can find, as its first render would, and return how many.

    Each engine's (cached) loaders keep the compiled template by name, so a name present in several
    directories resolves to the one the engine would pick. The form renderer (widgets, form layouts) has
    an engine of its own. A file that is not a template for this engine (a syntax error: e.g. one that
    only another engine renders) is skipped.
    """
    from django.forms.renderers import get_default_renderer

    engines_ = [backend.engine for backend in engines.all() if hasattr(backend, "engine")]
    renderer_engine = getattr(get_default_renderer(), "engine", None)
    if renderer_engine is not None and hasattr(renderer_engine, "engine"):
        engines_.append(renderer_engine.engine)
    count = 0
    for engine in engines_:
        directories = [directory for loader in engine.template_loaders for directory in loader.get_dirs()]
        for name in template_names(directories):
            try:
                engine.get_template(name)
            except (TemplateDoesNotExist, TemplateSyntaxError):
                continue
            count += 1
    return count


def freeze_start_up_objects() -> int:
    """Collect once, then exempt every object alive now from later collections (``gc.freeze()``); return how many.

    Objects made afterwards (a request's) are collected as before. A process forked from this one (a
    server's workers) keeps its parent's frozen objects untouched, so their memory pages stay shared.
    """
    gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    logger.info("froze %d start-up objects", frozen)
    return frozen
