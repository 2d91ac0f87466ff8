"""The weekly pulse form: the four questions, 1–5, each with an optional comment."""

from __future__ import annotations

from typing import Any

from django import forms

from m3.vocabulary import PulseQuestion

SCALE = [(1, "1 · strongly disagree"), (2, "2"), (3, "3 · neutral"), (4, "4"),
         (5, "5 · strongly agree")]


class PulseForm(forms.Form):
    """One radio row per question; answering is optional per question, comments too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in PulseQuestion:
            self.fields[question.value] = forms.TypedChoiceField(
                label=question.label, choices=SCALE, coerce=int, required=False,
                widget=forms.RadioSelect, empty_value=None,
            )
            self.fields[f"{question.value}_comment"] = forms.CharField(
                label="Comment (optional)", required=False, max_length=2000,
                widget=forms.TextInput(attrs={"placeholder": "Why?"}),
            )

    def clean(self) -> dict[str, Any]:
        """At least one question answered."""
        data = super().clean() or {}
        if not any(data.get(q.value) for q in PulseQuestion):
            raise forms.ValidationError("Answer at least one question.")
        return data

    def scores(self) -> dict[str, int]:
        """The answered questions and their scores."""
        return {q.value: self.cleaned_data[q.value] for q in PulseQuestion
                if self.cleaned_data.get(q.value)}

    def comments(self) -> dict[str, str]:
        """The comments given, by question."""
        return {q.value: self.cleaned_data[f"{q.value}_comment"] for q in PulseQuestion
                if self.cleaned_data.get(f"{q.value}_comment")}

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """(answer, comment) bound fields per question, for the template."""
        return [(self[q.value], self[f"{q.value}_comment"]) for q in PulseQuestion]
