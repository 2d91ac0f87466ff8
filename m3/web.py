"""What every page and API answer shares: one way to show M3 errors (a page, or the JSON shape)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from m3.errors import M3Error

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
