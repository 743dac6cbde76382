"""Sin space: workplaces in sectors linked to exploitation, their employers, recruiters and the evidence."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from safepassage.core.access import Viewer
from safepassage.core.fields import EncryptedCharField, EncryptedJSONField, EncryptedTextField
from safepassage.core.kinds import Kind
from safepassage.core.models import AgencyOwned, TimeStamped
from safepassage.core.roles import Action, Role


class Sector(models.TextChoices):
    """The first sectors (PRODUCT.md), each mapped to an ISIC section: only the seed of `SectorKind`
    (migration 0006) and the codes of the ISIC map. The list itself is data: use `kinds.sector_choices()`."""

    FISHING = "fishing", _("Fishing vessels")
    SEAFOOD = "seafood", _("Seafood processing")
    AGRICULTURE = "agriculture", _("Agriculture and plantations")
    CONSTRUCTION = "construction", _("Construction")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    DOMESTIC = "domestic", _("Domestic work")
    ENTERTAINMENT = "entertainment", _("Entertainment (karaoke, bars, massage)")
    COMMERCIAL_SEX = "commercial_sex", _("Commercial sex")
    HOSPITALITY = "hospitality", _("Hotels, guesthouses and restaurants")
    MARKETS = "markets", _("Markets and street trades")
    BEGGING = "begging", _("Begging")
    BRICK_KILNS = "brick_kilns", _("Brick kilns")
    MINING = "mining", _("Mining")
    OTHER = "other", _("Other")


ISIC_SECTION = {
    "fishing": "A",
    "seafood": "C",
    "agriculture": "A",
    "construction": "F",
    "manufacturing": "C",
    "domestic": "T",
    "entertainment": "R",
    "commercial_sex": "S",
    "hospitality": "I",
    "markets": "G",
    "begging": "S",
    "brick_kilns": "C",
    "mining": "B",
    "other": "",
}


class LabourIndicator(models.TextChoices):
    """The ILO's 11 indicators of forced labour, and four more the seeds name."""

    ABUSE_OF_VULNERABILITY = "abuse_of_vulnerability", _("Abuse of vulnerability")
    DECEPTION = "deception", _("Deception")
    RESTRICTION_OF_MOVEMENT = "restriction_of_movement", _("Restriction of movement")
    ISOLATION = "isolation", _("Isolation")
    VIOLENCE = "physical_sexual_violence", _("Physical and sexual violence")
    INTIMIDATION = "intimidation_threats", _("Intimidation and threats")
    DOCUMENTS = "retention_of_documents", _("Retention of identity documents")
    WAGES = "withholding_of_wages", _("Withholding of wages")
    DEBT_BONDAGE = "debt_bondage", _("Debt bondage")
    CONDITIONS = "abusive_conditions", _("Abusive working and living conditions")
    OVERTIME = "excessive_overtime", _("Excessive overtime")
    CHILD_WORKERS = "child_workers", _("Child or underage workers")
    DEPOSITS = "unlawful_deposits", _("Unlawful deposits")
    NO_CONTRACT = "no_contract", _("No contract")
    FEES = "recruitment_fees", _("Recruitment fees charged to workers")


# Workplace records are staff work: volunteers, analysts and partners see none (partners see their own
# employer's records through shared_q).
STAFF_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({Action.VIEW, Action.CHANGE, Action.DELETE}),
    Role.COORDINATOR: frozenset({Action.VIEW, Action.CHANGE, Action.DELETE}),
    Role.CASEWORKER: frozenset({Action.VIEW, Action.CHANGE}),
}


def _partner_agencies(viewer: Viewer) -> list[int]:
    return [g.agency_id for g in viewer.grants if g.role == Role.PARTNER]


class EmployerStatus(models.TextChoices):
    """An employer's standing, earned from evidence (docs/prevention.md, G-19, R-058)."""

    NONE = "none", _("No status")
    GOOD = "good", _("Good employer")
    WITHDRAWN = "withdrawn", _("Good-employer status withdrawn")
    LAPSED = "lapsed", _("Good-employer status ended: review due")


class Employer(AgencyOwned, TimeStamped):
    """A business that employs people at one or more workplaces; may be a partner with its own login."""

    legal_name = models.CharField(_("legal name"), max_length=200)
    owner_name = EncryptedCharField(_("owner"), max_length=200, blank=True)
    registration_number = models.CharField(_("registration number"), max_length=64, blank=True)
    contacts = EncryptedJSONField(_("contacts"), default=dict, blank=True)
    abides_by_labour_law = models.BooleanField(_("abides by labour law"), default=False)
    registered = models.BooleanField(_("registered with the authorities"), default=False)
    trains_staff = models.BooleanField(_("trains staff"), default=False)
    partner_agency = models.ForeignKey(
        "accounts.Agency",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The employer's own agency, whose partner users see this employer's workplaces."),
    )
    # The status and its two dates are all the employer reads of it: each date is one the employer already
    # knows (the grant, the day a finding was notified to it, the review date fixed at the grant), never the
    # moment staff worked on it, so nothing on it can follow a tip (PRODUCT.md invariant 3).
    status = models.CharField(
        _("status"), max_length=10, choices=EmployerStatus.choices, default=EmployerStatus.NONE
    )
    status_from = models.DateField(_("status since"), null=True, blank=True)
    status_review_on = models.DateField(_("review on"), null=True, blank=True)

    SENSITIVE_FIELDS = ("contacts", "owner_name")
    ROLE_ACTIONS = STAFF_ACTIONS

    def __str__(self) -> str:
        return self.legal_name

    @property
    def good_employer(self) -> bool:
        """Holds the good-employer status, granted from evidence and not withdrawn or lapsed."""
        return self.status == EmployerStatus.GOOD

    @classmethod
    def shared_q(cls, viewer: Viewer, action: str) -> Q:
        """A partner employer sees its own record, read-only."""
        if action != Action.VIEW:
            return Q(pk__in=[])
        return Q(partner_agency_id__in=_partner_agencies(viewer))


class EmployerCommitment(models.Model):
    """A signed commitment by an employer (e.g. not to employ children, to pay on time)."""

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="commitments")
    signed_on = models.DateField(_("signed on"))
    text = models.TextField(_("text"))
    signatories = models.JSONField(_("signatories"), default=list)
    kept = models.BooleanField(_("kept"), null=True, blank=True, help_text=_("Blank until checked."))
    checked_on = models.DateField(_("checked on"), null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.employer} · {self.signed_on}"


class EmployerAward(models.Model):
    """Recognition an employer received (e.g. a provincial good-employer award)."""

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="awards")
    awarded_on = models.DateField(_("date"))
    name = models.CharField(_("award"), max_length=200)

    def __str__(self) -> str:
        return self.name


class EmployerViolation(models.Model):
    """A breach of labour or other law found against an employer (a finding), and what came of it. Once it
    is notified to the employer through the normal channel it withdraws a good-employer status."""

    class Kind(models.TextChoices):
        INSPECTION = "inspection", _("Inspection finding")
        LABOUR_CASE = "labour_case", _("Labour case")
        COMPLAINT = "complaint", _("Complaint upheld")
        OTHER = "other", _("Other breach")

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="violations")
    found_on = models.DateField(_("date"))
    law = models.CharField(_("law or rule"), max_length=200)
    outcome = models.CharField(_("outcome"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.OTHER)
    case_reference = models.CharField(_("case or inspection reference"), max_length=40, blank=True)
    notified_on = models.DateField(
        _("notified to the employer on"),
        null=True,
        blank=True,
        help_text=_("The day the employer was told through the normal channel (letter, inspection report)."),
    )
    notified_how = models.CharField(_("notified how"), max_length=200, blank=True)

    def __str__(self) -> str:
        return self.law


class SectorKind(Kind):
    """A sector of work, as data (R-016, G-07): system administrators add, rename and retire them."""

    class Meta(Kind.Meta):
        verbose_name = _("sector")


class Workplace(AgencyOwned, TimeStamped):
    """A place where people work in a sector linked to exploitation, with its evidence-based rating."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")
        UNKNOWN = "unknown", _("Unknown")

    name = models.CharField(_("name"), max_length=200)
    aliases = models.JSONField(_("other names"), default=list, blank=True)
    sector = models.CharField(_("sector"), max_length=40, db_index=True)  # a SectorKind code
    address = models.CharField(_("address"), max_length=300, blank=True)
    village = models.ForeignKey("geo.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    lat = models.FloatField(_("latitude"), null=True, blank=True, db_index=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True, db_index=True)
    outline = models.JSONField(_("outline (GeoJSON polygon)"), null=True, blank=True)
    employer = models.ForeignKey(
        Employer, null=True, blank=True, on_delete=models.SET_NULL, related_name="workplaces"
    )
    registration_number = models.CharField(_("registration number"), max_length=64, blank=True)
    licence_number = models.CharField(_("licence number"), max_length=64, blank=True)
    workforce_estimate = models.PositiveIntegerField(_("estimated workforce"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    watch_listed = models.BooleanField(_("on the watch list"), default=False, db_index=True)
    watch_reason = models.CharField(_("why it is watched"), max_length=300, blank=True)
    last_verified = models.DateField(_("last verified"), null=True, blank=True)
    risk_score = models.FloatField(default=0)
    risk_band = models.CharField(max_length=8, default="none", db_index=True)
    risk_breakdown = models.JSONField(default=list, blank=True)
    override_band = models.CharField(max_length=8, blank=True)
    override_reason = models.CharField(max_length=300, blank=True)

    AREA_FIELD = "village"
    ROLE_ACTIONS = STAFF_ACTIONS

    class Meta:
        indexes = [models.Index(fields=["lat", "lon"]), models.Index(fields=["agency", "sector"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(lat__isnull=True) | Q(lat__gte=-90, lat__lte=90), name="wp_lat"
            ),
            models.CheckConstraint(
                condition=Q(lon__isnull=True) | Q(lon__gte=-180, lon__lte=180), name="wp_lon"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_sector_display(self) -> str:
        """The sector's label in the current language, a retired sector's too (its code if never listed)."""
        kind = SectorKind.objects.filter(code=self.sector).first()
        return kind.label() if kind else self.sector

    @property
    def isic_section(self) -> str:
        return ISIC_SECTION.get(self.sector, "")

    @property
    def band(self) -> str:
        """The band shown: a coordinator's override where there is one, else the computed band."""
        return self.override_band or self.risk_band

    @classmethod
    def shared_q(cls, viewer: Viewer, action: str) -> Q:
        """A partner employer sees its own workplaces, read-only."""
        if action != Action.VIEW:
            return Q(pk__in=[])
        return Q(employer__partner_agency_id__in=_partner_agencies(viewer))


class RatingChange(models.Model):
    """The history of a workplace's rating: every recomputation and every override, with its reason."""

    workplace = models.ForeignKey(Workplace, on_delete=models.CASCADE, related_name="rating_history")
    at = models.DateTimeField(auto_now_add=True)
    score = models.FloatField()
    band = models.CharField(max_length=8)
    override_band = models.CharField(max_length=8, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.workplace} {self.band} {self.at:%Y-%m-%d}"


class Observation(AgencyOwned):
    """Evidence about a workplace: who saw what, when, how reliable. Who informed is kept apart."""

    class Source(models.TextChoices):
        INSPECTION = "inspection", _("Inspection (primary)")
        VISIT = "visit", _("Visit (primary)")
        TIP = "tip", _("Tip (secondary)")
        REPORT = "report", _("Report (secondary)")
        MEDIA = "media", _("Media (secondary)")
        EMPLOYER = "employer", _("Employer-supplied (secondary)")
        CASE = "case", _("From a case (secondary)")

    class Reliability(models.TextChoices):
        A = "A", _("A · confirmed")
        B = "B", _("B · probably true")
        C = "C", _("C · possibly true")
        D = "D", _("D · doubtful")
        E = "E", _("E · cannot be judged")

    workplace = models.ForeignKey(Workplace, on_delete=models.PROTECT, related_name="observations")
    observed_on = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    reliability = models.CharField(_("reliability"), max_length=1, choices=Reliability.choices)
    indicators = models.JSONField(_("indicators seen"), default=list)
    text = models.TextField(_("what was seen or heard"), blank=True)
    informant = EncryptedTextField(_("who informed (kept apart)"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    SENSITIVE_FIELDS = ("informant",)
    # Partners and employers never see observations; volunteers do not handle workplace evidence.
    ROLE_ACTIONS: ClassVar[dict[str, frozenset[str]]] = {
        Role.ADMIN: frozenset({Action.VIEW, Action.CHANGE}),
        Role.COORDINATOR: frozenset({Action.VIEW, Action.CHANGE}),
        Role.CASEWORKER: frozenset({Action.VIEW, Action.CHANGE}),
    }

    class Meta:
        ordering = ["-observed_on", "-id"]

    def __str__(self) -> str:
        return f"observation #{self.pk}"

    def audit_label(self) -> str:
        return f"observation #{self.pk}"

    @property
    def primary(self) -> bool:
        return self.source in (self.Source.INSPECTION, self.Source.VISIT)


def _attachment_path(instance: Attachment, filename: str) -> str:
    import uuid

    return f"observations/{instance.observation_id}/{uuid.uuid4().hex}-{filename[-80:]}"


class Attachment(models.Model):
    """A private file kept with an observation (a photo, a document); served only through an access check."""

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Intervention(AgencyOwned):
    """An interception or intervention at a workplace: what was done, when, and what came of it."""

    class Kind(models.TextChoices):
        INSPECTION = "inspection", _("Joint inspection")
        INTERCEPTION = "interception", _("Interception")
        RESCUE = "rescue", _("Rescue")
        MEDIATION = "mediation", _("Mediation with the employer")
        OTHER = "other", _("Other")

    workplace = models.ForeignKey(Workplace, on_delete=models.PROTECT, related_name="interventions")
    happened_on = models.DateField(_("date"))
    kind = models.CharField(_("what"), max_length=14, choices=Kind.choices)
    people_assisted = models.PositiveIntegerField(_("people assisted"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    ROLE_ACTIONS = STAFF_ACTIONS

    class Meta:
        ordering = ["-happened_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.happened_on}"


def may_see_informant(viewer: Viewer, observation: Any) -> bool:
    """Only the recording agency's coordinators and administrators see who informed."""
    return viewer.has_role(Role.COORDINATOR, Role.ADMIN, agency_id=observation.agency_id)


class Recruiter(AgencyOwned, TimeStamped):
    """A recruiter or broker, a person or an agency, with licence, registration and screening."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        AGENCY = "agency", _("Recruitment agency")

    class Licence(models.TextChoices):
        LICENSED = "licensed", _("Licensed")
        UNLICENSED = "unlicensed", _("No licence")
        EXPIRED = "expired", _("Licence expired")
        UNKNOWN = "unknown", _("Not known")

    class Screening(models.TextChoices):
        PENDING = "pending", _("Not screened yet")
        CLEARED = "cleared", _("No concerns found")
        CONCERNS = "concerns", _("Concerns found")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.PERSON)
    licence_status = models.CharField(
        _("licence"), max_length=12, choices=Licence.choices, default=Licence.UNKNOWN
    )
    licence_number = models.CharField(_("licence number"), max_length=64, blank=True)
    licence_authority = models.CharField(_("licensing authority"), max_length=200, blank=True)
    villages = models.ManyToManyField(
        "geo.Area", blank=True, related_name="+", verbose_name=_("villages active in")
    )
    registered_on = models.DateField(_("registered at the local office on"), null=True, blank=True)
    registration_office = models.CharField(_("registration office"), max_length=200, blank=True)
    screening = models.CharField(
        _("screening"), max_length=10, choices=Screening.choices, default=Screening.PENDING
    )
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    screened_on = models.DateField(null=True, blank=True)
    red_flags = models.JSONField(_("red flags"), default=list, blank=True)
    workplaces = models.ManyToManyField(Workplace, blank=True, related_name="recruiters")
    placed_people = models.ManyToManyField("registry.Person", blank=True, related_name="recruiters")

    ROLE_ACTIONS = STAFF_ACTIONS
    SENSITIVE_FIELDS = ("name",)

    def audit_label(self) -> str:
        """A recruiter may be a person: named in the trail by number only."""
        return f"recruiter #{self.pk}"

    def __str__(self) -> str:
        return self.name


class EmployerSubmission(AgencyOwned):
    """What a partner employer reports about a workplace: demand, hours, living conditions and workforce
    counts — never workers' names. Owned by the employer's own agency, shared with the workplace's."""

    workplace = models.ForeignKey(Workplace, on_delete=models.PROTECT, related_name="submissions")
    period = models.CharField(_("period"), max_length=20, help_text=_("e.g. 2026-Q3"))
    vacancies = models.JSONField(_("vacancies by skill"), default=dict)
    weekly_hours = models.PositiveSmallIntegerField(_("usual weekly hours"), null=True, blank=True)
    living_conditions = models.TextField(_("living conditions"), blank=True)
    workforce = models.JSONField(_("workforce counts"), default=dict)
    # The periodic return's wages and training (docs/prevention.md, R-014).
    lowest_daily_wage = models.PositiveIntegerField(_("lowest daily wage paid (baht)"), null=True, blank=True)
    usual_daily_wage = models.PositiveIntegerField(_("usual daily wage (baht)"), null=True, blank=True)
    wages_on_time = models.BooleanField(_("all wages paid on time"), null=True, blank=True)
    training_sessions = models.PositiveSmallIntegerField(_("training sessions held"), default=0)
    people_trained = models.PositiveIntegerField(_("workers trained"), default=0)
    training_topics = models.CharField(_("training topics"), max_length=300, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)

    ROLE_ACTIONS: ClassVar[dict[str, frozenset[str]]] = {
        Role.ADMIN: frozenset({Action.VIEW}),
        Role.COORDINATOR: frozenset({Action.VIEW}),
        Role.CASEWORKER: frozenset({Action.VIEW}),
        Role.PARTNER: frozenset({Action.VIEW, Action.CHANGE}),
    }

    def __str__(self) -> str:
        return f"{self.workplace} · {self.period}"

    @classmethod
    def shared_q(cls, viewer: Viewer, action: str) -> Q:
        """The workplace's owning agency reads what its employer submitted."""
        if action != Action.VIEW:
            return Q(pk__in=[])
        staff = [
            g.agency_id for g in viewer.grants if g.role in (Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER)
        ]
        return Q(workplace__agency_id__in=staff)


from safepassage.workplaces.status_models import (  # noqa: E402  (same app)
    EmployerStatusDecision as EmployerStatusDecision,
)
from safepassage.workplaces.status_models import ReturnReminder as ReturnReminder  # noqa: E402
from safepassage.workplaces.status_models import ReturnSchedule as ReturnSchedule  # noqa: E402

# Issue 22 part 8: links between establishments, supply chains and media items.
# Evidence like the observations: staff of the owning agency only, never partners or employers.


class WorkplaceLink(AgencyOwned):
    """Two establishments linked by what was seen: women moved from one venue to another (R-015), the same
    owner or the same broker. From where to where, from when to when, on what source."""

    class Kind(models.TextChoices):
        PEOPLE_MOVED = "people_moved", _("People moved from one to the other")
        SAME_OWNER = "same_owner", _("Same owner or manager")
        SAME_RECRUITER = "same_recruiter", _("Same recruiter or broker")
        OTHER = "other", _("Other link")

    from_workplace = models.ForeignKey(
        Workplace, on_delete=models.CASCADE, related_name="links_out", verbose_name=_("from")
    )
    to_workplace = models.ForeignKey(
        Workplace, on_delete=models.CASCADE, related_name="links_in", verbose_name=_("to")
    )
    kind = models.CharField(_("kind of link"), max_length=16, choices=Kind.choices)
    started_on = models.DateField(_("first seen on"))
    ended_on = models.DateField(_("last seen on"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=Observation.Source.choices)
    reliability = models.CharField(_("reliability"), max_length=1, choices=Observation.Reliability.choices)
    note = EncryptedTextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    SENSITIVE_FIELDS = ("note",)
    ROLE_ACTIONS = Observation.ROLE_ACTIONS

    class Meta:
        ordering = ["-started_on", "-id"]

    def __str__(self) -> str:
        return f"link #{self.pk}"


class SupplyLink(AgencyOwned):
    """A workplace supplies an employer or buyer (R-097): who, what product, since when, on what source."""

    workplace = models.ForeignKey(Workplace, on_delete=models.CASCADE, related_name="supplies")
    buyer = models.ForeignKey(
        Employer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="suppliers",
        verbose_name=_("employer or buyer on record"),
    )
    buyer_name = models.CharField(
        _("buyer not on record"), max_length=200, blank=True, help_text=_("e.g. an exporter or a brand")
    )
    buyer_country = models.CharField(_("buyer's country (code)"), max_length=2, blank=True)
    product = models.CharField(_("product"), max_length=200)
    since = models.DateField(_("since"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=Observation.Source.choices)
    note = EncryptedTextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    SENSITIVE_FIELDS = ("note",)
    ROLE_ACTIONS = Observation.ROLE_ACTIONS

    class Meta:
        ordering = ["product", "id"]

    def __str__(self) -> str:
        return f"supply link #{self.pk}"

    @property
    def buyer_label(self) -> str:
        return self.buyer.legal_name if self.buyer else self.buyer_name


class MediaItem(AgencyOwned):
    """A news item, post or broadcast that may say something about a workplace (R-099). It waits in a review
    queue: a coordinator accepts it (it becomes an observation with source "media") or rejects it with a
    reason."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        ACCEPTED = "accepted", _("Accepted as evidence")
        REJECTED = "rejected", _("Rejected")

    published_on = models.DateField(_("published on"))
    outlet = models.CharField(_("outlet"), max_length=200, help_text=_("newspaper, station, page or channel"))
    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(_("link"), max_length=500, blank=True)
    summary = models.TextField(_("what it says"), blank=True)
    workplace = models.ForeignKey(
        Workplace,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="media_items",
        verbose_name=_("workplace it is about"),
    )
    indicators = models.JSONField(_("indicators it reports"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField(_("why it was rejected"), max_length=300, blank=True)
    observation = models.OneToOneField(
        Observation, null=True, blank=True, on_delete=models.SET_NULL, related_name="media_item"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    ROLE_ACTIONS = Observation.ROLE_ACTIONS

    class Meta:
        ordering = ["-published_on", "-id"]

    def __str__(self) -> str:
        return self.title
