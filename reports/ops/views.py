"""``/healthz`` (the process answers), ``/readyz`` (its dependencies do) and ``/metrics`` (Prometheus)."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST

from reports.ops.access import may_read_ops
from reports.ops.checks import run_checks
from reports.ops.metrics import render_metrics


def _refused() -> HttpResponse:
    response = JsonResponse({"error": "a bearer token (OPS_TOKEN) or a staff login is required"}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="bounceportal-ops"'
    return response


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """200 while the process serves requests; touches no database, cache or broker."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    """200 when every dependency is usable, else 503; the JSON body names each check and what failed."""
    if not may_read_ops(request):
        return _refused()
    results = run_checks()
    failed = [name for name, check in results.items() if not check.ok]
    body = {
        "status": "fail" if failed else "ok",
        "failed": failed,
        "checks": {name: check.as_dict() for name, check in results.items()},
    }
    return JsonResponse(body, status=503 if failed else 200)


@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    """The Prometheus text exposition (see ops/metrics.py for what is counted and how)."""
    if not may_read_ops(request):
        return _refused()
    return HttpResponse(render_metrics(), content_type=CONTENT_TYPE_LATEST)
