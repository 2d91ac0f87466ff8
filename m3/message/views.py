"""Message pages: health of an initiative's message, a unit's evidence, logging, restating, due."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from m3.errors import AccessDenied, InputError
from m3.initiatives.selectors import initiative_for_viewer, initiatives_visible
from m3.message.due import person_due_list
from m3.message.evidence import unit_message_evidence
from m3.message.forms import RestatementForm, TouchpointForm
from m3.message.models import Restatement, Touchpoint
from m3.message.selectors import initiative_message_health, leader_initiatives
from m3.message.services import RestatementInput, restatement_submit, touchpoint_log
from m3.org.scope import request_person, request_scope


def week_param(request: HttpRequest) -> dt.date | None:
    """The ?week=YYYY-MM-DD parameter (any day of the week), or None for the current week."""
    raw = request.GET.get("week", "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise InputError(
            f"week={raw!r} is not a date; use YYYY-MM-DD (any day of the week)."
        ) from None


@login_required
def message_health(request: HttpRequest, pk: int) -> HttpResponse:
    """The message health of an initiative's teams, its leader x key-point matrix, the findings."""
    scope = request_scope(request)
    today = timezone.localdate()
    initiative = initiative_for_viewer(pk, scope, today)
    scope.require_message_health()
    health = initiative_message_health(initiative, scope, week_param(request), today)
    return render(request, "message/health.html", {"initiative": initiative, "health": health})


@login_required
def message_unit(request: HttpRequest, pk: int, unit_id: int) -> HttpResponse:
    """The evidence behind one team's message health: touchpoints and restatements."""
    scope = request_scope(request)
    today = timezone.localdate()
    initiative = initiative_for_viewer(pk, scope, today)
    scope.require_message_health()
    evidence = unit_message_evidence(initiative, unit_id, scope, week_param(request), today)
    return render(request, "message/unit.html", {"initiative": initiative, "ev": evidence})


@login_required
def restate(request: HttpRequest, pk: int) -> HttpResponse:
    """A rep restates the message in their own words and sees which key points came across."""
    scope = request_scope(request)
    today = timezone.localdate()
    initiative = initiative_for_viewer(pk, scope, today)
    person_id = scope.require_restater()
    form = RestatementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = restatement_submit(RestatementInput(
                initiative.pk, person_id, today, form.cleaned_data["text"]), today)
        except InputError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(f"{request.path}?saved={saved.restatement.pk}")
    latest = (Restatement.objects.filter(initiative=initiative, person_id=person_id)
              .order_by("-date", "-pk").first())
    return render(request, "message/restate.html", {
        "initiative": initiative, "form": form, "latest": latest,
        "saved": request.GET.get("saved") is not None,
    })


@login_required
def touchpoint_new(request: HttpRequest) -> HttpResponse:
    """A leader logs a touchpoint and sees how consistently it carried the message."""
    scope = request_scope(request)
    today = timezone.localdate()
    person_id = scope.require_touchpoint_logging()
    initiatives, units, people = leader_initiatives(scope, today)
    form = TouchpointForm(request.POST or None, initiatives=initiatives, units=units,
                          people=people, initial={"date": today, "channel": "meeting"})
    if request.method == "POST" and form.is_valid():
        try:
            logged = touchpoint_log(form.to_input(person_id), today)
        except (InputError, AccessDenied) as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(f"{request.path}?saved={logged.touchpoint.pk}")
    saved = None
    if request.GET.get("saved", "").isdigit():
        saved = (Touchpoint.objects.filter(pk=int(request.GET["saved"]), leader_id=person_id)
                 .select_related("score", "initiative", "unit", "person").first())
    return render(request, "message/touchpoint_new.html", {"form": form, "saved": saved})


@login_required
def message_due(request: HttpRequest) -> HttpResponse:
    """The viewer's due list: units overdue for deliver, redeliver or reinforce, by how much."""
    scope = request_scope(request)
    today = timezone.localdate()
    rows = person_due_list(request_person(request), initiatives_visible(scope, today), today)
    return render(request, "message/due.html", {"rows": rows, "today": today})
