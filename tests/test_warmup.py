"""A warmed-up process (bounceportal/warmup.py, run by bounceportal/wsgi.py) builds no URL table and compiles
no template on its first requests."""

import importlib

import pytest
from django.conf import settings
from django.forms.renderers import get_default_renderer
from django.template import base, engines
from django.urls import clear_url_caches, resolvers, reverse
from django.utils import translation

from bounceportal.warmup import warm_up

URL_NAMES = [
    ("admin:index", []),
    ("admin:campaigns_inboundmessage_changelist", []),
    ("contacts:learner-list", []),
    ("campaigns:run-detail", [1]),
    ("reports:index", []),
    ("ops:healthz", []),
    ("password_reset_complete", []),
]
TEMPLATES = [
    "portal/base.html",
    "contacts/learner_list.html",
    "campaigns/run_detail.html",
    "reports/learner_report.html",
    "includes/table.html",
    "django_tables2/table.html",
    "admin/change_list.html",
]


def _template_engines():
    found = [backend.engine for backend in engines.all() if hasattr(backend, "engine")]
    return [*found, get_default_renderer().engine.engine]


def _cold_process():
    """Forget what earlier tests built, as a new process has it: the URL tables and the compiled templates."""
    clear_url_caches()
    for engine in _template_engines():
        for loader in engine.template_loaders:
            loader.reset()


@pytest.fixture
def url_tables_built(monkeypatch):
    """A list that gets one entry each time a resolver builds its reverse tables."""
    built = []
    populate = resolvers.URLResolver._populate

    def counting(resolver):
        built.append(resolver)
        return populate(resolver)

    monkeypatch.setattr(resolvers.URLResolver, "_populate", counting)
    return built


@pytest.fixture
def templates_compiled(monkeypatch):
    """A list that gets one entry each time a template is compiled."""
    compiled = []
    compile_nodelist = base.Template.compile_nodelist

    def counting(template):
        compiled.append(template.name)
        return compile_nodelist(template)

    monkeypatch.setattr(base.Template, "compile_nodelist", counting)
    return compiled


def _reverse_everything():
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for name, args in URL_NAMES:
                reverse(name, args=args)


def _load_everything():
    engine = engines["django"].engine
    for name in TEMPLATES:
        engine.get_template(name)
    get_default_renderer().get_template("django/forms/widgets/select.html")


def test_a_cold_process_builds_url_tables_and_compiles_templates_on_first_use(url_tables_built, templates_compiled):
    _cold_process()

    _reverse_everything()
    _load_everything()

    assert url_tables_built
    assert "portal/base.html" in templates_compiled and "admin/change_list.html" in templates_compiled


def test_after_the_warm_up_no_reverse_builds_a_url_table_in_any_language(url_tables_built):
    _cold_process()
    warm_up()
    url_tables_built.clear()

    _reverse_everything()

    assert url_tables_built == []


def test_after_the_warm_up_no_template_is_compiled(templates_compiled):
    _cold_process()
    done = warm_up()
    templates_compiled.clear()

    _load_everything()

    assert templates_compiled == []
    assert done["languages"] == len(settings.LANGUAGES) and done["templates"] > len(TEMPLATES)


def test_the_server_entry_point_warms_the_process_up(templates_compiled, url_tables_built):
    _cold_process()
    import bounceportal.wsgi

    importlib.reload(bounceportal.wsgi)
    templates_compiled.clear()
    url_tables_built.clear()

    _load_everything()
    _reverse_everything()

    assert templates_compiled == [] and url_tables_built == []


def test_the_server_entry_point_keeps_its_start_up_objects_out_of_full_collections():
    """After the warm-up the objects alive are frozen (``gc.freeze()``): a full collection, which walked some
    200,000 of them on a request's time, no longer sees them; what a request makes afterwards is collected."""
    import gc

    import bounceportal.wsgi

    gc.unfreeze()
    try:
        importlib.reload(bounceportal.wsgi)
        resolver = resolvers.get_resolver()
        made_after = [object()]

        assert gc.get_freeze_count() > 10_000
        assert not any(obj is resolver for obj in gc.get_objects())
        assert any(obj is made_after for obj in gc.get_objects())
    finally:
        gc.unfreeze()
