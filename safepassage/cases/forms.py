"""Forms for the case pages: short, one purpose each, in words a caseworker uses."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safepassage.accounts.profiles import CONSENT_PARTS, PART_LABELS
from safepassage.cases import htcds, selectors
from safepassage.cases.models import (
    BestInterestsAssessment,
    Case,
    FollowUp,
    IntakeReport,
    JourneyEvent,
    LegalEvent,
    Referral,
    ReferralPurpose,
    Repatriation,
    Stage,
    SupportService,
    Track,
    Urgency,
)
from safepassage.cases.screening import ACTS, LABOUR_ISSUES, MEANS, PURPOSES
from safepassage.core.countries import country_choices, country_name
from safepassage.core.forms import DateInput
from safepassage.core.pickers import PickField
from safepassage.registry.models import Person


def _date(label: Any, required: bool = True, today: bool = False) -> forms.DateField:
    """An ISO date field; `today` fills in today's date (things recorded as they happen)."""
    initial = timezone.localdate if today else None
    return forms.DateField(label=label, required=required, widget=DateInput(), initial=initial)


def _now_time() -> str:
    return timezone.localtime().strftime("%H:%M")


def _country(label: Any, required: bool = False) -> forms.ChoiceField:
    """A country chosen from the list (ISO 3166 codes, names in the reader's language)."""
    return forms.ChoiceField(label=label, choices=country_choices, required=required)


PICKER_KINDS = ("village", "area", "person", "workplace", "recruiter")


def _pick(kind: str, label: Any, help_text: Any = "", required: bool = False) -> PickField:
    field = PickField(
        url=reverse_lazy("cases:pick", args=[kind]), label=label, help_text=help_text, required=required
    )
    field.picker_kind = kind  # type: ignore[attr-defined]
    return field


def _configure(form: forms.Form, user: Any) -> None:
    """Give the form's pickers their searches, scoped to the signed-in user."""
    for field in form.fields.values():
        if isinstance(field, PickField):
            search, label_of, exact = pickers(user, field.picker_kind)  # type: ignore[attr-defined]
            field.configure(search=search, label_of=label_of, exact=exact)


def pickers(user: Any, kind: str) -> tuple[Any, Any, Any]:
    """(search, label_of, exact) for one kind of picker and one user."""
    if kind in ("village", "area"):
        villages = kind == "village"
        return (
            lambda q: selectors.area_options(user, q, villages_only=villages),
            lambda code: selectors.area_named(user, code, villages_only=villages),
            lambda q: q if selectors.area_named(user, q, villages_only=villages) else None,
        )
    if kind == "person":

        def people(query: str) -> list[tuple[str, str]]:
            from safepassage.cases.services import people_found

            found = selectors.person_options(user, query)
            people_found(actor=user, ids=[int(value) for value, _label in found], via="case form")
            return found

        return people, lambda pk: selectors.person_named(user, pk), None
    if kind == "workplace":
        return (
            lambda q: selectors.workplace_options(user, q),
            lambda pk: selectors.workplace_named(user, pk),
            None,
        )
    if kind == "recruiter":
        return (
            lambda q: selectors.recruiter_options(user, q),
            lambda pk: selectors.recruiter_named(user, pk),
            None,
        )
    raise ValueError(kind)


def organisation_choices(organisations: Any) -> list[tuple[Any, Any]]:
    """Organisations grouped: those on SafePassage (a referral reaches them here), then the others."""
    members = [(o.pk, _label_org(o)) for o in organisations if o.member_agency_id]
    others = [(o.pk, _label_org(o)) for o in organisations if not o.member_agency_id]
    groups: list[tuple[Any, Any]] = []
    if members:
        groups.append((_("On SafePassage: they receive it here"), members))
    if others:
        groups.append((_("Directory only: contact them yourself"), others))
    return groups


def _label_org(organisation: Any) -> str:
    agency = organisation.member_agency if organisation.member_agency_id else None
    profile = agency.get_profile_display() if agency is not None else organisation.get_profile_display()
    label = f"{organisation.name} · {organisation.get_kind_display()}"
    return f"{label} · {profile}" if profile else label


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


class PickerForm(forms.Form):
    """A form with pickers: built with the signed-in user, whose scope the pickers search in."""

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _configure(self, user)


class IntakeForm(PickerForm):
    channel = forms.ChoiceField(label=_("How it came"), choices=IntakeReport.Channel.choices)
    received_on = _date(_("Received on"), required=False, today=True)
    received_time = forms.TimeField(
        label=_("At (time)"),
        required=False,
        initial=_now_time,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    urgency = forms.ChoiceField(
        label=_("How urgent"),
        choices=Urgency.choices,
        initial=Urgency.NORMAL,
        required=False,
        widget=forms.RadioSelect,
    )
    summary = _text(_("What was reported"), rows=4, required=True)
    area_code = _pick(
        "area", _("Where (village or area)"), _("Type part of the name, in any language, or the code.")
    )
    workplace_id = _pick("workplace", _("Workplace (sin space)"), _("Type part of its name."))
    workplace_name = forms.CharField(
        label=_("Workplace, if it is not in the list"),
        max_length=200,
        required=False,
        help_text=_("Its name and where it is."),
    )
    people_involved = forms.IntegerField(label=_("People concerned"), min_value=1, initial=1)
    child_involved = forms.BooleanField(label=_("A child may be involved"), required=False)
    suspected_exploitation = _multi(_("What is suspected"), htcds.Exploitation.choices)
    referred_to_id = forms.ChoiceField(label=_("Who should take it"), choices=(), required=False)
    anonymous = forms.BooleanField(label=_("The reporter wants to stay anonymous"), required=False)
    notifier_name = forms.CharField(label=_("Who reported (kept private)"), max_length=200, required=False)
    notifier_contact = forms.CharField(
        label=_("How to reach them (kept private)"), max_length=200, required=False
    )
    notifier_relation = forms.CharField(
        label=_("Their relation to the people concerned"), max_length=100, required=False
    )
    action_taken = _text(_("Action taken"))

    def __init__(self, *args: Any, organisations: Any = (), staff: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "referred_to_id", [("", "—"), *organisation_choices(organisations)])
        if not staff:
            # Sin-space records are staff work: a volunteer names the workplace in words.
            del self.fields["workplace_id"]

    def received_at(self) -> Any:
        """When the report came in, as a moment in the local time zone (None: now)."""
        from datetime import datetime, time

        day = self.cleaned_data.get("received_on")
        if day is None:
            return None
        at = self.cleaned_data.get("received_time") or time(0, 0)
        return timezone.make_aware(datetime.combine(day, at))


class IntakeCloseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (IntakeReport.Status.CLOSED, _("No further action")),
            (IntakeReport.Status.REFERRED, _("Passed to another service")),
        ],
    )
    referred_to_id = forms.ChoiceField(label=_("Passed to"), choices=(), required=False)
    action_taken = _text(_("Action taken"), required=True)

    def __init__(self, *args: Any, organisations: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "referred_to_id", [("", "—"), *organisation_choices(organisations)])


class PersonFields(PickerForm):
    """Who the case is about: someone already in the registry (found by name), or a new person."""

    person_id = _pick(
        "person",
        _("The person, if already registered"),
        _("Type part of their name, in any script. Leave empty to add a new person below."),
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
    village_code = _pick(
        "village",
        _("Village where they are now (or came from)"),
        _("Type part of the village's name, in any language, or its code."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("person_id") and not data.get("given_name") and "person_id" not in self.errors:
            self.add_error("given_name", _("Give a name (a nickname is fine), or find the person above."))
        return data


class CaseForm(PersonFields):
    opened_on = _date(_("Opened on"), today=True)
    urgency = forms.ChoiceField(
        label=_("How urgent"),
        choices=Urgency.choices,
        initial=Urgency.NORMAL,
        required=False,
        widget=forms.RadioSelect,
    )
    nationality = _country(_("Nationality"))


class CaseEditForm(forms.Form):
    urgency = forms.ChoiceField(label=_("How urgent"), choices=Urgency.choices)
    nationality = _country(_("Nationality"))
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


class AssignForm(forms.Form):
    caseworker_id = forms.ChoiceField(
        label=_("Caseworker"),
        choices=(),
        required=False,
        help_text=_("The case goes on their list of cases, and its alerts reach them."),
    )

    def __init__(self, *args: Any, staff: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = [(u.pk, u.get_full_name() or u.get_username()) for u in staff]
        _choices(self, "caseworker_id", [("", _("No one")), *people])


class CaseNoteForm(forms.Form):
    text = _text(_("Note"), rows=5, required=True)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Trafficking status"), choices=htcds.TraffickingStatus.choices)
    decided_by_org = forms.ChoiceField(label=_("Decided by"), choices=htcds.DecisionOrg.choices)
    decided_on = _date(_("Decided on"), today=True)


class TrackForm(forms.Form):
    track = forms.ChoiceField(
        label=_("Track"), choices=[(t.value, t.label) for t in (Track.TRAFFICKING, Track.LABOUR)]
    )
    reason = forms.CharField(
        label=_("Why"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Screening suggests a track; say why this case takes another. Both stay on the case."),
    )


class ScreeningForm(forms.Form):
    screened_on = _date(_("Screened on"), today=True)
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


class EventForm(PickerForm):
    kind = forms.ChoiceField(label=_("What happened"), choices=JourneyEvent.Kind.choices)
    occurred_on = _date(_("When"))
    approximate = forms.BooleanField(label=_("The date is approximate"), required=False)
    area_code = _pick("area", _("Where (if in our areas)"), _("Type part of the name, in any language."))
    country = _country(_("Country"))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    workplace_id = _pick("workplace", _("Workplace (sin space), if known"), _("Type part of its name."))
    notes = _text(_("Notes"))


class PerpetratorForm(PickerForm):
    roles = _multi(_("Part they played"), htcds.PerpetratorRole.choices, required=True)
    name = forms.CharField(label=_("Name or alias"), max_length=200, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=_blank(Person.Sex.choices), required=False)
    nationality = _country(_("Nationality"))
    relationship = forms.ChoiceField(
        label=_("Relationship to the person"), choices=_blank(htcds.Relationship.choices), required=False
    )
    recruiter_id = _pick("recruiter", _("Registered recruiter, if known"), _("Type part of the name."))
    notes = _text(_("Notes"))


class StepForm(forms.Form):
    stage_code = forms.ChoiceField(label=_("Next stage"), choices=())
    started_on = _date(_("From"), today=True)
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
    assessed_on = _date(_("Assessed on"), today=True)
    assessor = forms.CharField(label=_("Assessed by (name and organisation)"), max_length=200)
    views = _text(_("What the person wants (their own views)"), rows=3, required=True)
    family_traced = forms.BooleanField(label=_("Family traced and contacted"), required=False)
    home_safe = forms.BooleanField(label=_("Home checked and found safe"), required=False)
    risks = _text(_("Risks found"))
    recommendation = forms.ChoiceField(
        label=_("Recommendation"), choices=BestInterestsAssessment.Recommendation.choices
    )


class RepatriationForm(PickerForm):
    kind = forms.ChoiceField(label=_("Return"), choices=Repatriation.Kind.choices)
    destination_country = _country(_("To country"), required=True)
    destination_area_code = _pick("area", _("To which area, if known"), _("Type part of the name."))
    agreement_code = forms.ChoiceField(label=_("Under the agreement"), choices=(), required=False)
    receiving_focal_point_id = forms.ChoiceField(label=_("Receiving focal point"), choices=(), required=False)
    summary_language = forms.ChoiceField(
        label=_("Language of the summary"),
        choices=lambda: [("", "—"), *settings.LANGUAGES],
        required=False,
    )
    translated_summary = _text(_("Summary in that language"), rows=4)
    planned_on = _date(_("Planned for"), required=False)

    def __init__(self, *args: Any, agreements: Any = (), focal_points: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "agreement_code", [("", "—"), *[(a.code, a.name) for a in agreements]])
        people = [(f.responder_id, f"{country_name(f.country)} · {f.responder.name}") for f in focal_points]
        _choices(self, "receiving_focal_point_id", [("", "—"), *people])


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
    held_on = _date(_("Held on"), today=True)
    other_attendees = forms.CharField(label=_("Who came"), max_length=300, required=False)
    learned = _text(_("What was learned from the person"), rows=4)
    decisions = _text(_("Decisions"), rows=3)
    action_what = forms.CharField(label=_("Action"), max_length=300, required=False)
    action_owner = forms.CharField(label=_("Owner of the action"), max_length=200, required=False)
    action_due_on = _date(_("Action due on"), required=False)


class ReferralForm(forms.Form):
    to_organisation_id = forms.ChoiceField(
        label=_("Refer to"),
        choices=(),
        help_text=_(
            "Organisations on SafePassage receive the referral here and, once they accept, read the case. "
            "Directory-only ones see nothing here: contact them yourself."
        ),
    )
    purpose = forms.ChoiceField(label=_("Reason"), choices=_blank(ReferralPurpose.choices))
    services = _multi(_("Services asked for"), SupportService.Kind.choices)
    details = _text(_("Details (no names: the case carries them)"))
    urgent = forms.BooleanField(label=_("Urgent"), required=False)
    consent = forms.ChoiceField(
        label=_("Consent"), choices=Referral.Consent.choices, initial=Referral.Consent.PERSON
    )
    consent_on = _date(_("Consent given on"), required=False, today=True)
    consent_names_agency = forms.BooleanField(
        label=_("The person (or guardian) agreed to this agency by name"),
        required=False,
        help_text=_("Needed for the police, immigration and prosecutors."),
    )
    consent_covers = _multi(
        _("They also agreed that this agency may read"),
        [(code, PART_LABELS[code]) for code in CONSENT_PARTS],
    )
    override_reason = _text(_("Why consent was overridden (coordinators only)"))

    def __init__(self, *args: Any, organisations: Any = (), previews: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "to_organisation_id", [("", "—"), *organisation_choices(organisations)])
        # (what each would read, and the agreements with it, shown beside the form: cases/form.html)
        self.previews = list(previews)

    def clean_purpose(self) -> str:
        purpose = self.cleaned_data.get("purpose") or ""
        if not purpose:
            raise forms.ValidationError(_("Choose the reason for the referral."))
        return purpose


class NoteForm(forms.Form):
    note = _text(_("Note"))
