"""The "Where to act" page's choices: the level of area and the two periods compared, picked as dates."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from safepassage.core.forms import DateInput
from safepassage.geo.models import Level
from safepassage.reports.selectors import AREA_LOOKUPS

PERIOD_FIELDS = ("first_from", "first_to", "second_from", "second_to")
DAYS_PER_MONTH = 30.44


def default_periods(today: date, months: int) -> tuple[tuple[date, date], tuple[date, date]]:
    """The last re-assessment period up to today, and the one just before it: each person is assessed
    about once in each, so the two show how risk moved."""
    length = timedelta(days=round(months * DAYS_PER_MONTH))
    second = (today - length + timedelta(days=1), today)
    first = (second[0] - length, second[0] - timedelta(days=1))
    return first, second


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(), required=True)


class PrioritiesForm(forms.Form):
    """Areas at one level, compared between an earlier and a later period."""

    level = forms.ChoiceField(
        label=_("Areas"),
        choices=[(v, label) for v, label in Level.choices if v in AREA_LOOKUPS],
        initial=Level.DISTRICT,
    )
    first_from = _date_field(_("From"))
    first_to = _date_field(_("To"))
    second_from = _date_field(_("From"))
    second_to = _date_field(_("To"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for prefix, message in (
            ("first", _("The earlier period starts after it ends.")),
            ("second", _("The later period starts after it ends.")),
        ):
            start, end = data.get(f"{prefix}_from"), data.get(f"{prefix}_to")
            if start and end and start > end:
                self.add_error(f"{prefix}_to", message)
        return data

    def periods(self) -> tuple[tuple[date, date], tuple[date, date]]:
        """The two periods, once the form is valid."""
        data = self.cleaned_data
        return (data["first_from"], data["first_to"]), (data["second_from"], data["second_to"])
