"""Cases: intake, screening, the journey, the legal process, protection, referrals and conferences.

A case belongs to the agency that opened it. Its caseworkers and coordinators work on it; an agency that
accepted a referral sees that one case (and nothing else) until the referral is revoked. Agency administrators
manage accounts, not victims, so they do not read cases. Every record under a case is reached through it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from safepassage.cases import htcds
from safepassage.cases.htcds import (
    CaseStatus,
    DecisionOrg,
    Gender,
    LabourIndustry,
    ReferralReason,
    Relationship,
    TraffickingStatus,
)
from safepassage.core.access import Viewer
from safepassage.core.countries import country_name
from safepassage.core.disclosure import new_record_key
from safepassage.core.fields import EncryptedCharField, EncryptedTextField
from safepassage.core.kinds import Kind as ListEntry
from safepassage.core.models import AgencyOwned, TimeStamped
from safepassage.core.roles import Action, Role

CASE_ROLES = (Role.COORDINATOR, Role.CASEWORKER)
CASE_ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.COORDINATOR: frozenset({Action.VIEW, Action.CHANGE, Action.DELETE}),
    Role.CASEWORKER: frozenset({Action.VIEW, Action.CHANGE}),
}
USER = settings.AUTH_USER_MODEL


class Track(models.TextChoices):
    """Which path a case takes after screening."""

    UNDETERMINED = "undetermined", _("Not yet screened")
    TRAFFICKING = "trafficking", _("Trafficking")
    LABOUR = "labour", _("Labour rights")


class Urgency(models.TextChoices):
    """How soon someone must act on a report or a case: shown apart from its status, never as a status."""

    IMMEDIATE = "immediate", _("Now: someone is in danger")
    HIGH = "high", _("Today")
    NORMAL = "normal", _("This week")
    LOW = "low", _("No hurry")


URGENCY_ORDER = {value: rank for rank, value in enumerate(Urgency.values)}  # most urgent first


class ReferralPurpose(models.TextChoices):
    """What a referral asks for, in the words of the network; each maps to its HTCDS reason for exports."""

    SHELTER = "shelter", _("Shelter or a safe place to stay")
    MEDICAL = "medical", _("Medical care")
    PSYCHOSOCIAL = "psychosocial", _("Counselling and psychosocial support")
    LEGAL_AID = "legal_aid", _("Legal aid or legal counselling")
    FAMILY_TRACING = "family_tracing", _("Family tracing")
    REPATRIATION = "repatriation", _("Return home or repatriation")
    EDUCATION = "education", _("Education or vocational training")
    FINANCIAL = "financial", _("Money, work or livelihood support")
    PROTECTION = "protection", _("Protection and safety")
    LABOUR_CLAIM = "labour_claim", _("A labour complaint or wage claim")
    INVESTIGATION = "investigation", _("Investigation (police or labour inspection)")
    INTERPRETATION = "interpretation", _("Interpretation")
    MOVED = "moved", _("The person moved to another place")
    OTHER = "other", _("Other")


# The HTCDS reason (cas_ReasonForOutgoingReferral) each purpose is exported as.
PURPOSE_REASON: dict[str, str] = {
    **dict.fromkeys(ReferralPurpose.values, ReferralReason.SERVICES),
    ReferralPurpose.REPATRIATION: ReferralReason.MOVED,
    ReferralPurpose.MOVED: ReferralReason.MOVED,
    ReferralPurpose.OTHER: ReferralReason.OTHER,
}


class Stage(models.Model):
    """One step of the case lifecycle. The list is data (`safepassage cases stages load`), not code."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(_("order"))
    label = models.JSONField(_("label by language"), default=dict)
    tracks = models.JSONField(_("tracks"), default=list, help_text=_("Empty means every track."))
    requires = models.JSONField(
        _("requires"), default=list, help_text=_("Records that must exist first, e.g. best_interests.")
    )
    legal = models.BooleanField(_("part of the legal process"), default=False)
    terminal = models.BooleanField(_("closes the case"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.name()

    def name(self, language: str | None = None) -> str:
        """The label in the given (or current) language, falling back to English, then the code."""
        from django.utils.translation import get_language

        lang = (language or get_language() or "en").lower()
        return str(
            self.label.get(lang) or self.label.get(lang.split("-")[0]) or self.label.get("en") or self.code
        )

    def allows(self, track: str) -> bool:
        return not self.tracks or track in self.tracks


class IntakeReport(AgencyOwned, TimeStamped):
    """A call, a walk-in or a notification: the call log. It may become a case.

    The notifier's identity is protected: only the owning agency's coordinators and caseworkers, and the
    person who recorded it, ever read it; it never leaves with a referral or an export.
    """

    class Channel(models.TextChoices):
        CALL = "call", _("Phone call")
        HOTLINE = "hotline", _("Hotline transfer")
        WALK_IN = "walk_in", _("Walk-in")
        EMPLOYER = "employer", _("Employer notification")
        VOLUNTEER = "volunteer", _("Village volunteer")
        PEER = "peer_educator", _("Peer educator")
        SUSPICIOUS = "suspicious", _("Report of suspicious behaviour")
        AGENCY = "agency", _("Another agency")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed, no further action")
        REFERRED = "referred", _("Passed to another service")
        CASE = "case", _("Became a case")

    reference = models.CharField(_("reference"), max_length=30)
    channel = models.CharField(_("how it came"), max_length=16, choices=Channel.choices)
    received_at = models.DateTimeField(_("received at"))
    notifier_name = EncryptedCharField(_("who reported"), max_length=200, blank=True)
    notifier_contact = EncryptedCharField(_("how to reach them"), max_length=200, blank=True)
    notifier_relation = EncryptedCharField(
        _("their relation to the people concerned"), max_length=100, blank=True
    )
    anonymous = models.BooleanField(_("the reporter wants to stay anonymous"), default=False)
    summary = EncryptedTextField(_("what was reported"))
    area = models.ForeignKey(
        "geo.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("where")
    )
    workplace = models.ForeignKey(
        "workplaces.Workplace",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("workplace"),
    )
    workplace_name = models.CharField(
        _("workplace, if not in the list"),
        max_length=200,
        blank=True,
        help_text=_("Its name and where it is."),
    )
    people_involved = models.PositiveSmallIntegerField(_("people concerned"), default=1)
    child_involved = models.BooleanField(_("a child may be involved"), default=False)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    suspected_exploitation = models.JSONField(_("suspected exploitation"), default=list, blank=True)
    referred_to = models.ForeignKey(
        "network.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("to be passed to"),
    )
    action_taken = EncryptedTextField(_("action taken"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    AREA_FIELD = "area"
    ROLE_ACTIONS = CASE_ROLE_ACTIONS
    SENSITIVE_FIELDS = ("notifier_name", "notifier_contact", "notifier_relation")

    class Meta:
        ordering = ["-received_at"]
        constraints = [models.UniqueConstraint(fields=["agency", "reference"], name="one_intake_reference")]

    def __str__(self) -> str:
        return self.reference

    def audit_label(self) -> str:
        return self.reference

    @property
    def exploitation_labels(self) -> str:
        return labels(htcds.Exploitation, self.suspected_exploitation)

    @classmethod
    def scope_q(cls, viewer: Viewer, action: str) -> Q:
        """Staff by role and area; a volunteer sees the reports they made themselves."""
        q = super().scope_q(viewer, action)
        if action == Action.VIEW and viewer.user_id is not None and viewer.has_role(Role.VOLUNTEER):
            q |= Q(recorded_by_id=viewer.user_id, agency_id__in=viewer.agency_ids)
        return q


class Case(AgencyOwned, TimeStamped):
    """One person's case: who they are (a registry person), what happened, and how the case is moving."""

    class ImmigrationStatus(models.TextChoices):
        CITIZEN = "citizen", _("Citizen")
        DOCUMENTED = "documented", _("Documented migrant")
        UNDOCUMENTED = "undocumented", _("Undocumented")
        IRREGULAR = "irregular", _("Irregular status")
        PENDING = "pending", _("Application pending")
        STATELESS = "stateless", _("Stateless")
        UNKNOWN = "unknown", _("Not known")

    reference = models.CharField(_("reference"), max_length=30)
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="cases")
    intake = models.OneToOneField(
        IntakeReport, null=True, blank=True, on_delete=models.SET_NULL, related_name="case"
    )
    area = models.ForeignKey(
        "geo.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    caseworker = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        verbose_name=_("caseworker"),
    )
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closure_reason = models.TextField(_("why it was closed"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.ACTIVE
    )
    track = models.CharField(_("track"), max_length=14, choices=Track.choices, default=Track.UNDETERMINED)
    # Screening suggests a track; a caseworker may decide another, with a reason (PRODUCT.md rule 7): both
    # stay on the record, and a later screening does not undo the person's decision.
    screened_track = models.CharField(
        _("track suggested by screening"), max_length=14, choices=Track.choices, blank=True
    )
    track_override_reason = models.TextField(_("why the track differs from screening"), blank=True)
    track_overridden_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    track_overridden_on = models.DateField(_("track decided on"), null=True, blank=True)
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+", verbose_name=_("stage"))
    stage_since = models.DateField(_("in this stage since"))
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    previous_case = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="later_cases",
        verbose_name=_("earlier episode"),
    )

    # HTCDS victim fields.
    trafficking_status = models.CharField(
        _("trafficking status"), max_length=30, choices=TraffickingStatus.choices, blank=True
    )
    status_decided_by_org = models.CharField(
        _("status decided by (organisation type)"), max_length=40, choices=DecisionOrg.choices, blank=True
    )
    status_decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status_decided_on = models.DateField(_("status decided on"), null=True, blank=True)
    exploitation_types = models.JSONField(_("type of exploitation"), default=list, blank=True)
    sex_exploitation_types = models.JSONField(_("type of sexual exploitation"), default=list, blank=True)
    control_methods = models.JSONField(_("methods of control"), default=list, blank=True)
    recruitment_methods = models.JSONField(_("method of recruitment"), default=list, blank=True)
    recruitment_apps = models.JSONField(_("websites and apps used to recruit"), default=list, blank=True)
    relationship_to_trafficker = models.CharField(
        _("relationship to the trafficker"), max_length=12, choices=Relationship.choices, blank=True
    )
    age_when_trafficked = models.PositiveSmallIntegerField(_("age when trafficked"), null=True, blank=True)
    labour_industry = models.CharField(
        _("forced-labour industry"), max_length=60, choices=LabourIndustry.choices, blank=True
    )
    nationality = models.CharField(_("nationality"), max_length=2, blank=True)
    # prs_Gender as the standard codes it; blank where it was never asked (the person's sex is then used).
    gender = models.CharField(_("gender"), max_length=24, choices=Gender.choices, blank=True)
    # con_Consent: whether the person agrees to the case being shared with other organisations. Without it
    # the case stays out of identified HTCDS exports, referrals and repatriation packets.
    consent_to_share = models.BooleanField(
        _("agrees to share the case with other organisations"), default=True
    )

    # Sensitive: shown only to the owning agency's case staff and accepted referral recipients.
    address = EncryptedTextField(_("current address"), blank=True)
    health = EncryptedTextField(_("health notes"), blank=True)
    immigration_status = EncryptedCharField(
        _("documentation status"), max_length=12, choices=ImmigrationStatus.choices, blank=True
    )

    # A random key of this case's, for disclosure control of lessons learned (core.disclosure: a table
    # cell's key is the sum of its cases' keys). Never shown, never changes.
    record_key = models.BigIntegerField(default=new_record_key, editable=False)

    # The person withdrew their consent to the case being shared: every referral ended that day, and a new
    # one needs a coordinator's override for their safety (cases.services.consent).
    consent_withdrawn_on = models.DateField(_("consent to share withdrawn on"), null=True, blank=True)
    consent_withdrawn_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when its free text was removed (erasure of the person, or the retention period after closing).
    erased_at = models.DateTimeField(_("details removed on"), null=True, blank=True)

    AREA_FIELD = "area"
    ROLE_ACTIONS = CASE_ROLE_ACTIONS
    SENSITIVE_FIELDS = ("address", "health", "immigration_status")

    class Meta:
        ordering = ["-opened_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["agency", "reference"], name="one_case_reference")]
        indexes = [models.Index(fields=["agency", "status"])]

    def __str__(self) -> str:
        return self.reference

    def audit_label(self) -> str:
        return self.reference

    @classmethod
    def shared_q(cls, viewer: Viewer, action: str) -> Q:
        """An accepted, unrevoked referral opens this one case to the receiving agency's case staff."""
        if action != Action.VIEW:
            return Q(pk__in=[])
        agencies = [g.agency_id for g in viewer.grants if g.role in CASE_ROLES]
        if not agencies:
            return Q(pk__in=[])
        return Q(
            pk__in=Referral.objects.filter(to_agency_id__in=agencies, status=Referral.Status.ACCEPTED).values(
                "case_id"
            )
        )

    @property
    def exploitation_labels(self) -> str:
        return labels(
            htcds.Exploitation, self.exploitation_types + self.sex_exploitation_types, htcds.SexExploitation
        )

    @property
    def nationality_name(self) -> str:
        return country_name(self.nationality)

    @property
    def recruitment_labels(self) -> str:
        return labels(
            htcds.RecruitmentMethod, self.recruitment_methods + self.recruitment_apps, htcds.RecruitmentApp
        )

    @property
    def control_labels(self) -> str:
        return labels(htcds.ControlMethod, self.control_methods)

    @property
    def is_child(self) -> bool:
        """Under 18 today (by birth date, or by birth year when that is all we know)."""
        age = age_on(self.person, date.today())
        return age is not None and age < 18


def labels(*args: Any) -> str:
    """Code-list values as the words people read: labels(Choices, values[, more Choices])."""
    choices, values, *more = args
    table: dict[str, str] = {}
    for kind in (choices, *more):
        table.update({value: str(label) for value, label in kind.choices})
    return ", ".join(table.get(v, v) for v in values)


def age_on(person: Any, day: date) -> int | None:
    """A person's age in whole years on a day, from the birth date or (roughly) the birth year."""
    if person.birth_date:
        born = person.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    if person.birth_year:
        return day.year - person.birth_year
    return None


class CaseChild(models.Model):
    """A record under a case: it is visible exactly when its case is."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.audit_label()

    @classmethod
    def visible_to(cls, user: Any, action: str = Action.VIEW) -> models.QuerySet[Any]:
        return cls._default_manager.filter(case__in=Case.objects.visible_to(user, action))

    def audit_label(self) -> str:
        return f"{self._meta.verbose_name} · {self.case.reference}"


class Screening(CaseChild):
    """The child rule and the adult rule applied to what is known, with the reasoning written down."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="screenings")
    screened_on = models.DateField(_("screened on"))
    age_at_exploitation = models.PositiveSmallIntegerField(_("age at the time"), null=True, blank=True)
    acts = models.JSONField(_("acts"), default=list, blank=True)
    means = models.JSONField(_("means"), default=list, blank=True)
    purposes = models.JSONField(_("exploitation"), default=list, blank=True)
    labour_issues = models.JSONField(_("labour-rights issues"), default=list, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20)
    reasoning = models.JSONField(_("reasoning"), default=list)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-screened_on", "-id"]


class Perpetrator(CaseChild):
    """Someone who took part (HTCDS per_RoleInProcess), linked to the recruiter or employer registries."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="perpetrators")
    name = models.CharField(_("name or alias"), max_length=200, blank=True)
    sex = models.CharField(_("sex"), max_length=8, blank=True)
    nationality = models.CharField(_("nationality"), max_length=2, blank=True)
    roles = models.JSONField(_("role in the process"), default=list)
    relationship = models.CharField(
        _("relationship to the person"), max_length=12, choices=Relationship.choices, blank=True
    )
    recruiter = models.ForeignKey(
        "workplaces.Recruiter", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    employer = models.ForeignKey(
        "workplaces.Employer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True)

    @property
    def role_labels(self) -> str:
        return labels(htcds.PerpetratorRole, self.roles)


class JourneyEvent(CaseChild):
    """A trafficking event: where and when the person was recruited, moved and exploited."""

    class Kind(models.TextChoices):
        RECRUITMENT = "recruitment", _("Recruitment")
        TRANSIT = "transit", _("Transit")
        EXPLOITATION = "exploitation", _("Exploitation")
        IDENTIFICATION = "identification", _("Found or escaped")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what happened"), max_length=16, choices=Kind.choices)
    occurred_on = models.DateField(_("when"))
    approximate = models.BooleanField(_("the date is approximate"), default=False)
    area = models.ForeignKey(
        "geo.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    country = models.CharField(_("country"), max_length=2, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    workplace = models.ForeignKey(
        "workplaces.Workplace", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["occurred_on", "id"]

    @property
    def country_name(self) -> str:
        return country_name(self.country)


class Step(CaseChild):
    """The case moved into a lifecycle stage on a date, with the agency responsible."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField(_("from"))
    responsible = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responsible_organisation = models.ForeignKey(
        "network.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["started_on", "stage__position", "id"]


class LegalEvent(CaseChild):
    """A moment of the legal process: complaint, investigation, prosecution, hearing, verdict, money."""

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("Complaint filed")
        INVESTIGATION = "investigation", _("Investigation opened")
        ARREST = "arrest", _("Arrest")
        PROSECUTION = "prosecution", _("Prosecution filed")
        HEARING = "hearing", _("Hearing")
        VERDICT = "verdict", _("Verdict")
        SENTENCE = "sentence", _("Sentence")
        APPEAL = "appeal", _("Appeal")
        COMPENSATION_ORDERED = "compensation_ordered", _("Compensation ordered")
        COMPENSATION_PAID = "compensation_paid", _("Compensation paid")
        MEDIATION = "mediation", _("Labour mediation")
        LABOUR_COURT = "labour_court", _("Labour court")

    class Outcome(models.TextChoices):
        NONE = "", _("—")
        CONVICTED = "convicted", _("Convicted")
        ACQUITTED = "acquitted", _("Acquitted")
        DISMISSED = "dismissed", _("Dismissed or withdrawn")
        SETTLED = "settled", _("Settled")
        PARTLY_SETTLED = "partly_settled", _("Partly settled")
        NOT_SETTLED = "not_settled", _("Not settled")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="legal_events")
    kind = models.CharField(_("what"), max_length=24, choices=Kind.choices)
    happened_on = models.DateField(_("date"))
    authority = models.CharField(_("court, unit or office"), max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    sentence = models.CharField(_("sentence"), max_length=200, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["happened_on", "id"]


class Deadline(CaseChild):
    """Something that must happen by a date (a hearing, a filing, a report); overdue ones raise an alert."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines")
    what = models.CharField(_("what"), max_length=200)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]


class SupportService(CaseChild):
    """One line of the support plan, with its provider from the directory."""

    class Kind(models.TextChoices):
        SHELTER = "shelter", _("Shelter")
        MEDICAL = "medical", _("Medical care")
        PSYCHOSOCIAL = "psychosocial", _("Psychosocial support")
        LEGAL_AID = "legal_aid", _("Legal aid")
        INTERPRETATION = "interpretation", _("Interpretation")
        EDUCATION = "education", _("Education")
        VOCATIONAL = "vocational", _("Vocational training")
        FAMILY = "family", _("Family support")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ONGOING = "ongoing", _("Ongoing")
        DONE = "done", _("Done")
        DECLINED = "declined", _("Declined by the person")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="services")
    kind = models.CharField(_("service"), max_length=16, choices=Kind.choices)
    provider = models.ForeignKey(
        "network.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responder = models.ForeignKey(
        "network.Responder", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Set when the receiving agency of an accepted referral added it: the referral and consent it rests on.
    via_referral = models.ForeignKey(
        "Referral", null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )


class ShelterStay(CaseChild):
    """A stay in a shelter, timed: past its limit it raises an alert (30 days for a child by default)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shelter_stays")
    shelter = models.ForeignKey("network.Organisation", on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField(_("arrived on"))
    ended_on = models.DateField(_("left on"), null=True, blank=True)
    limit_days = models.PositiveSmallIntegerField(_("review after (days)"))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-started_on"]

    def days(self, today: date) -> int:
        return ((self.ended_on or today) - self.started_on).days


class BestInterestsAssessment(CaseChild):
    """The safety and best-interests assessment a return needs."""

    class Recommendation(models.TextChoices):
        RETURN = "return", _("Return home is safe and in their best interests")
        NOT_YET = "not_yet", _("Not yet: more work needed first")
        ALTERNATIVE_CARE = "alternative_care", _("Alternative care")
        LOCAL = "local", _("Stay and integrate locally")
        THIRD_COUNTRY = "third_country", _("Another country")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    assessed_on = models.DateField(_("assessed on"))
    assessor = models.CharField(_("assessed by (name and organisation)"), max_length=200)
    family_traced = models.BooleanField(_("family traced and contacted"), default=False)
    home_safe = models.BooleanField(_("home checked and found safe"), default=False)
    views = models.TextField(_("the person's own views"))
    risks = models.TextField(_("risks found"), blank=True)
    recommendation = models.CharField(_("recommendation"), max_length=20, choices=Recommendation.choices)

    class Meta:
        ordering = ["-assessed_on", "-id"]

    @property
    def supports_return(self) -> bool:
        return self.recommendation == self.Recommendation.RETURN and self.home_safe


class Repatriation(CaseChild):
    """A return home, within the country or across a border under a named agreement, with its packet."""

    class Kind(models.TextChoices):
        DOMESTIC = "domestic", _("Within the country")
        CROSS_BORDER = "cross_border", _("Across a border")

    class Status(models.TextChoices):
        PREPARED = "prepared", _("Prepared")
        SENT = "sent", _("Packet sent")
        ACKNOWLEDGED = "acknowledged", _("Receiving side acknowledged")
        COMPLETED = "completed", _("Person returned")
        CANCELLED = "cancelled", _("Cancelled")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="repatriations")
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    agreement = models.ForeignKey(
        "network.Agreement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    destination_country = models.CharField(_("to country"), max_length=2)
    destination_area = models.ForeignKey(
        "geo.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    receiving_focal_point = models.ForeignKey(
        "network.Responder", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assessment = models.ForeignKey(BestInterestsAssessment, on_delete=models.PROTECT, related_name="+")
    summary_language = models.CharField(_("summary language"), max_length=10, blank=True)
    translated_summary = models.TextField(_("summary in the receiving side's language"), blank=True)
    packet = models.JSONField(_("transfer packet"), default=dict)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.PREPARED)
    planned_on = models.DateField(_("planned for"), null=True, blank=True)
    sent_on = models.DateField(_("packet sent on"), null=True, blank=True)
    acknowledged_on = models.DateField(_("acknowledged on"), null=True, blank=True)
    acknowledged_by = models.CharField(_("acknowledged by"), max_length=200, blank=True)
    completed_on = models.DateField(_("returned on"), null=True, blank=True)
    measures = models.JSONField(
        _("child-friendly measures of the return"),
        default=list,
        blank=True,
        help_text=_("Codes from the list of child-friendly return measures."),
    )
    measures_note = models.TextField(_("more about how the return is made child-friendly"), blank=True)
    incoming = models.BooleanField(
        _("received from the other country"),
        default=False,
        help_text=_("The return of a child coming here, as the sending country's packet described it."),
    )
    destination_place = models.CharField(
        _("place named by the other side"),
        max_length=300,
        blank=True,
        help_text=_("The destination as the other country named it, when it is not in the area list here."),
    )

    @property
    def country_name(self) -> str:
        return country_name(self.destination_country)


class ReturnMeasureKind(ListEntry):
    """One child-friendly measure a return can take (escort of the same sex, interpreter, no uniform at the
    hand-over…): a list kept as data that is extended on its page without a release."""

    class Meta(ListEntry.Meta):
        verbose_name = _("child-friendly return measure")
        verbose_name_plural = _("child-friendly return measures")


class ReturnPartner(CaseChild):
    """An agency or a person taking part in a return, on either side of the border: the sending and the
    receiving agencies, the escorts, the shelter that receives the child."""

    class Role(models.TextChoices):
        SENDING_AGENCY = "sending_agency", _("Sending agency")
        RECEIVING_AGENCY = "receiving_agency", _("Receiving agency")
        SENDING_ESCORT = "sending_escort", _("Escort from the sending side")
        RECEIVING_ESCORT = "receiving_escort", _("Escort from the receiving side")
        RECEIVING_SHELTER = "receiving_shelter", _("Shelter or family that receives the child")
        OTHER = "other", _("Other partner")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    repatriation = models.ForeignKey(Repatriation, on_delete=models.CASCADE, related_name="partners")
    role = models.CharField(_("role in the return"), max_length=20, choices=Role.choices)
    name = models.CharField(_("name (agency, or person and agency)"), max_length=200)
    country = models.CharField(_("country"), max_length=2, blank=True)
    contact = models.CharField(_("how to reach them"), max_length=200, blank=True)

    class Meta:
        ordering = ["repatriation", "id"]
        verbose_name = _("partner of a return")
        verbose_name_plural = _("partners of a return")

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name}"


class FollowUp(CaseChild):
    """A reintegration visit or a report back from the receiving side after a return."""

    class Kind(models.TextChoices):
        REINTEGRATION = "reintegration", _("Reintegration visit")
        REPORT_BACK = "report_back", _("Report from the receiving side")
        CALL = "call", _("Phone check")

    class Wellbeing(models.TextChoices):
        GOOD = "good", _("Doing well")
        FAIR = "fair", _("Some difficulties")
        AT_RISK = "at_risk", _("At risk")
        UNREACHABLE = "unreachable", _("Could not be reached")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    by = models.CharField(_("by"), max_length=200, blank=True)
    wellbeing = models.CharField(_("how they are"), max_length=12, choices=Wellbeing.choices, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    via_referral = models.ForeignKey(
        "Referral", null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    partner = models.ForeignKey(
        "ReturnPartner",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
        verbose_name=_("partner of the return who followed up"),
    )

    class Meta:
        ordering = ["-due_on", "-id"]


class CaseNote(CaseChild):
    """A note on a case, by its owner's case staff or by the receiving agency of an accepted referral.

    Sensitive: every reading and every writing is audited (never with the text). The owning agency reads every
    note of its case; a receiving agency reads only the notes its own staff wrote, while its referral stands.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("written by (agency)")
    )
    text = EncryptedTextField(_("note"))
    via_referral = models.ForeignKey(
        "Referral", null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )

    SENSITIVE_FIELDS = ("text",)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    @classmethod
    def visible_to(cls, user: Any, action: str = Action.VIEW) -> models.QuerySet[Any]:
        """Every note of the viewer's own agencies' cases; on a case referred in, its own agency's only."""
        from safepassage.core.access import viewer_for

        viewer = user if isinstance(user, Viewer) else viewer_for(user)
        own = Case.objects.filter(Case.own_q(viewer, action))
        if action != Action.VIEW:
            return cls.objects.filter(case__in=own)
        receiving = [g.agency_id for g in viewer.grants if g.role in CASE_ROLES]
        shared = Referral.objects.filter(to_agency_id__in=receiving, status=Referral.Status.ACCEPTED)
        return cls.objects.filter(
            Q(case__in=own) | Q(case__in=shared.values("case_id"), agency_id__in=receiving)
        )


class Conference(CaseChild):
    """A case conference: who came, what was learned from the person, and what was decided."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="conferences")
    held_on = models.DateField(_("held on"))
    attendees = models.ManyToManyField("network.Responder", blank=True, related_name="+")
    other_attendees = models.CharField(_("other attendees"), max_length=300, blank=True)
    learned = models.TextField(_("what was learned from the person"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]


class ConferenceAction(models.Model):
    """An action decided at a conference, with an owner and a due date."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="actions")
    what = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        "network.Responder", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner_name = models.CharField(_("owner"), max_length=200, blank=True)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]


class Referral(models.Model):
    """A case referred to an organisation: consent (or an override with a reason), then accept / reject /
    complete / revoke. Accepted, it opens that one case to the receiving agency until revoked."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        COMPLETED = "completed", _("Completed")
        REVOKED = "revoked", _("Revoked")

    class Consent(models.TextChoices):
        PERSON = "person", _("The person agreed")
        GUARDIAN = "guardian", _("A parent or guardian agreed")
        OVERRIDE = "override", _("No consent: overridden for their safety")
        BEST_INTERESTS = "best_interests", _("A child: the recorded best-interests decision")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    from_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    to_organisation = models.ForeignKey("network.Organisation", on_delete=models.PROTECT, related_name="+")
    to_responder = models.ForeignKey(
        "network.Responder", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_agency = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason (HTCDS)"), max_length=30, choices=ReferralReason.choices)
    purpose = models.CharField(_("reason"), max_length=20, choices=ReferralPurpose.choices, blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="onward",
        verbose_name=_("referred on from"),
        help_text=_("Set when the receiving agency of an accepted referral refers the case on."),
    )
    services = models.JSONField(_("services asked for"), default=list, blank=True)
    details = models.TextField(_("details (no names: the case carries them)"), blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    consent = models.CharField(_("consent"), max_length=20, choices=Consent.choices)
    consent_on = models.DateField(_("consent given on"), null=True, blank=True)
    override_reason = models.TextField(_("why consent was overridden"), blank=True)
    # What the consent says (accounts/profiles.py): whether it names the receiving agency, and which of
    # address, health and documentation status it lets that agency read beyond its profile.
    consent_names_agency = models.BooleanField(_("the consent names the receiving agency"), default=False)
    consent_covers = models.JSONField(_("the consent also covers"), default=list, blank=True)
    best_interests = models.ForeignKey(
        BestInterestsAssessment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("best-interests decision"),
    )
    # The receiving agency's profile when the referral was sent: what the sender was shown it would read.
    profile = models.CharField(_("receiving profile"), max_length=20, blank=True)
    consent_withdrawn_on = models.DateField(_("consent withdrawn on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    responded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    responded_at = models.DateTimeField(null=True, blank=True)
    response_note = models.TextField(_("answer"), blank=True)
    closed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    close_note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["to_agency", "status"])]

    def __str__(self) -> str:
        return f"{self.case.reference} → {self.to_organisation}"

    def audit_label(self) -> str:
        return f"referral {self.pk} · {self.case.reference}"

    @property
    def service_labels(self) -> str:
        return labels(SupportService.Kind, self.services)

    @property
    def purpose_label(self) -> str:
        """What it asks for: the network's reason, else the HTCDS one (for referrals made before)."""
        return self.get_purpose_display() if self.purpose else self.get_reason_display()

    @classmethod
    def visible_to(cls, user: Any, action: str = Action.VIEW) -> models.QuerySet[Referral]:
        """The referring side (through the case) and the receiving agency's case staff."""
        from safepassage.core.access import viewer_for

        viewer = user if isinstance(user, Viewer) else viewer_for(user)
        staff = [g.agency_id for g in viewer.grants if g.role in CASE_ROLES]
        own_cases = Case.objects.filter(Case.own_q(viewer, action))
        # An agency that referred a case on (from a referral it accepted) follows that onward referral too.
        return cls.objects.filter(
            Q(case__in=own_cases)
            | Q(to_agency_id__in=staff)
            | Q(parent__isnull=False, from_agency_id__in=staff)
        )


class CaseAlert(models.Model):
    """Something about a case needs attention: an overdue deadline or action, a long shelter stay."""

    class Kind(models.TextChoices):
        DEADLINE = "deadline", _("Deadline passed")
        SHELTER = "shelter", _("Long shelter stay")
        ACTION = "action", _("Conference action overdue")
        FOLLOW_UP = "follow_up", _("Follow-up overdue")
        REFERRAL = "referral", _("Referral waiting")
        EMERGENCY = "emergency", _("Opened in an emergency: to review")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESOLVED = "resolved", _("Resolved")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=60, help_text="What raised it, so a second scan raises nothing new.")
    message = models.CharField(_("message"), max_length=300)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="case_alerts")
    acknowledged_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="one_case_alert_per_cause")]

    def audit_label(self) -> str:
        return f"{self.get_kind_display()} · {self.case.reference}"

    @classmethod
    def visible_to(cls, user: Any, action: str = Action.VIEW) -> models.QuerySet[CaseAlert]:
        """Alerts of the viewer's own agencies' cases; a referral does not bring the sender's alerts."""
        from safepassage.core.access import viewer_for

        viewer = user if isinstance(user, Viewer) else viewer_for(user)
        return cls.objects.filter(case__in=Case.objects.filter(Case.own_q(viewer, action)))


from safepassage.cases.break_glass_models import BreakGlass as BreakGlass  # noqa: E402  (same app)
from safepassage.cases.child_models import ChildRole as ChildRole  # noqa: E402  (same app)
from safepassage.cases.child_models import DetentionStay as DetentionStay  # noqa: E402
