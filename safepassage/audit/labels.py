"""The audit page in words: a label for each action code and whole, readable values for its changes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.apps import apps
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

VERBS: dict[str, Any] = {
    "create": _("created"),
    "add": _("added"),
    "update": _("changed"),
    "save": _("saved"),
    "record": _("recorded"),
    "view": _("looked at"),
    "list": _("list read"),
    "search": _("searched"),
    "close": _("closed"),
    "cancel": _("cancelled"),
    "delete": _("removed"),
    "revoke": _("revoked"),
    "resolve": _("resolved"),
    "acknowledge": _("acknowledged"),
    "accept": _("accepted"),
    "reject": _("declined"),
    "complete": _("completed"),
    "withdraw": _("withdrawn"),
    "export": _("exported"),
    "download": _("downloaded"),
    "import": _("imported"),
    "apply": _("applied"),
    "load": _("loaded"),
    "merge": _("merged"),
    "undo": _("undone"),
    "link": _("linked"),
    "not_same": _("marked as different people"),
    "escalate": _("escalated"),
    "request": _("requested"),
    "issue": _("issued"),
    "unlock": _("unlocked"),
    "override": _("overridden"),
    "login": _("signed in"),
    "login_failed": _("sign-in failed"),
    "locked": _("locked out"),
    "password_change": _("password changed"),
}

CHANGED = "→"


def _model_label(app_label: str, model_name: str) -> str:
    try:
        model = apps.get_model(app_label, model_name)
    except (LookupError, ValueError):
        return model_name.replace("_", " ")
    return str(model._meta.verbose_name)


def action_label(action: str) -> str:
    """An action code in words: "cases.intake.create" → "Intake report: created"."""
    parts = action.split(".")
    verb = parts[-1]
    said = str(VERBS.get(verb, verb.replace("_", " ")))
    if len(parts) >= 3:
        return f"{capfirst(_model_label(parts[0], parts[1]))}: {said}"
    if len(parts) == 2:
        return f"{capfirst(parts[0].replace('_', ' '))}: {said}"
    return capfirst(said)


def _text(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value) if value else "–"
    return str(value)


def change_rows(changes: Any) -> list[tuple[str, str]]:
    """Each field of an event's changes as (field, whole value); a pair [old, new] reads "old → new"."""
    if not isinstance(changes, Mapping):
        return [("", _text(changes))] if changes else []
    rows = []
    for name, value in changes.items():
        field = str(name).replace("__", " › ").replace("_", " ")
        if isinstance(value, list) and len(value) == 2 and not all(isinstance(v, int) for v in value):
            text = f"{_text(value[0])} {CHANGED} {_text(value[1])}"
        else:
            text = _text(value)
        rows.append((field, text))
    return rows


def record_label(object_type: str) -> str:
    """A record type in words ("cases.case" → "Case"); anything else as it is."""
    if object_type.count(".") != 1:
        return object_type
    return str(capfirst(_model_label(*object_type.split("."))))
