"""The errors M3 raises for things a user can fix; each carries one actionable message."""

from __future__ import annotations


class M3Error(Exception):
    """A problem the user can act on; `message` says what happened and what to do."""

    code = "m3_error"
    http_status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(M3Error):
    """A setting is missing or invalid; the message names the `M3_*` key and the fix."""

    code = "config_error"
    http_status = 500


class InputError(M3Error):
    """Input (a file, a form, an API body) is invalid."""

    code = "invalid_input"
    http_status = 400


class AccessDenied(M3Error):
    """The user's role and org scope do not include what was asked for."""

    code = "forbidden"
    http_status = 403


class NotFound(M3Error):
    """The thing asked for does not exist (or is outside the user's scope)."""

    code = "not_found"
    http_status = 404


class FactsBusy(M3Error):
    """The facts store stayed locked by another process for longer than the timeout."""

    code = "facts_busy"
    http_status = 503
