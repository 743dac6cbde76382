"""Forms for people and for the one-screen assessment."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safepassage.registry.models import Assessment, Catalogue, Indicator, Person


class PersonForm(forms.Form):
    """Add or correct a person; names in any script, a Latin spelling helps other agencies find them."""

    given_name = forms.CharField(label=_("Given name"), max_length=150)
    family_name = forms.CharField(label=_("Family name"), max_length=150, required=False)
    given_name_latin = forms.CharField(
        label=_("Given name in Latin letters"),
        max_length=150,
        required=False,
        help_text=_("Optional. Helps match records across agencies."),
    )
    family_name_latin = forms.CharField(
        label=_("Family name in Latin letters"), max_length=150, required=False
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Person.Sex.choices, initial=Person.Sex.UNKNOWN)
    birth_date = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    birth_year = forms.IntegerField(
        label=_("Or year of birth"),
        required=False,
        help_text=_("If the exact date is not known. Buddhist-era years are fine."),
    )
    birth_year_estimated = forms.BooleanField(label=_("The year is a guess"), required=False)
    hometown_code = forms.CharField(
        label=_("Hometown (village code)"),
        max_length=32,
        required=False,
        help_text=_("Where the person comes from, if not this village."),
    )
    national_id = forms.CharField(
        label=_("ID card number"),
        max_length=32,
        required=False,
        help_text=_("Only if the person agrees. A Thai ID has 13 digits."),
    )
    notes = forms.CharField(
        label=_("Welfare notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    consent_basis = forms.CharField(
        label=_("Why we keep this record"),
        max_length=200,
        required=False,
        help_text=_("For example: parent agreed at home visit."),
    )

    def clean_birth_year(self) -> int | None:
        year = self.cleaned_data.get("birth_year")
        if year and year > 2400:  # a Thai Buddhist-era year: 2568 is 2025
            year -= 543
        return year


def score_field_name(code: str) -> str:
    return f"score_{code}"


class AssessmentForm(forms.Form):
    """Every indicator of the active catalogue on one screen, with what 1, 2 and 3 mean beside each."""

    assessed_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    source = forms.ChoiceField(
        label=_("How"), choices=Assessment.Source.choices, initial=Assessment.Source.VISIT
    )

    def __init__(self, *args: Any, catalogue: Catalogue, levels: str, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("assessed_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.indicators: list[Indicator] = [
            i for i in catalogue.indicators.all() if i.active and i.level in levels
        ]
        for indicator in self.indicators:
            choices: list[tuple[str, Any]] = [
                (str(v), f"{v} · {indicator.rubric_text(v)}") for v in range(1, indicator.max_score + 1)
            ]
            choices.append(("", _("Not known")))
            self.fields[score_field_name(indicator.code)] = forms.ChoiceField(
                label=indicator.title,
                choices=choices,
                required=False,
                widget=forms.RadioSelect,
            )

    def scores(self) -> dict[str, Any]:
        """The answered scores by indicator code."""
        result: dict[str, Any] = {}
        for indicator in self.indicators:
            value = self.cleaned_data.get(score_field_name(indicator.code))
            if value:
                result[indicator.code] = int(value)
        return result

    def grouped(self) -> list[tuple[str, list[tuple[Indicator, Any]]]]:
        """The indicator fields grouped by domain, in catalogue order."""
        groups: dict[str, list[tuple[Indicator, Any]]] = {}
        labels = dict(Indicator.Domain.choices)
        for indicator in self.indicators:
            groups.setdefault(str(labels.get(indicator.domain, indicator.domain)), []).append(
                (indicator, self[score_field_name(indicator.code)])
            )
        return list(groups.items())


class ResolveForm(forms.Form):
    """What was done about an alert."""

    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))
