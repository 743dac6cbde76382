"""Reads for people's rights: the "turning 18" review list, correction requests, and the subject-access
file (everything the agencies hold about one person, in words they can read)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.accounts.models import User
from safepassage.audit.services import audit_record
from safepassage.cases.models import Case, Referral
from safepassage.core.access import viewer_for
from safepassage.core.roles import Role
from safepassage.migration.models import Registration, SiteRegistration
from safepassage.prevention.models import Delivery
from safepassage.privacy.models import CorrectionRequest
from safepassage.privacy.retention import years_before
from safepassage.registry.models import Assessment, CivilProblem, Person, PersonDocument

SOON_DAYS = 30


def coordinated_agencies(viewer: User | None) -> list[int]:
    return [g.agency_id for g in viewer_for(viewer).grants if g.role == Role.COORDINATOR]


def turning_18(*, viewer: User | None, today: date | None = None) -> list[Person]:
    """Children of the coordinator's agencies who turned 18 (or will within 30 days) since they were
    recorded, and have neither agreed themselves nor been erased: confirm their own consent, or erase."""
    today = today or timezone.localdate()
    eighteen = years_before(today + timedelta(days=SOON_DAYS), 18)  # born by this day: 18 by then
    candidates = (
        Person.objects.filter(
            agency_id__in=coordinated_agencies(viewer),
            erased_at__isnull=True,
            own_consent_on__isnull=True,
            birth_year__isnull=False,
            created_at__year__lte=F("birth_year") + 18,
        )
        .filter(
            Q(birth_date__isnull=False, birth_date__lte=eighteen)
            | Q(birth_date__isnull=True, birth_year__lte=eighteen.year - 1)
        )
        .select_related("village")
        .order_by("birth_year", "birth_date", "pk")
    )
    return [person for person in candidates if was_child_when_recorded(person)]


def eighteenth_birthday(person: Person) -> date | None:
    """The day they turn 18 (with the year only: the last day it can be)."""
    if person.birth_date is not None:
        return years_before(person.birth_date, -18)
    if person.birth_year is not None:
        return date(person.birth_year + 18, 12, 31)
    return None


def was_child_when_recorded(person: Person) -> bool:
    """Recorded before the 18th birthday (with the year only: before the year they turn 18 ended)."""
    birthday = eighteenth_birthday(person)
    return birthday is not None and timezone.localdate(person.created_at) < birthday


def answers_corrections(viewer: User | None) -> bool:
    """Coordinators and caseworkers answer their agency's correction requests."""
    return any(g.role in (Role.COORDINATOR, Role.CASEWORKER) for g in viewer_for(viewer).grants)


def correction_requests(*, viewer: User | None, status: str = "") -> QuerySet[CorrectionRequest]:
    """The correction requests of the viewer's agencies (coordinators and caseworkers)."""
    qs = CorrectionRequest.objects.visible_to(viewer).select_related("person", "requested_by")
    return qs.filter(status=status) if status else qs


# ---------------------------------------------------------------------------------------- subject access


def _line(label: Any, value: Any) -> str:
    if value in (None, "", [], {}):
        return ""
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return f"  {label}: {value}\n"


def subject_access_text(*, actor: User | None, person: Person) -> str:
    """Everything the agencies hold about the person, as a plain-text file they can read, audited. The
    identity of whoever reported them, and notes written by staff about others, are not theirs to see."""
    out = [_("What SafePassage holds about this person"), "\n", f"{timezone.localdate():%Y-%m-%d}\n\n"]
    out.append(_("Details") + "\n")
    for name in (
        "given_name",
        "family_name",
        "given_name_latin",
        "family_name_latin",
        "sex",
        "birth_date",
        "birth_year",
        "national_id",
        "father_name",
        "mother_name",
        "languages",
        "notes",
        "consent_basis",
        "guardian_consent_by",
        "guardian_relation",
        "guardian_consent_on",
        "own_consent_on",
    ):
        field: Any = Person._meta.get_field(name)
        value = getattr(person, f"get_{name}_display")() if field.choices else getattr(person, name)
        out.append(_line(field.verbose_name, value))
    out.append(_line(_("village"), person.village.name))
    out.append(_line(_("agency"), person.agency.name))
    if person.current_band:
        out.append(_line(_("current risk"), f"{person.current_band} ({person.current_index})"))
    assessments = Assessment.objects.filter(person=person).order_by("assessed_on", "pk")
    out.append("\n" + _("Risk assessments") + "\n")
    for a in assessments:
        out.append(f"  {a.assessed_on:%Y-%m-%d}  {a.get_source_display()}  {a.band} ({a.index})\n")
    documents = PersonDocument.objects.filter(person=person).order_by("kind", "pk")
    problems = CivilProblem.objects.filter(person=person).order_by("opened_on", "pk")
    if documents or problems:
        out.append("\n" + _("Documents and citizenship") + "\n")
    for d in documents:
        line = f"{d.get_state_display()} {d.state_on or ''} {d.country} {d.note}".strip()
        out.append(_line(d.get_kind_display(), line))
    for p in problems:
        out.append(
            _line(p.get_kind_display(), f"{p.get_status_display()} {p.opened_on} {p.description} {p.outcome}")
        )
    received = Delivery.objects.filter(person=person).select_related("intervention", "agency")
    if received:
        out.append("\n" + _("Help received") + "\n")
    for help_ in received.order_by("started_on", "pk"):
        line = f"{help_.started_on} {help_.ended_on or ''} · {help_.agency.name} {help_.note}".strip()
        out.append(_line(help_.intervention.title, line))
    cases = Case.objects.filter(person=person).select_related("stage", "agency").order_by("opened_on")
    for case in cases:
        out.append("\n" + _("Case %(ref)s") % {"ref": case.reference} + "\n")
        out.append(_line(_("agency"), case.agency.name))
        out.append(_line(_("opened on"), case.opened_on))
        out.append(_line(_("closed on"), case.closed_on))
        out.append(_line(_("stage"), case.stage.name()))
        out.append(_line(_("status"), case.get_status_display()))
        out.append(_line(_("trafficking status"), case.get_trafficking_status_display()))
        out.append(_line(_("documentation status"), case.get_immigration_status_display()))
        out.append(_line(_("current address"), case.address))
        out.append(_line(_("health notes"), case.health))
        out.append(_line(_("type of exploitation"), case.exploitation_labels))
        for referral in Referral.objects.filter(case=case).select_related("to_organisation"):
            out.append(
                _line(
                    _("referred to"),
                    f"{referral.to_organisation.name} · {referral.get_status_display()}"
                    f" · {referral.created_at:%Y-%m-%d}",
                )
            )
        for note in case.notes.all().order_by("recorded_at"):
            out.append(_line(_("note of %(day)s") % {"day": f"{note.recorded_at:%Y-%m-%d}"}, note.text))
    for registration in Registration.objects.filter(person=person).select_related("channel"):
        out.append("\n" + _("Safe-migration registration of %(day)s") % {"day": registration.registered_on})
        out.append("\n")
        out.append(_line(_("channel"), registration.channel.name))
        out.append(_line(_("status"), registration.get_status_display()))
        out.append(_line(_("travel date"), registration.travel_date))
        out.append(_line(_("phone"), registration.phone))
        out.append(_line(_("messaging app and name"), registration.messaging))
        out.append(_line(_("family contact (name and phone)"), registration.family_contact))
        out.append(_line(_("consent withdrawn on"), registration.withdrawn_on))
    for site in SiteRegistration.objects.filter(person=person):
        out.append("\n" + _("Found at a work site on %(day)s") % {"day": site.found_on} + "\n")
        out.append(_line(_("site"), site.site_name))
        out.append(_line(_("family contact"), site.family_contact))
    for request in CorrectionRequest.objects.filter(person=person):
        out.append("\n" + _("Correction asked on %(day)s") % {"day": request.requested_on} + "\n")
        out.append(_line(_("what is wrong"), request.fields))
        out.append(_line(_("status"), request.get_status_display()))
        out.append(_line(_("what was done"), request.note))
    audit_record(
        actor=actor,
        action="privacy.person.access_export",
        obj=person,
        agency=person.agency,
        changes={"cases": cases.count(), "assessments": assessments.count()},
    )
    return "".join(out)
