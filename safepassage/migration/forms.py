"""Forms for the committee member's phone: register in a few steps, record a check-in, register a child."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from safepassage.core.forms import DateInput
from safepassage.migration.models import Problem, Purpose, Registration, SiteRegistration
from safepassage.migration.services import ORIENTATION
from safepassage.registry.models import Person
from safepassage.workplaces.kinds import sector_choices


def _date(label: Any, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput())


YES_NO = [("", "—"), ("yes", _("Yes")), ("no", _("No"))]


def yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


class ChannelForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    origin_area_code = forms.CharField(label=_("Origin area code"), max_length=32)
    destination_country = forms.CharField(label=_("Destination country (two letters)"), max_length=2)
    destination_area_code = forms.CharField(
        label=_("Destination area code, if in our areas"), max_length=32, required=False
    )
    destination_place = forms.CharField(label=_("Destination place"), max_length=200, required=False)
    checkin_days = forms.CharField(
        label=_("Check-ins (days after arrival)"),
        initial="14, 90, 180",
        help_text=_("Comma-separated, e.g. 14, 90, 180."),
    )
    unreachable_days = forms.IntegerField(
        label=_("Escalate 'cannot reach' after (days)"), min_value=1, initial=14
    )

    def clean_checkin_days(self) -> list[int]:
        try:
            return [
                int(x)
                for x in str(self.cleaned_data["checkin_days"]).replace(";", ",").split(",")
                if x.strip()
            ]
        except ValueError:
            raise forms.ValidationError(_("Give whole numbers of days, e.g. 14, 90, 180.")) from None


class RegistrationForm(forms.Form):
    """One screen in four short steps: who, the trip, how to reach them, consent and orientation."""

    # 1. Who
    given_name = forms.CharField(label=_("Given name"), max_length=150)
    family_name = forms.CharField(label=_("Family name"), max_length=150, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=Person.Sex.choices, initial="unknown")
    birth_year = forms.IntegerField(label=_("Year of birth"), required=False)
    village_code = forms.CharField(label=_("Home village code"), max_length=32)
    completed_compulsory_education = forms.ChoiceField(
        label=_("Finished compulsory school?"), choices=YES_NO, required=False
    )
    # 2. The trip
    purpose = forms.ChoiceField(label=_("Going for"), choices=Purpose.choices)
    sector = forms.ChoiceField(
        label=_("Kind of work"), choices=lambda: [("", "—"), *sector_choices()], required=False
    )
    destination_place = forms.CharField(label=_("Where exactly"), max_length=200, required=False)
    travel_date = _date(_("Travel date"))
    expected_arrival = _date(_("Expected arrival"), required=False)
    recruiter_id = forms.IntegerField(
        label=_("Recruiter number (registered at the office), if any"), required=False
    )
    # 3. How to reach them (private)
    phone = forms.CharField(label=_("Phone (private)"), max_length=40, required=False)
    messaging = forms.CharField(label=_("Messaging app and name (private)"), max_length=100, required=False)
    family_contact = forms.CharField(label=_("Family contact (private)"), max_length=200, required=False)
    document_kind = forms.CharField(label=_("Document they carry"), max_length=60, required=False)
    document_number = forms.CharField(label=_("Its number (private)"), max_length=60, required=False)
    # 4. Consent and orientation
    consent = forms.ChoiceField(label=_("Consent"), choices=[("", "—"), *Registration.Consent.choices])
    orientation = forms.MultipleChoiceField(
        label=_("Talked about before leaving"),
        choices=list(ORIENTATION.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    STEPS = (
        (
            _("Who"),
            (
                "given_name",
                "family_name",
                "sex",
                "birth_year",
                "village_code",
                "completed_compulsory_education",
            ),
        ),
        (
            _("The trip"),
            ("purpose", "sector", "destination_place", "travel_date", "expected_arrival", "recruiter_id"),
        ),
        (
            _("How to reach them"),
            ("phone", "messaging", "family_contact", "document_kind", "document_number"),
        ),
        (_("Consent and orientation"), ("consent", "orientation")),
    )

    def steps(self) -> list[tuple[Any, list[Any]]]:
        return [(title, [self[name] for name in names]) for title, names in self.STEPS]


class CheckInForm(forms.Form):
    done_on = _date(_("Date"))
    reached = forms.ChoiceField(label=_("Reached the person?"), choices=YES_NO[1:])
    how = forms.ChoiceField(
        label=_("How"),
        choices=[
            ("phone", _("Phone")),
            ("message", _("Message")),
            ("visit", _("Visit")),
            ("family", _("Through family")),
        ],
    )
    work_ok = forms.ChoiceField(label=_("Is the work as promised?"), choices=YES_NO, required=False)
    pay_ok = forms.ChoiceField(label=_("Paid in full and on time?"), choices=YES_NO, required=False)
    housing_ok = forms.ChoiceField(label=_("A safe place to stay?"), choices=YES_NO, required=False)
    problems = forms.MultipleChoiceField(
        label=_("Problems"), choices=Problem.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class SiteForm(forms.Form):
    site_kind = forms.ChoiceField(label=_("Kind of site"), choices=SiteRegistration.Site.choices)
    site_name = forms.CharField(label=_("Site"), max_length=200)
    site_area_code = forms.CharField(label=_("Village code of the site"), max_length=32)
    found_on = _date(_("Found on"))
    given_name = forms.CharField(label=_("Child's name (a nickname is fine)"), max_length=150)
    sex = forms.ChoiceField(label=_("Sex"), choices=Person.Sex.choices, initial="unknown")
    birth_year = forms.IntegerField(label=_("Year of birth (about)"), required=False)
    employer = forms.CharField(label=_("Who they work for"), max_length=200, required=False)
    work = forms.CharField(label=_("What work"), max_length=200, required=False)
    origin_country = forms.CharField(label=_("Home country (two letters)"), max_length=2, required=False)
    origin_place = forms.CharField(label=_("Home place"), max_length=200, required=False)
    family_contact = forms.CharField(label=_("Family contact (private)"), max_length=200, required=False)


class TracingForm(forms.Form):
    done_on = _date(_("Date"))
    action = forms.CharField(label=_("What was done"), max_length=300)
    result = forms.CharField(label=_("Result"), max_length=300, required=False)
    tracing = forms.ChoiceField(
        label=_("Tracing now"), choices=[("", "—"), *SiteRegistration.Tracing.choices], required=False
    )


class VacancyForm(forms.Form):
    recruiter_id = forms.ChoiceField(label=_("Registered recruiter"), choices=())
    village_code = forms.CharField(label=_("Village code"), max_length=32)
    posted_on = _date(_("Brought on"))
    title = forms.CharField(label=_("Job"), max_length=200)
    places = forms.IntegerField(label=_("Places"), min_value=1, initial=1)
    wage = forms.CharField(label=_("Wage offered"), max_length=100, required=False)
    fee_charged = forms.BooleanField(label=_("Asks workers for a fee"), required=False)
    min_age = forms.IntegerField(label=_("Minimum age"), min_value=0, initial=18)

    def __init__(self, *args: Any, recruiters: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["recruiter_id"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(r.pk, r.name) for r in recruiters]
