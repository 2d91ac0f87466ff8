"""The JSON API (OpenAPI at /api/docs): every page's numbers, scoped like the pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import django_auth

from m3.errors import M3Error


def api_build() -> NinjaAPI:
    """The API with every domain's router and the one JSON error shape."""
    from m3.diagnose.api import router as diagnose_router
    from m3.initiatives.api import router as initiatives_router
    from m3.measure.api import router as metrics_router
    from m3.message.api import router as message_router
    from m3.momentum.api import router as momentum_router
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
    api.add_router("/", momentum_router)
    api.add_router("/", diagnose_router)

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

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        codes = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
                 429: "throttled"}
        message = exc.message
        if message.startswith("Cannot parse request body"):
            message = "The request body is not valid JSON: send a JSON object (see /api/docs)."
        return api.create_response(
            request,
            {"error": {"code": codes.get(exc.status_code, "http_error"), "message": message}},
            status=exc.status_code,
        )

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        first = exc.errors[0] if exc.errors else {}
        loc = [str(p) for p in first.get("loc", [])]
        # Ninja prefixes body fields with "body" (twice for a named body): keep the field path.
        where = ".".join([p for p in loc if p != "body"] or loc)
        return api.create_response(
            request,
            {"error": {"code": "invalid_input",
                       "message": f"{where}: {first.get('msg', 'invalid value')}",
                       "details": exc.errors}},
            status=422,
        )

    return api
