"""Form pieces every app uses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from safepassage.core.dates import ValueProblem, parse_date


class DateInput(forms.DateInput):
    """A date picker whose value is always ISO (2026-12-07), in every language.

    A browser's date input takes only ISO values: a date written the locale's way ("7 ธ.ค. 2569",
    "2026年12月7日") leaves it empty, and a required one then blocks Save. In Thai it comes with a
    Buddhist-era entry of its own (day/month/year, 7/12/2569), for those who count years so: when filled,
    it is what is saved.
    """

    input_type = "date"
    template_name = "core/widgets/date.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")

    @staticmethod
    def buddhist_era() -> bool:
        return (get_language() or "").split("-")[0] == "th"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        if self.buddhist_era():
            widget = context["widget"]
            widget["buddhist_era"] = True
            # (the server checks the date: the browser must not block a save made with the BE entry)
            widget["attrs"].pop("required", None)
            widget["be_label"] = _("Or the date in the Buddhist era (day/month/year)")
        return context

    def value_from_datadict(self, data: Mapping[str, Any], files: Any, name: str) -> Any:
        typed = str(data.get(f"{name}_be") or "").strip()
        if typed:
            try:
                day = parse_date(typed)
            except ValueProblem:
                return typed  # (the field then says it is not a date)
            return day.isoformat() if day else ""
        return super().value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data: Mapping[str, Any], files: Any, name: str) -> bool:
        return name not in data and f"{name}_be" not in data


def flash_error(request: Any, error: ValidationError) -> None:
    """A refused one-button change: say why at the top of the next page (each problem once; a ValidationError
    with or without field names)."""
    groups = error.message_dict.values() if hasattr(error, "error_dict") else [error.messages]
    for group in groups:
        for problem in group:
            messages.error(request, problem)
