"""Plain Django forms for the directory's pages; the services do the real checking."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from safepassage.accounts.models import Agency
from safepassage.core.forms import DateInput
from safepassage.network.kinds import expertise_choices
from safepassage.network.languages import LANGUAGES, language_name
from safepassage.network.models import Committee, CommitteeMember, Organisation, Responder


def language_choices(extra: Iterable[str] = ()) -> list[tuple[str, Any]]:
    """The known languages, plus any other codes already recorded (so editing never drops them)."""
    known = {code for code, _name in LANGUAGES}
    return [*LANGUAGES, *((code, language_name(code)) for code in extra if code not in known)]


def split_codes(value: str) -> list[str]:
    """Area codes typed with spaces, commas or new lines between them."""
    return [code for code in re.split(r"[\s,;]+", value or "") if code]


class SearchForm(forms.Form):
    """Who can respond in a village: the filters of the directory search."""

    village = forms.CharField(
        label=_("Village (name or code)"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    language = forms.ChoiceField(label=_("Speaks"), required=False)
    expertise = forms.ChoiceField(
        label=_("Can help with"), required=False, choices=lambda: [("", _("Anything")), *expertise_choices()]
    )
    role_type = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("Any role")), *Responder.RoleType.choices]
    )
    q = forms.CharField(
        label=_("Name or organisation"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("Any language")), *language_choices()]  # type: ignore[attr-defined]


class ResponderForm(forms.Form):
    """A responder's entry in the directory."""

    organisation_id = forms.TypedChoiceField(label=_("Organisation"), coerce=int)
    name = forms.CharField(label=_("Name"), max_length=200)
    role_type = forms.ChoiceField(label=_("Role"), choices=Responder.RoleType.choices)
    title = forms.CharField(label=_("Position or title"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.CharField(label=_("Email"), max_length=254, required=False)
    messaging = forms.CharField(
        label=_("Messaging app"), max_length=100, required=False, help_text=_("For example LINE: somchai.k")
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"), required=False, widget=forms.CheckboxSelectMultiple
    )
    expertise = forms.MultipleChoiceField(
        label=_("Can help with"),
        required=False,
        choices=expertise_choices,
        widget=forms.CheckboxSelectMultiple,
    )
    area_codes = forms.CharField(
        label=_("Areas covered (codes)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Village, subdistrict or district codes, separated by spaces. Empty: responds anywhere."),
    )
    availability = forms.ChoiceField(label=_("Availability"), choices=Responder.Availability.choices)
    available_note = forms.CharField(label=_("Availability note"), max_length=200, required=False)
    username = forms.CharField(
        label=_("SafePassage user name (optional)"),
        max_length=150,
        required=False,
        help_text=_("If this person signs in to SafePassage, alerts about the areas they cover reach them."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(
        self,
        *args: Any,
        organisations: Iterable[Organisation],
        languages: Iterable[str] = (),
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation_id"].choices = [("", "—"), *((o.pk, o.name) for o in organisations)]  # type: ignore[attr-defined]
        self.fields["languages"].choices = language_choices(languages)  # type: ignore[attr-defined]
        if not editing:
            del self.fields["active"]

    def clean_area_codes(self) -> list[str]:
        return split_codes(self.cleaned_data.get("area_codes", ""))


class TrainingForm(forms.Form):
    """A course a responder completed."""

    course = forms.CharField(label=_("Course"), max_length=200)
    provider = forms.CharField(label=_("Given by"), max_length=200, required=False)
    completed_on = forms.DateField(label=_("Completed on"), widget=DateInput())
    expires_on = forms.DateField(label=_("Valid until (optional)"), required=False, widget=DateInput())


class OrganisationForm(forms.Form):
    """An organisation's entry in the directory."""

    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Organisation.Kind.choices)
    member_agency_code = forms.ChoiceField(
        label=_("SafePassage agency"),
        required=False,
        help_text=_("Set when this organisation uses SafePassage: referrals to it reach that agency."),
    )
    country = forms.CharField(label=_("Country code"), max_length=2, initial="TH")
    area_code = forms.CharField(label=_("Area code"), max_length=32, required=False)
    address = forms.CharField(
        label=_("Address"),
        max_length=300,
        required=False,
        help_text=_("A shelter's address is shown only to staff, never to volunteers."),
    )
    phone = forms.CharField(label=_("Public phone"), max_length=40, required=False)
    services = forms.MultipleChoiceField(
        label=_("Services"), required=False, choices=expertise_choices, widget=forms.CheckboxSelectMultiple
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"), required=False, widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(
        self, *args: Any, languages: Iterable[str] = (), editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        agencies = Agency.objects.filter(active=True).order_by("name")
        self.fields["member_agency_code"].choices = [("", "—"), *((a.code, a.name) for a in agencies)]  # type: ignore[attr-defined]
        self.fields["languages"].choices = language_choices(languages)  # type: ignore[attr-defined]
        if not editing:
            del self.fields["active"]


class CommitteeForm(forms.Form):
    """A committee's entry."""

    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Committee.Kind.choices)
    area_code = forms.CharField(label=_("Area code"), max_length=32, required=False)
    meets = forms.CharField(
        label=_("Meets"),
        max_length=200,
        required=False,
        help_text=_("For example: first Monday of the month"),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["active"]


class SeatForm(forms.Form):
    """A responder's seat on a committee."""

    responder_id = forms.TypedChoiceField(label=_("Responder"), coerce=int)
    seat = forms.ChoiceField(
        label=_("Seat"), choices=CommitteeMember.Seat.choices, initial=CommitteeMember.Seat.MEMBER
    )
    since = forms.DateField(label=_("Since (optional)"), required=False, widget=DateInput())

    def __init__(self, *args: Any, responders: Iterable[Responder], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responder_id"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((r.pk, f"{r.name} · {r.organisation.name}") for r in responders),
        ]


class SharingAgreementForm(forms.Form):
    """An agreement with another agency to share case records (recorded and shown, never a key)."""

    partner_code = forms.ChoiceField(label=_("With agency"), choices=())
    title = forms.CharField(label=_("Title"), max_length=300)
    purpose = forms.CharField(label=_("What is shared, and why"), widget=forms.Textarea(attrs={"rows": 3}))
    reference = forms.CharField(label=_("Document reference (optional)"), max_length=100, required=False)
    signed_on = forms.DateField(label=_("Signed on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on (optional)"), required=False, widget=DateInput())

    def __init__(self, *args: Any, agencies: Iterable[Agency] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["partner_code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *[(a.code, a.name) for a in agencies]]
