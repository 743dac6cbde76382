"""The "Where to act" page's choices: the level of area and the two periods compared, picked as dates."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from safepassage.core.forms import DateInput
from safepassage.core.periods import check_whole_months, month_end
from safepassage.geo.models import Level
from safepassage.reports.tables import AREA_LOOKUPS

PERIOD_FIELDS = ("first_from", "first_to", "second_from", "second_to")
DAYS_PER_MONTH = 30.44


def default_periods(today: date, months: int) -> tuple[tuple[date, date], tuple[date, date]]:
    """The last re-assessment period up to today, and the one just before it: each person is assessed
    about once in each, so the two show how risk moved."""
    length = timedelta(days=round(months * DAYS_PER_MONTH))
    second = (today - length + timedelta(days=1), today)
    first = (second[0] - length, second[0] - timedelta(days=1))
    return first, second


def _months_back(day: date, months: int) -> date:
    """The first day of the month `months` before `day`'s month."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def default_month_periods(today: date, months: int) -> tuple[tuple[date, date], tuple[date, date]]:
    """The same in whole calendar months, for readers outside the owning agency: the last `months` months
    up to the end of this one, and the `months` before them."""
    second = (_months_back(today, months - 1), month_end(today))
    first = (_months_back(today, 2 * months - 1), second[0] - timedelta(days=1))
    return first, second


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(), required=True)


class PrioritiesForm(forms.Form):
    """Areas at one level, compared between an earlier and a later period. With `whole_months` (a reader
    outside the owning agency's case staff) each period must be whole calendar months."""

    level = forms.ChoiceField(
        label=_("Areas"),
        choices=[(v, label) for v, label in Level.choices if v in AREA_LOOKUPS],
        initial=Level.DISTRICT,
    )
    first_from = _date_field(_("From"))
    first_to = _date_field(_("To"))
    second_from = _date_field(_("From"))
    second_to = _date_field(_("To"))

    def __init__(self, *args: Any, whole_months: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.whole_months = whole_months

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for prefix, message in (
            ("first", _("The earlier period starts after it ends.")),
            ("second", _("The later period starts after it ends.")),
        ):
            start, end = data.get(f"{prefix}_from"), data.get(f"{prefix}_to")
            if self.whole_months and start and end:
                try:
                    check_whole_months(start, end, start_name=f"{prefix}_from", end_name=f"{prefix}_to")
                except ValidationError as error:
                    for name, messages in error.message_dict.items():
                        for text in messages:
                            self.add_error(name, text)
                    continue
            if start and end and start > end:
                self.add_error(f"{prefix}_to", message)
        return data

    def periods(self) -> tuple[tuple[date, date], tuple[date, date]]:
        """The two periods, once the form is valid."""
        data = self.cleaned_data
        return (data["first_from"], data["first_to"]), (data["second_from"], data["second_to"])
