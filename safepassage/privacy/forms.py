"""Forms for people's rights: erasure (with a reason and a confirmation), corrections, consent."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from safepassage.core.forms import DateInput
from safepassage.privacy.models import ErasureReason
from safepassage.registry.models import GuardianRelation

ASKED = [(value, label) for value, label in ErasureReason.choices if value != ErasureReason.RETENTION]
WHAT = [
    ("given_name", _("Given name")),
    ("family_name", _("Family name")),
    ("birth_date", _("Date or year of birth")),
    ("sex", _("Sex")),
    ("national_id", _("ID card number")),
    ("village", _("Village")),
    ("father_name", _("Father's name")),
    ("mother_name", _("Mother's name")),
    ("notes", _("Welfare notes")),
    ("case", _("Something in their case")),
    ("registration", _("Their safe-migration registration")),
    ("other", _("Something else")),
]


class EraseForm(forms.Form):
    """Erasing cannot be undone: the reason, and a box to tick that says so."""

    reason = forms.ChoiceField(label=_("Why"), choices=ASKED)
    confirm = forms.BooleanField(
        label=_(
            "I understand: the name, contacts, ID numbers, notes and files about this person are removed "
            "everywhere and cannot be brought back."
        )
    )


class CorrectionForm(forms.Form):
    what = forms.MultipleChoiceField(
        label=_("What the person says is wrong"), choices=WHAT, widget=forms.CheckboxSelectMultiple
    )
    details = forms.CharField(
        label=_("What the person says is right"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ResolveForm(forms.Form):
    corrected = forms.TypedChoiceField(
        label=_("Answer"),
        choices=[("1", _("Corrected")), ("0", _("Not corrected"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("What was done, or why not"), widget=forms.Textarea(attrs={"rows": 2}))


class GuardianForm(forms.Form):
    guardian_consent_by = forms.CharField(label=_("Parent or guardian who agreed"), max_length=200)
    guardian_relation = forms.ChoiceField(
        label=_("Their relation to the child"), choices=GuardianRelation.choices
    )
    guardian_consent_on = forms.DateField(label=_("Date they agreed"), widget=DateInput())
