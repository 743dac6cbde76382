"""The public help page's data (R-086, R-032): hotlines and minimum wages the coordination centre keeps and
checks, and the one thing the page records about its readers, a count per day and language.

Who keeps it: system administrators, and coordinators of a government agency that does not enforce (the
coordination centre and its district offices). Every change and every check is audited."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.accounts.models import Agency, User
from safepassage.accounts.profiles import enforcement_codes
from safepassage.audit.services import audit_record, diff
from safepassage.core.access import viewer_for
from safepassage.core.roles import Role
from safepassage.network.models import HelpPageCount, Hotline, MinimumWage

# The page's languages, in the order the language links show them (the interface's seven).
HELP_LANGUAGES = ("en", "th", "lo", "km", "my", "vi", "zh-hans")


def may_keep(actor: User | None) -> bool:
    """System administrators, and coordinators of a government agency that does not enforce."""
    if actor is None:
        return True
    if actor.is_superuser and actor.is_active:
        return True
    agencies = [g.agency_id for g in viewer_for(actor).grants if g.role == Role.COORDINATOR]
    return (
        Agency.objects.filter(pk__in=agencies, kind=Agency.Kind.GOVERNMENT, active=True)
        .exclude(profile__in=enforcement_codes())
        .exists()
    )


def require_keeper(actor: User | None) -> None:
    if not may_keep(actor):
        raise PermissionDenied(_("Only the coordination centre can change the hotlines and minimum wages."))


# ------------------------------------------------------------------------------------------------- checks


@transaction.atomic
def hotline_check(*, actor: User | None, hotline: Hotline, note: str = "", on: date | None = None) -> Hotline:
    """Say that someone called the number (or read the agency's own notice) and it is right."""
    require_keeper(actor)
    note = note.strip()
    if len(note) > 300:
        raise ValidationError({"note": _("Keep this under %(n)d characters.") % {"n": 301}})
    hotline.checked_on = on or timezone.localdate()
    hotline.checked_by = actor
    hotline.check_note = note
    hotline.save(update_fields=["checked_on", "checked_by", "check_note", "updated_at"])
    audit_record(
        actor=actor,
        action="network.hotline.check",
        obj=hotline,
        changes={"checked_on": hotline.checked_on, "note": note},
        plain=("note",),
    )
    return hotline


@transaction.atomic
def wage_check(*, actor: User | None, wage: MinimumWage, on: date | None = None) -> MinimumWage:
    """Say that the figure was compared with the current announcement and is right."""
    require_keeper(actor)
    wage.checked_on = on or timezone.localdate()
    wage.checked_by = actor
    wage.save(update_fields=["checked_on", "checked_by", "updated_at"])
    audit_record(
        actor=actor, action="network.minimumwage.check", obj=wage, changes={"checked_on": wage.checked_on}
    )
    return wage


# ------------------------------------------------------------------------------------------ minimum wages

WAGE_FIELDS = ("country", "area", "amount", "currency", "per", "effective_on", "source", "active")
Errors = dict[str, list[str]]


def _clean_wage(fields: Mapping[str, Any], errors: Errors) -> dict[str, Any]:
    data = {k: v for k, v in fields.items() if k in WAGE_FIELDS}
    if "country" in data:
        data["country"] = str(data["country"] or "").strip().upper()
        if len(data["country"]) != 2 or not data["country"].isalpha():
            errors["country"] = [_("Give the two-letter country code, e.g. TH, LA, MM or KH.")]
    for name, limit in (("area", 200), ("source", 300)):
        if name in data:
            data[name] = str(data[name] or "").strip()
            if not data[name]:
                errors[name] = [_("This field is required.")]
            elif len(data[name]) > limit:
                errors[name] = [_("Keep this under %(n)d characters.") % {"n": limit + 1}]
    if "amount" in data:
        try:
            data["amount"] = Decimal(str(data["amount"]).strip())
            if data["amount"] <= 0 or data["amount"] >= Decimal("100000000"):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors["amount"] = [_("Give the amount as a number, e.g. 357.")]
    if "currency" in data:
        data["currency"] = str(data["currency"] or "").strip().upper()
        if len(data["currency"]) != 3 or not data["currency"].isalpha():
            errors["currency"] = [_("Give the three-letter currency code, e.g. THB.")]
    if "per" in data and data["per"] not in ("day", "month"):
        errors["per"] = [_("Per day or per month.")]
    if "effective_on" in data and not isinstance(data["effective_on"], date):
        try:
            data["effective_on"] = date.fromisoformat(str(data["effective_on"]))
        except ValueError:
            errors["effective_on"] = [_("Write the date as YYYY-MM-DD.")]
    if "active" in data:
        data["active"] = bool(data["active"])
    return data


@transaction.atomic
def wage_create(*, actor: User | None, **fields: Any) -> MinimumWage:
    """Add a minimum wage as announced (unchecked until someone checks it)."""
    require_keeper(actor)
    errors: Errors = {}
    required = {"country": "TH", "currency": "THB", "per": "day", "area": "", "source": "", "amount": ""}
    data = _clean_wage({**required, "effective_on": "", **fields}, errors)
    if errors:
        raise ValidationError(errors)
    wage = MinimumWage.objects.create(**data)
    audit_record(actor=actor, action="network.minimumwage.create", obj=wage, changes=data)
    return wage


@transaction.atomic
def wage_update(*, actor: User | None, wage: MinimumWage, **fields: Any) -> MinimumWage:
    """Correct a minimum wage; a changed figure, date or area is unchecked again."""
    require_keeper(actor)
    errors: Errors = {}
    data = _clean_wage(fields, errors)
    if errors:
        raise ValidationError(errors)
    before = {k: getattr(wage, k) for k in data}
    changes = diff(before, data)
    for name, value in data.items():
        setattr(wage, name, value)
    if {"amount", "effective_on", "area", "per", "currency"} & set(changes):
        wage.checked_on, wage.checked_by = None, None
        if "area" in changes:
            wage.translations = {k: v for k, v in wage.translations.items() if k != "area"}
    wage.save()
    audit_record(actor=actor, action="network.minimumwage.update", obj=wage, changes=changes)
    return wage


# ------------------------------------------------------------------------------------------------ counting


def count_visit(language: str) -> None:
    """One more reading of the page in this language today: nothing else about the reader is kept."""
    today = timezone.localdate()
    updated = HelpPageCount.objects.filter(day=today, language=language).update(count=F("count") + 1)
    if updated:
        return
    try:
        with transaction.atomic():
            HelpPageCount.objects.create(day=today, language=language, count=1)
    except IntegrityError:  # two first readers of the day at once
        HelpPageCount.objects.filter(day=today, language=language).update(count=F("count") + 1)


def recent_counts(days: int = 30) -> list[dict[str, Any]]:
    """Readings per language over the last `days` days, for the keepers' page."""
    since = timezone.localdate() - timedelta(days=days - 1)
    rows = HelpPageCount.objects.filter(day__gte=since).values("language").annotate(total=Sum("count"))
    totals = {r["language"]: r["total"] for r in rows}
    return [{"language": code, "total": totals.get(code, 0)} for code in HELP_LANGUAGES]
