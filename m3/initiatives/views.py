"""Initiative pages: the list in scope and the create / edit form (one initiative's overview,
with its output against forecast, is a report: `m3/reports/views.py`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from m3.errors import AccessDenied, InputError
from m3.initiatives.forms import InitiativeForm, initiative_form_initial
from m3.initiatives.models import Initiative
from m3.initiatives.selectors import (
    initiative_editable,
    initiative_for_viewer,
    initiatives_visible,
)
from m3.initiatives.services import initiative_save
from m3.org.models import Unit
from m3.org.scope import Scope, request_scope


def initiative_form_scoped(
    form: InitiativeForm, scope: Scope, initiative: Initiative | None
) -> InitiativeForm:
    """Offer only the units the viewer leads and owners inside their scope (or the current one)."""
    if scope.everything:
        return form
    units = form.fields["units"]
    owner = form.fields["owner"]
    assert isinstance(units, ModelMultipleChoiceField) and isinstance(owner, ModelChoiceField)
    assert owner.queryset is not None
    units.queryset = Unit.objects.filter(pk__in=scope.unit_ids)
    owner_ids = set(scope.person_ids) | ({initiative.owner_id} if initiative else set())
    owner.queryset = owner.queryset.filter(pk__in=owner_ids)
    return form


@login_required
def initiative_list(request: HttpRequest) -> HttpResponse:
    """The initiatives in the viewer's scope."""
    scope = request_scope(request)
    initiatives = initiatives_visible(scope, timezone.localdate())
    can_create = scope.may_create_initiatives()
    return render(request, "initiatives/list.html",
                  {"initiatives": initiatives, "can_create": can_create})


@login_required
def initiative_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create an initiative, or edit one the viewer may edit."""
    scope = request_scope(request)
    initiative = initiative_for_viewer(pk, scope, timezone.localdate()) if pk else None
    if not initiative_editable(scope, initiative, set()):
        raise AccessDenied("Only admins, executives and leaders of every unit in an "
                           "initiative's scope can change it.")
    if request.method == "POST":
        form = initiative_form_scoped(InitiativeForm(request.POST), scope, initiative)
        if form.is_valid():
            data = form.to_input()
            if not initiative_editable(scope, initiative, set(data.unit_ids)):
                form.add_error("units", "You can only choose units you lead.")
            else:
                try:
                    saved = initiative_save(data, initiative)
                except InputError as exc:
                    form.add_error(None, exc.message)
                else:
                    return redirect("initiative_detail", pk=saved.pk)
    else:
        form = initiative_form_scoped(
            InitiativeForm(initial=initiative_form_initial(initiative) if initiative else None),
            scope, initiative,
        )
    return render(request, "initiatives/form.html", {"form": form, "initiative": initiative})
