"""Reads for cases: lists, who may see what on a case, who viewed it, the referral inboxes."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case as CaseWhen
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.accounts import profiles
from safepassage.accounts.models import Agency, Membership
from safepassage.audit.models import AuditEvent
from safepassage.cases.models import (
    CASE_ROLES,
    URGENCY_ORDER,
    BreakGlass,
    Case,
    CaseAlert,
    CaseNote,
    Deadline,
    IntakeReport,
    Referral,
)
from safepassage.core.access import Viewer, viewer_for
from safepassage.core.pickers import normalise
from safepassage.core.roles import Action, Role
from safepassage.geo.models import Area, Level
from safepassage.network.models import Organisation
from safepassage.registry.models import Person
from safepassage.workplaces.models import Recruiter, Workplace

# The parts of a case a reader may be shown. The owning agency's case staff read them all; a receiving
# agency reads what its accepted referral lets it read (referral_parts): its receiving profile's parts
# (accounts/profiles.py, the one home for them), and those the consent names it for. Pages and the API show
# a part only when the reader's Access names it, so narrowing what a receiver reads is done in one place.
IDENTITY = "identity"  # name, sex, birth, languages
ADDRESS = "address"  # current address
HEALTH = "health"  # health notes
DOCUMENTATION = "documentation"  # documentation (immigration) status
CITIZENSHIP = "citizenship"  # the subject's documents and citizenship problems: never to enforcement
VICTIM = "victim"  # HTCDS victim fields, trafficking status, nationality
SCREENING = "screening"
JOURNEY = "journey"
PERPETRATORS = "perpetrators"
LIFECYCLE = "lifecycle"  # stage and steps
LEGAL = "legal"  # legal process and deadlines
SUPPORT = "support"  # support plan and shelter stays
RETURNS = "returns"  # best interests, returns, follow-ups
CONFERENCES = "conferences"
NOTES = "notes"  # a receiving agency: only its own agency's notes
# The owner's alone: how the case came in (the report and who made it), its urgency, its other referrals,
# alerts, earlier episodes and who opened it.
REPORT = "report"
MANAGEMENT = "management"

SHARED_PARTS = frozenset(profiles.PARTS)
ALL_PARTS = SHARED_PARTS | {REPORT, MANAGEMENT}

# What the receiving agency of an accepted referral may add to the case: on what was shared, each resting
# on that referral and its consent. Status, screening, stages, the legal process and returns stay the owner's.
RECEIVER_ADDS = frozenset({"service", "note", "follow_up", "referral"})


def profile_parts(profile_code: str, *, covers: Iterable[str] = (), named: bool = False) -> frozenset[str]:
    """What a receiving profile reads under a consent that names the agency (`named`) and covers `covers`;
    nothing for a blank or unknown profile."""
    found = profiles.get_profile(profile_code)
    return found.parts(covers=covers, named=named) if found is not None else frozenset()


def referral_parts(referral: Referral) -> frozenset[str]:
    """What one accepted referral lets its receiving agency read of the case.

    Its receiving profile's parts as the sender was shown them when sending, never more than the agency's
    profile today; address, health and documentation status beyond those only when the consent names the
    agency and covers them. A referral made on by a receiver opens no more than the one it was made from."""
    covers = referral.consent_covers or []
    named = referral.consent_names_agency and referral.consent in (
        Referral.Consent.PERSON,
        Referral.Consent.GUARDIAN,
    )
    parts = profile_parts(referral.profile, covers=covers, named=named)
    current = referral.to_agency.profile if referral.to_agency_id is not None and referral.to_agency else ""
    parts &= profile_parts(current, covers=covers, named=named)
    if referral.parent_id is not None:
        parent = Referral.objects.select_related("to_agency").filter(pk=referral.parent_id).first()
        parts = parts & referral_parts(parent) if parent is not None else frozenset()
    return parts


@dataclass(frozen=True)
class Access:
    """How a viewer reaches a case, and which of its parts they read: the one read path for every reader."""

    owner: bool
    referral: bool
    enforcement_only: bool  # reached only through referrals to enforcement agencies (police, immigration…)
    parts: frozenset[str] = frozenset()
    referrals: tuple[Referral, ...] = ()  # the accepted referrals it rests on (none for the owner)
    break_glass: bool = False  # read in an emergency, outside the reader's scope, under a live grant
    grant: BreakGlass | None = None  # that grant (its id goes into the audit mark of every read)

    def sees(self, part: str) -> bool:
        return part in self.parts

    @property
    def sensitive(self) -> bool:
        """Identity: the owner's case staff and accepted referral recipients."""
        return IDENTITY in self.parts

    @property
    def documentation(self) -> bool:
        """Documentation status: never to an enforcement reader unless the consent names it (rule 2)."""
        return DOCUMENTATION in self.parts

    @property
    def adds(self) -> frozenset[str]:
        """What a receiving agency may add (the owner's case staff add everything their role allows)."""
        return RECEIVER_ADDS if self.referral and not self.owner else frozenset()

    @property
    def via(self) -> Referral | None:
        """The accepted referral a receiving agency works under (the latest, if several)."""
        return self.referrals[0] if self.referrals else None


NO_ACCESS = Access(False, False, False)


def accepted_referrals(user: Any, case: Case) -> list[Referral]:
    """The accepted referrals of this case to the agencies the user does case work for, latest first."""
    viewer = user if isinstance(user, Viewer) else viewer_for(user)
    agencies = [g.agency_id for g in viewer.grants if g.role in CASE_ROLES]
    return list(
        Referral.objects.filter(case=case, to_agency_id__in=agencies, status=Referral.Status.ACCEPTED)
        .select_related("to_agency", "from_agency", "to_organisation", "parent")
        .order_by("-responded_at", "-id")
    )


def access(user: Any, case: Case) -> Access:
    """What this user may see of a case they can open."""
    viewer = user if isinstance(user, Viewer) else viewer_for(user)
    owner = Case.objects.filter(Case.own_q(viewer, Action.VIEW), pk=case.pk)
    if owner.exists():
        return Access(True, False, False, ALL_PARTS)
    accepted = accepted_referrals(viewer, case)
    if not accepted:
        grant = live_grant(viewer, case.pk)
        if grant is None:
            return NO_ACCESS
        return Access(False, False, False, break_glass_parts(grant), break_glass=True, grant=grant)
    parts: frozenset[str] = frozenset()
    for referral in accepted:
        parts |= referral_parts(referral)
    enforcing = all(profiles.is_enforcement(r.profile) for r in accepted)
    return Access(False, True, enforcing, parts, tuple(accepted))


def live_grant(user: Any, case_id: Any) -> BreakGlass | None:
    """The user's emergency access to this case that is open now (the one open longest), or None: an
    expired or reported grant opens nothing."""
    viewer = user if isinstance(user, Viewer) else viewer_for(user)
    if viewer.user_id is None or not str(case_id).isdigit():
        return None
    return (
        BreakGlass.objects.filter(
            reader_id=viewer.user_id,
            case_id=int(case_id),
            ended_at__isnull=True,
            expires_at__gt=timezone.now(),
            reader_agency__in=[g.agency_id for g in viewer.grants if g.role in CASE_ROLES],
        )
        .select_related("reader_agency")
        .order_by("-expires_at")
        .first()
    )


def break_glass_parts(grant: BreakGlass) -> frozenset[str]:
    """What an emergency reader reads: their own agency's receiving profile today, without the parts only
    consent opens (nothing at all if their agency has since become an enforcement agency)."""
    profile = grant.reader_agency.profile
    if profiles.is_enforcement(profile):
        return frozenset()
    return profile_parts(profile) & SHARED_PARTS


def case_list(
    user: Any, *, status: str = "", stage: str = "", track: str = "", query: str = "", mine: bool = False
) -> QuerySet[Case]:
    """Cases the user may open, newest first, with the person and stage for the list."""
    qs = Case.objects.visible_to(user).select_related("person", "stage", "caseworker", "agency")
    if status:
        qs = qs.filter(status=status)
    if stage:
        qs = qs.filter(stage__code=stage)
    if track:
        qs = qs.filter(track=track)
    if mine:
        qs = qs.filter(caseworker_id=getattr(user, "pk", None))
    if query:
        qs = qs.filter(
            Q(reference__icontains=query)
            | Q(person__given_name__icontains=query)
            | Q(person__family_name__icontains=query)
            | Q(person__given_name_latin__icontains=query)
            | Q(person__family_name_latin__icontains=query)
        )
    open_alerts = Count("alerts", filter=Q(alerts__status=CaseAlert.Status.OPEN))
    if mine:
        # A caseworker's own list: the most urgent first, then the nearest deadline.
        due = Deadline.objects.filter(case=OuterRef("pk"), done_on__isnull=True).order_by("due_on")
        mine_first = qs.annotate(
            open_alerts=open_alerts,
            urgency_rank=urgency_rank(),
            next_deadline=Subquery(due.values("due_on")[:1]),
        )
        return mine_first.order_by(
            "urgency_rank", F("next_deadline").asc(nulls_last=True), "-opened_on", "-id"
        )
    return qs.annotate(open_alerts=open_alerts).order_by("-opened_on", "-id")


def urgency_rank() -> CaseWhen:
    """0 for "now", 1 for "today"…: to sort the most urgent first."""
    return CaseWhen(
        *[When(urgency=value, then=Value(rank)) for value, rank in URGENCY_ORDER.items()],
        default=Value(len(URGENCY_ORDER)),
        output_field=IntegerField(),
    )


def caseworkers(agency_id: int) -> QuerySet[Any]:
    """The agency's case staff a case can be given to, by name."""
    from safepassage.accounts.models import User

    members = Membership.objects.filter(agency_id=agency_id, active=True, role__in=CASE_ROLES)
    return User.objects.filter(pk__in=members.values("user_id"), is_active=True).order_by(
        "first_name", "last_name", "username"
    )


def viewers_of(case: Case, limit: int = 30) -> list[AuditEvent]:
    """Who opened this case, most recent first (from the audit trail)."""
    return list(
        AuditEvent.objects.filter(
            object_type="cases.case", object_id=str(case.pk), action="cases.case.view"
        ).order_by("-at")[:limit]
    )


def referrals_incoming(user: Any) -> QuerySet[Referral]:
    """Referrals sent to the agencies the user does case work for: waiting ones first, urgent first."""
    viewer = viewer_for(user)
    agencies = [g.agency_id for g in viewer.grants if g.role in CASE_ROLES]
    waiting = CaseWhen(
        When(status=Referral.Status.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        Referral.objects.filter(to_agency_id__in=agencies)
        .select_related("case", "from_agency", "to_organisation")
        .annotate(waiting=waiting)
        .order_by("waiting", "-urgent", "-created_at")
    )


def referrals_outgoing(user: Any) -> QuerySet[Referral]:
    """Referrals made from cases the user works on, and those their agency made on from a case referred in."""
    viewer = viewer_for(user)
    own = Case.objects.filter(Case.own_q(viewer, Action.VIEW))
    agencies = [g.agency_id for g in viewer.grants if g.role in CASE_ROLES]
    return (
        Referral.objects.filter(Q(case__in=own) | Q(parent__isnull=False, from_agency_id__in=agencies))
        .select_related("case", "to_organisation", "to_agency", "from_agency")
        .order_by("-created_at")
    )


def referral_targets(user: Any, *, not_agencies: Iterable[int] = ()) -> list[Organisation]:
    """Directory organisations a case may be referred to: members on SafePassage first, then the others.

    Never an employer, an agency that no longer uses SafePassage, or the agencies named (the sender's own,
    and the case's owner when a receiving agency refers on)."""
    excluded = list(not_agencies)
    qs = (
        Organisation.objects.visible_to(user)
        .filter(active=True)
        .exclude(member_agency_id__in=excluded)
        .exclude(member_agency__kind=Agency.Kind.EMPLOYER)
        .exclude(Q(member_agency__isnull=False) & Q(member_agency__profile=""))
        .exclude(member_agency__active=False)
        .select_related("member_agency")
        .order_by("name")
    )
    organisations = list(qs)
    return sorted(organisations, key=lambda o: o.member_agency_id is None)


def intake_list(user: Any, *, status: str = "") -> QuerySet[IntakeReport]:
    """The call log the user may read, newest first."""
    qs = IntakeReport.objects.visible_to(user).select_related("area", "recorded_by")
    if status:
        qs = qs.filter(status=status)
    return qs


def may_see_notifier(user: Any, report: IntakeReport) -> bool:
    """Who reported is protected: the owning agency's case staff and whoever recorded it."""
    viewer = viewer_for(user)
    if report.recorded_by_id is not None and report.recorded_by_id == viewer.user_id:
        return True
    return viewer.has_role(Role.COORDINATOR, Role.CASEWORKER, agency_id=report.agency_id)


def alert_inbox(user: Any, *, status: str = CaseAlert.Status.OPEN) -> QuerySet[CaseAlert]:
    """Alerts of the user's own cases (not of cases shared in), routed to them first."""
    qs = CaseAlert.visible_to(user).select_related("case")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at")


def case_notes(user: Any, case: Case) -> QuerySet[CaseNote]:
    """The notes of a case the user may read (the owner all, a receiving agency its own), newest first."""
    return (
        CaseNote.visible_to(user)
        .filter(case=case)
        .select_related("agency", "recorded_by", "via_referral")
        .order_by("-recorded_at", "-id")
    )


# ----------------------------------------------------------------------------------------------- pickers
# What the pickers of the case forms find: names in any script (Thai, Lao, Burmese, Khmer, Latin…), each
# scoped to what the user may use. A picker shows at most PICK_LIMIT records; typing more narrows them.

PICK_LIMIT = 20


def _words(query: str) -> list[str]:
    return [w for w in normalise(query).split(" ") if w]


def _json_forms(word: str) -> list[str]:
    """A word as it may be stored in a JSON column: as written (PostgreSQL), or \\u-escaped (SQLite)."""
    escaped = json.dumps(word)[1:-1]
    return [word] if escaped == word else [word, escaped]


def _area_scope(viewer: Viewer) -> Q:
    """Volunteers and area-bound members pick only inside the areas they cover."""
    if viewer.grants and all(g.area_limited for g in viewer.grants):
        q = Q(pk__in=[])
        for grant in viewer.grants:
            for path in grant.area_paths:
                q |= Q(path__startswith=path)
        return q
    return Q()


def area_options(user: Any, query: str, *, villages_only: bool = False) -> list[tuple[str, str]]:
    """Areas (or villages only) whose code starts with the query or whose name in any language holds it."""
    viewer = user if isinstance(user, Viewer) else viewer_for(user)
    words = _words(query)
    if not words:
        return []
    qs = Area.objects.filter(_area_scope(viewer))
    if villages_only:
        qs = qs.filter(level=Level.VILLAGE)
    for word in words:
        names = Q(name_en__icontains=word) | Q(name_th__icontains=word) | Q(code__startswith=word)
        for form in _json_forms(word):
            names |= Q(names__icontains=form)
        qs = qs.filter(names)
    found = []
    for area in qs.order_by("level", "path")[: PICK_LIMIT * 5]:
        # (a JSON match may be on a language key, "lo" or "my": keep areas whose names really hold it)
        texts = [area.code, area.name_en, area.name_th, *[str(v) for v in (area.names or {}).values()]]
        if all(any(w.casefold() in t.casefold() for t in texts) for w in words):
            found.append(area)
        if len(found) == PICK_LIMIT:
            break
    return [(a.code, area_label(a, words)) for a in _with_parents(found)]


def _with_parents(areas: list[Area]) -> list[Area]:
    codes = {c for a in areas for c in a.path.strip("/").split("/")[1:-1]}
    parents = {p.code: p for p in Area.objects.filter(code__in=codes)}
    for a in areas:
        chain = [parents[c] for c in a.path.strip("/").split("/")[1:-1] if c in parents]
        a.parent_names = [p.name for p in reversed(chain)][:2]  # type: ignore[attr-defined]
    return areas


def area_label(area: Area, words: Iterable[str] = ()) -> str:
    """ "Ban Pa Sak · ບ້ານປ່າສັກ — Mae Ai, Chiang Mai (50010101)": the name read, the name matched, where."""
    name = area.name
    matched = ""
    for text in [area.name_en, area.name_th, *[str(v) for v in (area.names or {}).values()]]:
        if text and text != name and any(w.casefold() in text.casefold() for w in words):
            matched = text
            break
    where = ", ".join(getattr(area, "parent_names", []))
    label = f"{name} · {matched}" if matched else name
    if where:
        label = f"{label} — {where}"
    return f"{label} ({area.code})"


def area_named(user: Any, code: str, *, villages_only: bool = False) -> str | None:
    """The label of one area the user may pick, by code; None if there is none."""
    viewer = user if isinstance(user, Viewer) else viewer_for(user)
    qs = Area.objects.filter(_area_scope(viewer), code=code)
    if villages_only:
        qs = qs.filter(level=Level.VILLAGE)
    area = qs.first()
    return area_label(_with_parents([area])[0]) if area else None


def person_options(user: Any, query: str) -> list[tuple[str, str]]:
    """People the user may see whose names, in any script or in Latin letters, hold every word typed."""
    words = _words(query)
    if not words:
        return []
    qs = Person.objects.visible_to(user).select_related("village")
    for word in words:
        qs = qs.filter(
            Q(given_name__icontains=word)
            | Q(family_name__icontains=word)
            | Q(given_name_latin__icontains=word)
            | Q(family_name_latin__icontains=word)
        )
    people = qs.order_by("family_name", "given_name", "pk")[:PICK_LIMIT]
    return [(str(p.pk), person_label(p)) for p in people]


def person_label(person: Person) -> str:
    """ "Mya Test (Mya Test) · born 2010 · Ban Pa Sak": enough to tell two people apart, no ID numbers."""
    parts = [str(person)]
    if person.latin_name and person.latin_name != str(person):
        parts[0] = f"{person} ({person.latin_name})"
    if person.birth_date:
        parts.append(_("born %(date)s") % {"date": person.birth_date.isoformat()})
    elif person.birth_year:
        parts.append(_("born %(year)s") % {"year": person.birth_year})
    parts.append(person.village.name)
    return " · ".join(parts)


def person_named(user: Any, pk: str) -> str | None:
    """The label of one person the user may see; None if there is none."""
    if not str(pk).isdigit():
        return None
    person = Person.objects.visible_to(user).select_related("village").filter(pk=int(pk)).first()
    return person_label(person) if person else None


def workplace_options(user: Any, query: str) -> list[tuple[str, str]]:
    """Sin-space workplaces the user may see whose name or other names hold every word typed."""
    words = _words(query)
    if not words:
        return []
    qs = Workplace.objects.visible_to(user).select_related("village")
    for word in words:
        names = Q(name__icontains=word)
        for form in _json_forms(word):
            names |= Q(aliases__icontains=form)
        qs = qs.filter(names)
    return [(str(w.pk), workplace_label(w)) for w in qs.order_by("name", "pk")[:PICK_LIMIT]]


def workplace_label(workplace: Workplace) -> str:
    label = f"{workplace.name} · {workplace.get_sector_display()}"
    return f"{label} · {workplace.village.name}" if workplace.village else label


def workplace_named(user: Any, pk: str) -> str | None:
    if not str(pk).isdigit():
        return None
    workplace = Workplace.objects.visible_to(user).select_related("village").filter(pk=int(pk)).first()
    return workplace_label(workplace) if workplace else None


def recruiter_options(user: Any, query: str) -> list[tuple[str, str]]:
    """Registered recruiters the user may see, by name."""
    words = _words(query)
    if not words:
        return []
    qs = Recruiter.objects.visible_to(user)
    for word in words:
        qs = qs.filter(name__icontains=word)
    return [(str(r.pk), str(r)) for r in qs.order_by("name", "pk")[:PICK_LIMIT]]


def recruiter_named(user: Any, pk: str) -> str | None:
    if not str(pk).isdigit():
        return None
    recruiter = Recruiter.objects.visible_to(user).filter(pk=int(pk)).first()
    return str(recruiter) if recruiter else None
