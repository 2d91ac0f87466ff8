"""The JSON API (OpenAPI at /api/docs): every page's numbers, scoped like the pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import django_auth

from m3.errors import M3Error


def api_build() -> NinjaAPI:
    """The API with every domain's router and the one JSON error shape."""
    from m3.initiatives.api import router as initiatives_router
    from m3.measure.api import router as metrics_router
    from m3.message.api import router as message_router
    from m3.org.api import router as org_router
    from m3.pulse.api import router as pulse_router
    from m3.reports.api import router as reports_router

    api = NinjaAPI(title="M3 API", version="1", auth=django_auth,
                   urls_namespace="api")
    api.add_router("/", reports_router)
    api.add_router("/", org_router)
    api.add_router("/initiatives", initiatives_router)
    api.add_router("/", message_router)
    api.add_router("/metrics", metrics_router)
    api.add_router("/", pulse_router)

    @api.exception_handler(M3Error)
    def m3_error(request: HttpRequest, exc: M3Error) -> HttpResponse:
        return api.create_response(
            request, {"error": {"code": exc.code, "message": exc.message}},
            status=exc.http_status,
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request,
            {"error": {"code": "unauthenticated", "message": "Log in first (POST /login/)."}},
            status=401,
        )

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        first = exc.errors[0] if exc.errors else {}
        where = ".".join(str(p) for p in first.get("loc", []))
        return api.create_response(
            request,
            {"error": {"code": "invalid_input",
                       "message": f"{where}: {first.get('msg', 'invalid value')}",
                       "details": exc.errors}},
            status=422,
        )

    return api
