"""The pulse page: a rep answers this week's questions for an initiative."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from m3.errors import AccessDenied, InputError
from m3.initiatives.selectors import initiative_for_viewer
from m3.org.scope import request_person, request_scope
from m3.pulse.forms import PulseForm
from m3.pulse.models import PulseResponse
from m3.pulse.services import PulseAnswers, pulse_answer
from m3.vocabulary import Role
from m3.weeks import week_start


@login_required
def pulse(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer (or change) this week's pulse for initiative `pk`."""
    scope = request_scope(request)
    today = timezone.localdate()
    initiative = initiative_for_viewer(pk, scope, today)
    person = request_person(request)
    if person is None or scope.role is not Role.REP:
        raise AccessDenied("Pulses ask reps how the initiative lands; leaders read them on the "
                           "message health page.")
    week = week_start(today)
    current = {r.question: r for r in PulseResponse.objects.filter(
        initiative=initiative, person=person, week=week)}
    initial: dict[str, object] = {q: r.score for q, r in current.items()}
    initial.update({f"{q}_comment": r.comment for q, r in current.items()})
    form = PulseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            pulse_answer(PulseAnswers(initiative.pk, person.pk, week, form.scores(),
                                      form.comments()))
        except InputError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(f"{request.path}?saved=1")
    return render(request, "pulse/pulse.html", {
        "initiative": initiative, "form": form, "week": week, "answered": bool(current),
        "saved": request.GET.get("saved") is not None,
    })
