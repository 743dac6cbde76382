"""Forms for people and for the one-screen assessment."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safepassage.core.dates import ce_year
from safepassage.core.forms import DateInput
from safepassage.registry.models import Assessment, Catalogue, GuardianRelation, Indicator, Person


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
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput())
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
    father_name = forms.CharField(
        label=_("Father's name"),
        max_length=150,
        required=False,
        help_text=_("Optional. Helps tell apart two children with the same name."),
    )
    mother_name = forms.CharField(label=_("Mother's name"), max_length=150, required=False)
    notes = forms.CharField(
        label=_("Welfare notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    consent_basis = forms.CharField(
        label=_("Why we keep this record"),
        max_length=200,
        required=False,
        help_text=_("For example: parent agreed at home visit."),
    )

    guardian_consent_by = forms.CharField(
        label=_("For a child: the parent or guardian who agreed"),
        max_length=200,
        required=False,
        help_text=_("Needed for anyone under 18. At 18 they decide for themselves."),
    )
    guardian_relation = forms.ChoiceField(
        label=_("Their relation to the child"),
        choices=[("", "—"), *GuardianRelation.choices],
        required=False,
    )
    guardian_consent_on = forms.DateField(label=_("Date they agreed"), required=False, widget=DateInput())

    def clean_birth_year(self) -> int | None:
        year = self.cleaned_data.get("birth_year")
        return ce_year(year) if year else year  # (a Thai Buddhist-era year: 2568 is 2025)


def score_field_name(code: str) -> str:
    return f"score_{code}"


class AssessmentForm(forms.Form):
    """Every indicator of the active catalogue on one screen, with what 1, 2 and 3 mean beside each."""

    assessed_on = forms.DateField(label=_("Date"), widget=DateInput())
    source = forms.ChoiceField(label=_("How"), choices=(), initial=Assessment.Source.VISIT)

    # How an assessment can be made by hand: system sources (survey imports, re-scoring) never are.
    FIELD_SOURCES = (Assessment.Source.VISIT, Assessment.Source.PHONE)
    CASE_SOURCES = (*FIELD_SOURCES, Assessment.Source.CASE)

    def __init__(
        self,
        *args: Any,
        catalogue: Catalogue,
        levels: str,
        sources: tuple[str, ...] = FIELD_SOURCES,
        last: dict[str, int] | None = None,
        from_record: dict[str, int] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {}).setdefault("assessed_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        labels = dict(Assessment.Source.choices)
        source = self.fields["source"]
        assert isinstance(source, forms.ChoiceField)
        source.choices = [(value, labels[value]) for value in sources]
        # The last visit's answers are shown beside each question, never chosen for the volunteer: one tap
        # must not save last year's answers as today's.
        self.last = last or {}
        # Answers the record gives (age band, sex) are not asked again: shown, and saved from the record.
        self.from_record = from_record or {}
        self.indicators: list[Indicator] = [
            i for i in catalogue.indicators.all() if i.active and i.level in levels
        ]
        for indicator in self.indicators:
            if indicator.code in self.from_record:
                continue
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

    def grouped(self) -> list[tuple[str, list[dict[str, Any]]]]:
        """The questions grouped by domain, in catalogue order: each with its indicator, its field (None
        when the record gives the answer), the record's answer and the last visit's, as texts."""
        groups: dict[str, list[dict[str, Any]]] = {}
        labels = dict(Indicator.Domain.choices)
        for indicator in self.indicators:
            code = indicator.code
            recorded, last = self.from_record.get(code), self.last.get(code)
            groups.setdefault(str(labels.get(indicator.domain, indicator.domain)), []).append(
                {
                    "indicator": indicator,
                    "field": None if recorded is not None else self[score_field_name(code)],
                    "recorded": f"{recorded} · {indicator.rubric_text(recorded)}" if recorded else "",
                    "last": f"{last} · {indicator.rubric_text(last)}" if last else "",
                }
            )
        return list(groups.items())


class ParametersForm(forms.Form):
    """A draft catalogue version's scoring and early-warning rules."""

    medium_from = forms.FloatField(label=_("Medium risk from index"), min_value=0, max_value=100)
    high_above = forms.FloatField(label=_("High risk above index"), min_value=0, max_value=100)
    completeness_threshold = forms.FloatField(
        label=_("Share of questions needed for a risk level"),
        min_value=0,
        max_value=1,
        help_text=_("0.5 means half the questions must be answered."),
    )
    multiple_vulnerability_k = forms.FloatField(
        label=_("Several serious risks: share of answers at 3 (k)"), min_value=0.01, max_value=1
    )
    reassess_months = forms.IntegerField(label=_("Visit again after (months)"), min_value=1, max_value=60)
    index_rise = forms.FloatField(label=_("Alert when the index rises by"), min_value=1, max_value=100)
    band_rise = forms.BooleanField(label=_("Alert when the risk level goes up"), required=False)
    trigger_newly_3 = forms.BooleanField(label=_("Alert when a sudden event reaches 3"), required=False)
    first_assessment_triggers = forms.BooleanField(
        label=_("Also alert on a first assessment"), required=False
    )
    high_not_reassessed_months = forms.IntegerField(
        label=_("Alert when high risk is not re-assessed for (months)"), min_value=1, max_value=60
    )
    acknowledge_hours = forms.IntegerField(
        label=_("Hours to acknowledge an alert"), min_value=1, max_value=720
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("medium_from"), data.get("high_above")
        if low is not None and high is not None and low > high:
            self.add_error("high_above", _("High must start above medium."))
        return data

    @classmethod
    def initial_from(cls, parameters: dict[str, Any]) -> dict[str, Any]:
        """The form's values from stored parameters."""
        bands = parameters.get("bands", {})
        warning = parameters.get("early_warning", {})
        return {
            "medium_from": bands.get("medium_from", 34),
            "high_above": bands.get("high_above", 66),
            "completeness_threshold": parameters.get("completeness_threshold", 0.5),
            "multiple_vulnerability_k": parameters.get("multiple_vulnerability_k", 0.3333),
            "reassess_months": parameters.get("reassess_months", 6),
            **{
                key: warning.get(key, default)
                for key, default in (
                    ("index_rise", 15),
                    ("band_rise", True),
                    ("trigger_newly_3", True),
                    ("first_assessment_triggers", False),
                    ("high_not_reassessed_months", 12),
                    ("acknowledge_hours", 72),
                )
            },
        }

    def parameters(self) -> dict[str, Any]:
        """The stored form of the cleaned values."""
        d = self.cleaned_data
        return {
            "bands": {"medium_from": d["medium_from"], "high_above": d["high_above"]},
            "completeness_threshold": d["completeness_threshold"],
            "multiple_vulnerability_k": d["multiple_vulnerability_k"],
            "reassess_months": d["reassess_months"],
            "early_warning": {
                key: d[key]
                for key in (
                    "index_rise",
                    "band_rise",
                    "trigger_newly_3",
                    "first_assessment_triggers",
                    "high_not_reassessed_months",
                    "acknowledge_hours",
                )
            },
        }


class ResolveForm(forms.Form):
    """What was done about an alert."""

    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))
