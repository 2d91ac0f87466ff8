"""The initiative form: plain fields a leader can fill in, parsed into an InitiativeInput."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from m3.initiatives.models import Initiative
from m3.initiatives.services import AskInput, CadenceInput, InitiativeInput
from m3.org.models import Person, Unit
from m3.vocabulary import CadenceKind, LeadershipKind, Role

KIND_CHOICES = LeadershipKind.choices


class InitiativeForm(forms.Form):
    """Create or edit an initiative. Key points one per line; asks `behaviour | metric | target`."""

    title = forms.CharField(max_length=200)
    owner = forms.ModelChoiceField(queryset=Person.objects.none())
    units = forms.ModelMultipleChoiceField(queryset=Unit.objects.all(), help_text="Scope.")
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    why = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    how = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    what = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    key_points = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), help_text="3–5 points, one per line."
    )
    asks = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line: behaviour | lever metric | target per rep per week, "
        "e.g. 'Run an ROI demo | demos | 2'.",
    )
    output_metric = forms.CharField(max_length=100, initial="won_revenue")
    forecast = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line: week (a Monday, YYYY-MM-DD), value.",
    )
    deliver_by = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    deliver_kinds = forms.MultipleChoiceField(
        choices=KIND_CHOICES, required=False, initial=["manager"]
    )
    redeliver_every = forms.IntegerField(required=False, min_value=1, max_value=365,
                                         help_text="Days.")
    redeliver_kinds = forms.MultipleChoiceField(
        choices=KIND_CHOICES, required=False, initial=["director"]
    )
    reinforce_every = forms.IntegerField(required=False, min_value=1, max_value=365,
                                         help_text="Days.")
    reinforce_kinds = forms.MultipleChoiceField(
        choices=KIND_CHOICES, required=False, initial=["manager"]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner_field = self.fields["owner"]
        assert isinstance(owner_field, forms.ModelChoiceField)
        owner_field.queryset = Person.objects.exclude(role=Role.REP).filter(active=True)

    def clean_asks(self) -> tuple[AskInput, ...]:
        """Parse `behaviour | metric | target` lines."""
        asks = []
        for number, line in enumerate(self.cleaned_data["asks"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) != 3:
                raise forms.ValidationError(
                    f"Line {number}: write 'behaviour | lever metric | target'."
                )
            try:
                target = float(parts[2])
            except ValueError:
                raise forms.ValidationError(
                    f"Line {number}: the target {parts[2]!r} is not a number."
                ) from None
            asks.append(AskInput(parts[0], parts[1], target))
        return tuple(asks)

    def clean_forecast(self) -> tuple[tuple[dt.date, float], ...]:
        """Parse `YYYY-MM-DD, value` lines."""
        points = []
        for number, line in enumerate(self.cleaned_data["forecast"].splitlines(), start=1):
            if not line.strip():
                continue
            week_text, _, value_text = line.replace(";", ",").partition(",")
            try:
                week = dt.date.fromisoformat(week_text.strip())
                value = float(value_text.strip())
            except ValueError:
                raise forms.ValidationError(
                    f"Line {number}: write 'YYYY-MM-DD, value' (got {line.strip()!r})."
                ) from None
            points.append((week, value))
        return tuple(points)

    def to_input(self) -> InitiativeInput:
        """The validated form as an InitiativeInput."""
        data = self.cleaned_data
        cadence = []
        if data.get("deliver_by"):
            cadence.append(CadenceInput(CadenceKind.DELIVER, tuple(data["deliver_kinds"]),
                                        due=data["deliver_by"]))
        if data.get("redeliver_every"):
            cadence.append(CadenceInput(CadenceKind.REDELIVER, tuple(data["redeliver_kinds"]),
                                        every_days=data["redeliver_every"]))
        if data.get("reinforce_every"):
            cadence.append(CadenceInput(CadenceKind.REINFORCE, tuple(data["reinforce_kinds"]),
                                        every_days=data["reinforce_every"]))
        return InitiativeInput(
            title=data["title"],
            owner_id=data["owner"].pk,
            unit_ids=tuple(u.pk for u in data["units"]),
            start=data["start"],
            end=data["end"],
            why=data["why"],
            how=data["how"],
            what=data["what"],
            key_points=tuple(p.strip() for p in data["key_points"].splitlines() if p.strip()),
            asks=data["asks"],
            output_metric=data["output_metric"],
            forecast=data["forecast"],
            cadence=tuple(cadence),
        )


def initiative_form_initial(initiative: Initiative) -> dict[str, Any]:
    """The form's initial values for editing an existing initiative."""
    initial: dict[str, Any] = {
        "title": initiative.title,
        "owner": initiative.owner_id,
        "units": list(initiative.units.values_list("pk", flat=True)),
        "start": initiative.start,
        "end": initiative.end,
        "why": initiative.why,
        "how": initiative.how,
        "what": initiative.what,
        "key_points": "\n".join(kp.text for kp in initiative.key_points.all()),
        "asks": "\n".join(
            f"{a.behaviour} | {a.lever_metric} | {a.target_per_rep_per_week:g}"
            for a in initiative.asks.all()
        ),
        "output_metric": initiative.output_metric,
        "forecast": "\n".join(f"{f.week.isoformat()}, {f.value:g}"
                              for f in initiative.forecast.all()),
    }
    for step in initiative.cadence.all():
        if step.kind == CadenceKind.DELIVER:
            initial["deliver_by"], initial["deliver_kinds"] = step.due, step.leader_kind_list()
        else:
            initial[f"{step.kind}_every"] = step.every_days
            initial[f"{step.kind}_kinds"] = step.leader_kind_list()
    return initial
