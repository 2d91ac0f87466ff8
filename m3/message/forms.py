"""Forms of the message pages: log a touchpoint, restate the message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django import forms

from m3.initiatives.models import Initiative
from m3.message.services import MAX_RESTATEMENT_CHARS, MAX_TOUCHPOINT_CHARS, TouchpointInput
from m3.org.models import Person, Unit
from m3.vocabulary import Channel


class TouchpointForm(forms.Form):
    """A leader logs one delivery of a message to a unit or a person they lead."""

    initiative = forms.TypedChoiceField(coerce=int)
    audience = forms.ChoiceField(help_text="A unit you lead, or one person in it.")
    channel = forms.ChoiceField(choices=Channel.choices)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    content = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}), max_length=MAX_TOUCHPOINT_CHARS,
        help_text="What you said or sent: talk track, notes or the email text. It is scored "
                  "against the initiative's key points when you save.",
    )

    def __init__(self, *args: object, initiatives: Iterable[Initiative], units: Iterable[Unit],
                 people: Iterable[Person], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        initiative = self.fields["initiative"]
        audience = self.fields["audience"]
        assert isinstance(initiative, forms.ChoiceField)
        assert isinstance(audience, forms.ChoiceField)
        initiative.choices = [(i.pk, i.title) for i in initiatives]
        audience.choices = [
            ("Units you lead", [(f"unit:{u.pk}", u.name) for u in units]),
            ("People in them", [(f"person:{p.pk}", p.name) for p in people]),
        ]

    def to_input(self, leader_id: int) -> TouchpointInput:
        """The cleaned form as the service's input."""
        kind, _, pk = self.cleaned_data["audience"].partition(":")
        date: dt.date = self.cleaned_data["date"]
        return TouchpointInput(
            initiative_id=self.cleaned_data["initiative"], leader_id=leader_id,
            channel=self.cleaned_data["channel"], date=date,
            content=self.cleaned_data["content"],
            unit_id=int(pk) if kind == "unit" else None,
            person_id=int(pk) if kind == "person" else None,
        )


class RestatementForm(forms.Form):
    """A rep says the message back in their own words."""

    text = forms.CharField(
        label="In your own words: what are we doing, and why?",
        widget=forms.Textarea(attrs={"rows": 6}), max_length=MAX_RESTATEMENT_CHARS,
        help_text="A few sentences, as you would explain it to a new colleague. Don't copy the "
                  "message: what you remember is what counts.",
    )
