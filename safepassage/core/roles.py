"""The roles a member of an agency can hold, and the actions scoping understands."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a person does for their agency; decides what they may see and change."""

    ADMIN = "admin", _("Administrator")
    COORDINATOR = "coordinator", _("Coordinator")
    CASEWORKER = "caseworker", _("Caseworker")
    VOLUNTEER = "volunteer", _("Village volunteer")
    ANALYST = "analyst", _("Analyst")
    PARTNER = "partner", _("Partner viewer")


class Action(models.TextChoices):
    """What a user wants to do with a record."""

    VIEW = "view", _("view")
    CHANGE = "change", _("change")
    DELETE = "delete", _("delete")


# Who may do what with an agency's personal records by default. Analysts work on aggregates only and
# partners see only what is explicitly shared with them, so neither appears here. Volunteers are further
# limited to the villages they cover. Models can narrow or widen this with their own ROLE_ACTIONS.
DEFAULT_ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({Action.VIEW, Action.CHANGE, Action.DELETE}),
    Role.COORDINATOR: frozenset({Action.VIEW, Action.CHANGE, Action.DELETE}),
    Role.CASEWORKER: frozenset({Action.VIEW, Action.CHANGE}),
    Role.VOLUNTEER: frozenset({Action.VIEW, Action.CHANGE}),
    Role.ANALYST: frozenset(),
    Role.PARTNER: frozenset(),
}
