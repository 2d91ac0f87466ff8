"""What every page and API answer shares: the viewer's scope, and one way to show M3 errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from m3.errors import M3Error
from m3.org.models import Person
from m3.org.scope import Scope, scope_for_user


def request_scope(request: HttpRequest) -> Scope:
    """The viewer's scope, computed once per request."""
    cached = getattr(request, "_m3_scope", None)
    if cached is None:
        cached = scope_for_user(request.user)
        request._m3_scope = cached  # type: ignore[attr-defined]
    return cached


def request_person(request: HttpRequest) -> Person | None:
    """The person behind the logged-in user, if any."""
    if not request.user.is_authenticated:
        return None
    return Person.objects.filter(user_id=request.user.pk, active=True).first()


API_PLAIN = {
    400: ("bad_request", "The request could not be read (malformed, or larger than 2.5 MB): "
                         "see /api/docs."),
    404: ("not_found", "No such API route: see /api/docs for the routes."),
    405: ("method_not_allowed", "This route does not take that HTTP method: see /api/docs."),
}


def error_json(error: M3Error) -> JsonResponse:
    """The one JSON error shape: {"error": {"code": …, "message": …}}."""
    return JsonResponse(
        {"error": {"code": error.code, "message": error.message}}, status=error.http_status
    )


class M3ErrorMiddleware:
    """Turn an M3Error raised by a view into a friendly page (or the JSON shape under /api/)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Django (no route) and Ninja (wrong method) answer these outside the API's handlers.
        is_json = response.get("Content-Type", "").startswith("application/json")
        if request.path.startswith("/api/") and response.status_code in API_PLAIN and not is_json:
            code, message = API_PLAIN[response.status_code]
            return JsonResponse({"error": {"code": code, "message": message}},
                                status=response.status_code)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Render M3 errors; leave everything else to Django."""
        if not isinstance(exception, M3Error):
            return None
        if request.path.startswith("/api/"):
            return error_json(exception)
        return render(
            request, "error.html", {"error": exception}, status=exception.http_status
        )


def viewer_context(request: HttpRequest) -> dict[str, Any]:
    """Template context: the viewer's person and scope."""
    if not request.user.is_authenticated:
        return {}
    return {"viewer": request_person(request), "scope": request_scope(request)}
