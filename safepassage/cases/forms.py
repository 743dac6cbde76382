"""Forms for the case pages: short, one purpose each, in words a caseworker uses."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from safepassage.cases import htcds
from safepassage.cases.models import (
    BestInterestsAssessment,
    Case,
    FollowUp,
    IntakeReport,
    JourneyEvent,
    LegalEvent,
    Referral,
    Repatriation,
    Stage,
    SupportService,
)
from safepassage.cases.screening import ACTS, LABOUR_ISSUES, MEANS, PURPOSES
from safepassage.core.forms import DateInput
from safepassage.registry.models import Person


def _date(label: Any, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput())


def _choices(form: forms.Form, name: str, choices: list[tuple[Any, Any]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _multi(label: Any, choices: Any, required: bool = False) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=list(choices), widget=forms.CheckboxSelectMultiple, required=required
    )


def _text(label: Any, rows: int = 2, required: bool = False) -> forms.CharField:
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}), required=required)


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", "—"), *list(choices)]


class IntakeForm(forms.Form):
    channel = forms.ChoiceField(label=_("How it came"), choices=IntakeReport.Channel.choices)
    summary = _text(_("What was reported"), rows=4, required=True)
    area_code = forms.CharField(
        label=_("Village or area code"), max_length=32, required=False, help_text=_("For example 50010101.")
    )
    people_involved = forms.IntegerField(label=_("People concerned"), min_value=1, initial=1)
    child_involved = forms.BooleanField(label=_("A child may be involved"), required=False)
    anonymous = forms.BooleanField(label=_("The reporter wants to stay anonymous"), required=False)
    notifier_name = forms.CharField(label=_("Who reported (kept private)"), max_length=200, required=False)
    notifier_contact = forms.CharField(
        label=_("How to reach them (kept private)"), max_length=200, required=False
    )
    notifier_relation = forms.CharField(
        label=_("Their relation to the people concerned"), max_length=100, required=False
    )
    action_taken = _text(_("Action taken"))


class IntakeCloseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (IntakeReport.Status.CLOSED, _("No further action")),
            (IntakeReport.Status.REFERRED, _("Passed to another service")),
        ],
    )
    action_taken = _text(_("Action taken"), required=True)


class PersonFields(forms.Form):
    """A new person, when the case is not about someone already in the registry."""

    person_id = forms.IntegerField(
        label=_("Registry number of the person, if already registered"), required=False, min_value=1
    )
    given_name = forms.CharField(label=_("Given name"), max_length=150, required=False)
    family_name = forms.CharField(label=_("Family name"), max_length=150, required=False)
    given_name_latin = forms.CharField(label=_("Given name in Latin letters"), max_length=150, required=False)
    family_name_latin = forms.CharField(
        label=_("Family name in Latin letters"), max_length=150, required=False
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Person.Sex.choices, initial="unknown")
    birth_date = _date(_("Date of birth"), required=False)
    birth_year = forms.IntegerField(label=_("Year of birth (if the date is not known)"), required=False)
    village_code = forms.CharField(
        label=_("Village code (where they are now)"), max_length=32, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("person_id") and not data.get("given_name"):
            self.add_error("given_name", _("Give a name (a nickname is fine), or the registry number."))
        return data


class CaseForm(PersonFields):
    opened_on = _date(_("Opened on"))
    nationality = forms.CharField(label=_("Nationality (two letters, e.g. MM)"), max_length=2, required=False)


class CaseEditForm(forms.Form):
    nationality = forms.CharField(label=_("Nationality (two letters, e.g. MM)"), max_length=2, required=False)
    exploitation_types = _multi(_("Type of exploitation"), htcds.Exploitation.choices)
    sex_exploitation_types = _multi(_("Type of sexual exploitation"), htcds.SexExploitation.choices)
    control_methods = _multi(_("Methods of control"), htcds.ControlMethod.choices)
    recruitment_methods = _multi(_("How they were recruited"), htcds.RecruitmentMethod.choices)
    recruitment_apps = _multi(_("Websites and apps used to recruit"), htcds.RecruitmentApp.choices)
    relationship_to_trafficker = forms.ChoiceField(
        label=_("Relationship to the trafficker"), choices=_blank(htcds.Relationship.choices), required=False
    )
    age_when_trafficked = forms.IntegerField(label=_("Age when trafficked"), min_value=0, required=False)
    labour_industry = forms.ChoiceField(
        label=_("Industry (for forced labour)"), choices=_blank(htcds.LabourIndustry.choices), required=False
    )
    address = _text(_("Current address (private)"))
    health = _text(_("Health notes (private)"))
    immigration_status = forms.ChoiceField(
        label=_("Documentation status (private)"),
        choices=_blank(Case.ImmigrationStatus.choices),
        required=False,
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Trafficking status"), choices=htcds.TraffickingStatus.choices)
    decided_by_org = forms.ChoiceField(label=_("Decided by"), choices=htcds.DecisionOrg.choices)
    decided_on = _date(_("Decided on"))


class ScreeningForm(forms.Form):
    screened_on = _date(_("Screened on"))
    age_at_exploitation = forms.IntegerField(
        label=_("Age at the time"),
        min_value=0,
        required=False,
        help_text=_("Leave empty to use the birth date."),
    )
    acts = _multi(_("What was done to them (act)"), ACTS.items())
    means = _multi(_("How (means)"), MEANS.items())
    purposes = _multi(_("For what (exploitation)"), PURPOSES.items())
    labour_issues = _multi(_("Labour-rights problems"), LABOUR_ISSUES.items())
    notes = _text(_("Notes"))


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("What happened"), choices=JourneyEvent.Kind.choices)
    occurred_on = _date(_("When"))
    approximate = forms.BooleanField(label=_("The date is approximate"), required=False)
    area_code = forms.CharField(label=_("Area code (if in our areas)"), max_length=32, required=False)
    country = forms.CharField(label=_("Country (two letters)"), max_length=2, required=False)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    workplace_id = forms.IntegerField(label=_("Workplace number (sin space), if known"), required=False)
    notes = _text(_("Notes"))


class PerpetratorForm(forms.Form):
    roles = _multi(_("Part they played"), htcds.PerpetratorRole.choices, required=True)
    name = forms.CharField(label=_("Name or alias"), max_length=200, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=_blank(Person.Sex.choices), required=False)
    nationality = forms.CharField(label=_("Nationality (two letters)"), max_length=2, required=False)
    relationship = forms.ChoiceField(
        label=_("Relationship to the person"), choices=_blank(htcds.Relationship.choices), required=False
    )
    recruiter_id = forms.IntegerField(label=_("Registered recruiter number, if known"), required=False)
    notes = _text(_("Notes"))


class StepForm(forms.Form):
    stage_code = forms.ChoiceField(label=_("Next stage"), choices=())
    started_on = _date(_("From"))
    notes = _text(_("Notes"))

    def __init__(self, *args: Any, case: Case | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stages = Stage.objects.filter(active=True)
        if case is not None:
            stages = stages.filter(position__gt=case.stage.position)
            choices = [(s.code, s.name()) for s in stages if s.allows(case.track)]
        else:
            choices = [(s.code, s.name()) for s in stages]
        _choices(self, "stage_code", choices)


class LegalForm(forms.Form):
    kind = forms.ChoiceField(label=_("What"), choices=LegalEvent.Kind.choices)
    happened_on = _date(_("Date"))
    authority = forms.CharField(label=_("Court, unit or office"), max_length=200, required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=LegalEvent.Outcome.choices, required=False)
    sentence = forms.CharField(label=_("Sentence"), max_length=200, required=False)
    amount = forms.DecimalField(label=_("Amount (compensation or settlement)"), min_value=0, required=False)
    next_deadline = _date(_("Next deadline"), required=False)
    next_deadline_what = forms.CharField(label=_("What is due then"), max_length=200, required=False)
    notes = _text(_("Notes"))


class DeadlineForm(forms.Form):
    what = forms.CharField(label=_("What is due"), max_length=200)
    due_on = _date(_("Due on"))


class ServiceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Service"), choices=SupportService.Kind.choices)
    provider_id = forms.ChoiceField(label=_("Provider"), choices=(), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=SupportService.Status.choices)
    starts_on = _date(_("Starts on"), required=False)
    ends_on = _date(_("Ends on"), required=False)
    notes = _text(_("Notes"))

    def __init__(self, *args: Any, organisations: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "provider_id", [("", "—"), *[(o.pk, o.name) for o in organisations]])


class ShelterForm(forms.Form):
    shelter_id = forms.ChoiceField(label=_("Shelter"), choices=())
    started_on = _date(_("Arrived on"))
    limit_days = forms.IntegerField(
        label=_("Review after (days)"),
        min_value=1,
        required=False,
        help_text=_("Leave empty for the default: 30 days for a child."),
    )
    notes = _text(_("Notes"))

    def __init__(self, *args: Any, shelters: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "shelter_id", [(o.pk, o.name) for o in shelters])


class BestInterestsForm(forms.Form):
    assessed_on = _date(_("Assessed on"))
    assessor = forms.CharField(label=_("Assessed by (name and organisation)"), max_length=200)
    views = _text(_("What the person wants (their own views)"), rows=3, required=True)
    family_traced = forms.BooleanField(label=_("Family traced and contacted"), required=False)
    home_safe = forms.BooleanField(label=_("Home checked and found safe"), required=False)
    risks = _text(_("Risks found"))
    recommendation = forms.ChoiceField(
        label=_("Recommendation"), choices=BestInterestsAssessment.Recommendation.choices
    )


class RepatriationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Return"), choices=Repatriation.Kind.choices)
    destination_country = forms.CharField(label=_("To country (two letters)"), max_length=2)
    destination_area_code = forms.CharField(label=_("To area code, if known"), max_length=32, required=False)
    agreement_code = forms.ChoiceField(label=_("Under the agreement"), choices=(), required=False)
    receiving_focal_point_id = forms.IntegerField(label=_("Receiving focal point number"), required=False)
    summary_language = forms.CharField(
        label=_("Summary language (e.g. my, lo, km)"), max_length=10, required=False
    )
    translated_summary = _text(_("Summary in that language"), rows=4)
    planned_on = _date(_("Planned for"), required=False)

    def __init__(self, *args: Any, agreements: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "agreement_code", [("", "—"), *[(a.code, a.name) for a in agreements]])


class FollowUpForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=FollowUp.Kind.choices)
    due_on = _date(_("Due on"), required=False)
    done_on = _date(_("Done on"), required=False)
    by = forms.CharField(label=_("By"), max_length=200, required=False)
    wellbeing = forms.ChoiceField(
        label=_("How they are"), choices=_blank(FollowUp.Wellbeing.choices), required=False
    )
    summary = _text(_("Summary"), rows=3)


class ConferenceForm(forms.Form):
    held_on = _date(_("Held on"))
    other_attendees = forms.CharField(label=_("Who came"), max_length=300, required=False)
    learned = _text(_("What was learned from the person"), rows=4)
    decisions = _text(_("Decisions"), rows=3)
    action_what = forms.CharField(label=_("Action"), max_length=300, required=False)
    action_owner = forms.CharField(label=_("Owner of the action"), max_length=200, required=False)
    action_due_on = _date(_("Action due on"), required=False)


class ReferralForm(forms.Form):
    to_organisation_id = forms.ChoiceField(label=_("Refer to"), choices=())
    reason = forms.ChoiceField(label=_("Reason"), choices=htcds.ReferralReason.choices)
    services = _multi(_("Services asked for"), SupportService.Kind.choices)
    details = _text(_("Details (no names: the case carries them)"))
    urgent = forms.BooleanField(label=_("Urgent"), required=False)
    consent = forms.ChoiceField(label=_("Consent"), choices=Referral.Consent.choices)
    consent_on = _date(_("Consent given on"), required=False)
    override_reason = _text(_("Why consent was overridden (coordinators only)"))

    def __init__(self, *args: Any, organisations: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "to_organisation_id", [(o.pk, o.name) for o in organisations])


class NoteForm(forms.Form):
    note = _text(_("Note"))
