"""The pulse page: a rep answers this week's questions for an initiative."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from m3.errors import InputError
from m3.initiatives.selectors import initiative_for_viewer
from m3.org.scope import request_scope
from m3.pulse.forms import PulseForm
from m3.pulse.selectors import pulse_week_answers
from m3.pulse.services import PulseAnswers, pulse_answer
from m3.weeks import week_start


@login_required
def pulse(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer (or change) this week's pulse for initiative `pk`."""
    scope = request_scope(request)
    today = timezone.localdate()
    initiative = initiative_for_viewer(pk, scope, today)
    person_id = scope.require_pulse_answerer()
    week = week_start(today)
    current = pulse_week_answers(initiative.pk, person_id, week)
    initial: dict[str, object] = {q: r.score for q, r in current.items()}
    initial.update({f"{q}_comment": r.comment for q, r in current.items()})
    form = PulseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            pulse_answer(PulseAnswers(initiative.pk, person_id, week, form.scores(),
                                      form.comments()))
        except InputError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(f"{request.path}?saved=1")
    return render(request, "pulse/pulse.html", {
        "initiative": initiative, "form": form, "week": week, "answered": bool(current),
        "saved": request.GET.get("saved") is not None,
    })
