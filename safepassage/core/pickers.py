"""Pick one record by typing part of its name, in any script, instead of typing its code or number.

A picker is a search box with the records found listed under it as radio buttons of the form: choosing one
is choosing the value, so no script is needed to pick. With HTMX the list follows what is typed (the search
URL answers with the options alone); without it, saving the form with only a name typed picks the one record
found, or shows those found to choose from. The app that uses a picker gives it its search, so scoping stays
in that app's selectors.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

Option = tuple[str, str]  # (value, label)
Search = Callable[[str], Sequence[Option]]
Label = Callable[[str], str | None]


class Query(str):
    """What was typed in a picker's search box when no record was chosen."""


def normalise(text: str) -> str:
    """A search text as stored names are compared with it: composed Unicode, single spaces."""
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def _nothing(query: str) -> Sequence[Option]:
    return []


def _no_label(value: str) -> str | None:
    return None


class SearchPicker(forms.Widget):
    """A search box, the records found as radio buttons, and the chosen one kept checked."""

    template_name = "core/widgets/picker.html"

    def __init__(self, *, url: Any = "", attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.url = url
        self.search: Search = _nothing
        self.label_of: Label = _no_label
        self.placeholder: Any = _("Type part of a name")

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        query = ""
        options: list[Option] = []
        selected = ""
        if isinstance(value, Query):
            query = str(value)
            options = list(self.search(normalise(query))) if normalise(query) else []
        elif value not in (None, ""):
            selected = str(value)
            label = self.label_of(selected)
            options = [(selected, label or selected)]
        widget = context["widget"]
        widget.update(
            {
                "url": str(self.url),
                "query": query,
                "options": options,
                "selected": selected,
                "placeholder": self.placeholder,
                "searched": bool(query),
                "none_found": _("Nothing found: try another spelling or part of the name."),
            }
        )
        return context

    def value_from_datadict(self, data: Mapping[str, Any], files: Any, name: str) -> Any:
        chosen = data.get(name)
        if chosen not in (None, ""):
            return chosen
        typed = str(data.get(f"{name}_q") or "")
        return Query(typed) if typed.strip() else ""

    def value_omitted_from_data(self, data: Mapping[str, Any], files: Any, name: str) -> bool:
        return name not in data and f"{name}_q" not in data


class PickField(forms.CharField):
    """The value of one record chosen with a SearchPicker (a code or a number, as text).

    `search(query)` lists (value, label) pairs the user may choose from; `label_of(value)` names a value
    already chosen (None when the user may not use it); `exact(query)` may accept a value typed as such,
    e.g. an area code.
    """

    widget = SearchPicker

    def __init__(
        self,
        *,
        url: Any = "",
        search: Search | None = None,
        label_of: Label | None = None,
        exact: Label | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("widget", SearchPicker(url=url))
        super().__init__(**kwargs)
        self.configure(search=search, label_of=label_of, exact=exact)

    def configure(self, *, search: Search | None, label_of: Label | None, exact: Label | None = None) -> None:
        """Give the picker its search (usually in a form's __init__, with the signed-in user)."""
        self.search = search or _nothing
        self.label_of = label_of or _no_label
        self.exact = exact or _no_label
        widget = self.widget
        if isinstance(widget, SearchPicker):
            widget.search, widget.label_of = self.search, self.label_of

    def clean(self, value: Any) -> Any:
        if isinstance(value, Query):
            return super().clean(self._resolve(value))
        cleaned = super().clean(value)
        if cleaned not in (None, "") and self.label_of(str(cleaned)) is None:
            raise ValidationError(_("Choose one of those found."), code="invalid_choice")
        return cleaned

    def _resolve(self, query: Query) -> str:
        """A name typed without choosing: the one record it names, else say to choose."""
        text = normalise(query)
        exact = self.exact(text)
        if exact:
            return exact
        found = list(self.search(text))
        if len(found) == 1:
            return found[0][0]
        if not found:
            raise ValidationError(
                _("Nothing found for “%(query)s”: try another spelling or part of the name."),
                code="not_found",
                params={"query": text},
            )
        raise ValidationError(
            _("Several match “%(query)s”: choose one of them."), code="ambiguous", params={"query": text}
        )
