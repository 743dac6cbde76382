"""Recruiters seen from both ends of a channel, with red flags from a configurable list (issue 22 part 8:
R-053 register and monitor recruiters, R-055 licence status, R-056 red flags).

The recruiters shown for a channel are those named on its registrations. Whoever sees the channel (staff at
either end, never through an enforcement-only agency) sees them: name, kind, licence, local registration,
screening and its red flags, how many people registered on the channel through them, and the red flags either
end raised. Each look is audited on the channel (a recruiter may be a person).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from safepassage.accounts.models import Agency, User
from safepassage.audit.services import audit_read, audit_record
from safepassage.core.access import viewer_for
from safepassage.core.validation import not_in_future
from safepassage.migration.models import (
    STAFF,
    Channel,
    RecruiterFlag,
    RedFlag,
    Registration,
    check_code,
    working_agencies,
)
from safepassage.workplaces.models import Recruiter


@dataclass
class ChannelRecruiter:
    recruiter: Recruiter
    registrations: int
    screening_flags: list[str]
    flags: list[RecruiterFlag] = field(default_factory=list)


def flag_labels() -> dict[str, str]:
    """Every red flag's label by code (retired ones too: old records keep their words)."""
    return {flag.code: flag.label() for flag in RedFlag.objects.all()}


def channel_recruiters(*, viewer: User, channel: Channel) -> list[ChannelRecruiter]:
    """The recruiters named on the channel's registrations the viewer may see, the most registrations first,
    with their screening and the red flags raised through this channel. The caller has checked the channel."""
    counts = dict(
        Registration.objects.visible_to(viewer)
        .filter(channel=channel, recruiter__isnull=False)
        .values_list("recruiter_id")
        .annotate(n=Count("id"))
        .values_list("recruiter_id", "n")
    )
    labels = flag_labels()
    flags: dict[int, list[RecruiterFlag]] = {}
    for raised in RecruiterFlag.objects.filter(channel=channel).select_related("flag", "agency"):
        flags.setdefault(raised.recruiter_id, []).append(raised)
    rows = [
        ChannelRecruiter(
            recruiter=r,
            registrations=counts[r.pk],
            screening_flags=[labels.get(code, code) for code in r.red_flags],
            flags=flags.get(r.pk, []),
        )
        for r in Recruiter.objects.filter(pk__in=list(counts)).prefetch_related("villages")
    ]
    rows.sort(key=lambda row: (-row.registrations, row.recruiter.name))
    if rows:
        with transaction.atomic():
            audit_read(actor=viewer, obj=channel, what=f"recruiters {sorted(counts)}")
    return rows


def _end_agency(actor: User | None, channel: Channel) -> Agency:
    """The actor's agency at one end of the channel where they are staff (not an enforcement-only agency)."""
    ends = channel.end_agencies() & working_agencies(viewer_for(actor), STAFF)
    if not ends:
        raise PermissionDenied(
            _("Only staff at either end of the channel raise red flags on its recruiters.")
        )
    return Agency.objects.get(pk=min(ends))


@transaction.atomic
def recruiter_flag_raise(
    *, actor: User | None, channel: Channel, recruiter_id: int, flag: str, seen_on: date, note: str = ""
) -> RecruiterFlag:
    """Raise a red flag from the list against a recruiter who sends people through the channel."""
    agency = _end_agency(actor, channel)
    on_channel = Registration.objects.filter(channel=channel, recruiter_id=recruiter_id).exists()
    recruiter = Recruiter.objects.filter(pk=recruiter_id).first() if on_channel else None
    if recruiter is None:
        raise ValidationError({"recruiter_id": [_("No recruiter of this channel has that number.")]})
    red_flag = RedFlag.objects.filter(code=flag, active=True).first()
    if red_flag is None:
        raise ValidationError({"flag": [_("Choose a red flag from the list.")]})
    not_in_future(seen_on, "seen_on")
    raised = RecruiterFlag.objects.create(
        recruiter=recruiter,
        channel=channel,
        flag=red_flag,
        seen_on=seen_on,
        note=note.strip(),
        agency=agency,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="migration.recruiter.flag",
        obj=channel,
        agency=agency,
        changes={"recruiter": recruiter.pk, "flag": flag, "seen_on": seen_on, "note": raised.note},
        sensitive=("note",),
    )
    return raised


@transaction.atomic
def red_flag_save(
    *, actor: User | None, code: str, name: str, order: int = 0, active: bool = True
) -> RedFlag:
    """Add a red flag to the list or change one (system administrators; audited). Retired, never deleted."""
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied(_("Only a system administrator changes the list of red flags."))
    errors: dict[str, list[str]] = {}
    check_code(code, errors)
    if not name.strip():
        errors["name"] = [_("Give the red flag a name.")]
    if errors:
        raise ValidationError(errors)
    red_flag, created = RedFlag.objects.update_or_create(
        code=code, defaults={"name": name.strip(), "order": order, "active": active}
    )
    audit_record(
        actor=actor,
        action=f"migration.redflag.{'create' if created else 'update'}",
        obj=red_flag,
        changes={"code": code, "name": red_flag.name, "active": active},
        plain=("code", "name"),
    )
    return red_flag


def may_raise(viewer: Any, channel: Channel) -> bool:
    """Staff at either end of the channel (the form shows only to them)."""
    return bool(channel.end_agencies() & working_agencies(viewer_for(viewer), STAFF))
