"""The network of responders: organisations, the people who respond, their training and committees.

The directory is shared by every agency of the network (a social worker must find the police officer of the
next district), so any member may search it; each entry is maintained by one agency, whose coordinators and
administrators change it. Responders' personal contacts are sensitive: see `may_see_contacts`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from safepassage.accounts.profiles import ReceivingProfile
from safepassage.core.access import Viewer
from safepassage.core.fields import EncryptedCharField, EncryptedEmailField
from safepassage.core.kinds import Kind
from safepassage.core.models import AgencyOwned, TimeStamped
from safepassage.core.roles import Action, Role

# Roles that may search the directory: everyone who works with people. Analysts work on aggregates and
# partners see only what is shared with them, so neither reads names of responders.
DIRECTORY_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER, Role.VOLUNTEER)
MAINTAINER_ROLES = (Role.ADMIN, Role.COORDINATOR)


class DirectoryEntry(AgencyOwned, TimeStamped):
    """An entry of the shared directory: readable by the network, changed by the agency that keeps it."""

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, viewer: Viewer, action: str) -> Q:
        if action == Action.VIEW:
            return Q() if viewer.has_role(*DIRECTORY_ROLES) else Q(pk__in=[])
        keepers = [g.agency_id for g in viewer.grants if g.role in MAINTAINER_ROLES]
        return Q(agency_id__in=keepers)


class ExpertiseKind(Kind):
    """What a responder or an organisation can help with, as data (R-016, G-07): system administrators add,
    rename and retire entries."""

    class Meta(Kind.Meta):
        verbose_name = _("expertise")


class Expertise(models.TextChoices):
    """The first list of what a responder or an organisation can help with: only the seed of `ExpertiseKind`
    (migration 0009). The list itself is data: use `kinds.expertise_choices()`."""

    CHILD_PROTECTION = "child_protection", _("Child protection")
    LABOUR = "labour", _("Labour rights and inspection")
    SEXUAL_EXPLOITATION = "sexual_exploitation", _("Sexual exploitation")
    INVESTIGATION = "investigation", _("Investigation")
    LEGAL = "legal", _("Legal aid and prosecution")
    HEALTH = "health", _("Health care")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial support")
    SHELTER = "shelter", _("Shelter")
    INTERPRETATION = "interpretation", _("Interpretation")
    REPATRIATION = "repatriation", _("Return and repatriation")
    EDUCATION = "education", _("Education")
    VOCATIONAL = "vocational", _("Vocational training")
    FAMILY_TRACING = "family_tracing", _("Family tracing")
    SAFE_MIGRATION = "safe_migration", _("Safe migration advice")


class Organisation(DirectoryEntry):
    """A member agency's office or an outside service the network refers people to."""

    class Kind(models.TextChoices):
        MEMBER = "member", _("Member agency office")
        HOTLINE = "hotline", _("Hotline")
        SHELTER = "shelter", _("Shelter")
        LEGAL_AID = "legal_aid", _("Legal aid")
        HOSPITAL = "hospital", _("Hospital or clinic")
        SCHOOL = "school", _("School")
        CONSULATE = "consulate", _("Consulate or embassy")
        LABOUR_OFFICE = "labour_office", _("Labour office")
        POLICE = "police", _("Police unit")
        SOCIAL_SERVICES = "social_services", _("Social services")
        NGO = "ngo", _("NGO service")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # What it would read of a case (accounts/profiles.py); on SafePassage, its agency's profile counts.
    profile = models.CharField(
        _("receiving profile"), max_length=20, choices=ReceivingProfile.choices, blank=True
    )
    member_agency = models.ForeignKey(
        "accounts.Agency",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organisations",
        verbose_name=_("SafePassage agency"),
        help_text=_("Set when this organisation uses SafePassage: referrals to it reach that agency."),
    )
    country = models.CharField(_("country"), max_length=2, default="TH")
    area = models.ForeignKey(
        "geo.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    address = EncryptedCharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("public phone"), max_length=40, blank=True)
    services = models.JSONField(_("services"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    # A shelter's address is never shown outside the agencies that work with it (PRODUCT.md rule 6).
    SENSITIVE_FIELDS = ("address",)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [models.Index(fields=["kind", "active"])]

    def __str__(self) -> str:
        return self.name


def in_language(english: str, translations: Any, field: str) -> str:
    """A directory text in the active language: `translations[field][language]`, else the English column."""
    texts = translations.get(field) if isinstance(translations, dict) else None
    if not isinstance(texts, dict):
        return english
    language = (get_language() or "en").lower()
    return texts.get(language) or texts.get(language.split("-")[0]) or english


class Hotline(TimeStamped):
    """A phone line people can call for help, as data (not in code): Thailand's 1300 and 1506, for example.

    Hotlines are public and belong to no agency: system administrators keep the list
    (`safepassage directory load`), and every member reads it.
    """

    country = models.CharField(_("country"), max_length=2)
    number = models.CharField(_("number"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    purpose = models.CharField(_("what it is for"), max_length=300, blank=True)
    hours = models.CharField(_("hours"), max_length=100, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="hotlines"
    )
    active = models.BooleanField(_("active"), default=True)
    # Name, purpose and hours in other languages, `{"name": {"th": "…", "lo": "…"}, "purpose": {…}}`; the
    # English stays in the columns above, and is shown where a language has no text.
    translations = models.JSONField(_("texts in other languages"), default=dict, blank=True)
    # The coordination centre calls each number now and then and says so here; the public help page shows
    # the date (docs/prevention.md). Empty: never checked since it was recorded.
    checked_on = models.DateField(_("checked on"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    check_note = models.CharField(_("how it was checked"), max_length=300, blank=True)

    class Meta:
        ordering = ["country", "number"]
        constraints = [models.UniqueConstraint(fields=["country", "number"], name="one_hotline_per_number")]

    def __str__(self) -> str:
        return f"{self.number} · {self.name}"

    @property
    def title(self) -> str:
        """The name in the active language."""
        return in_language(self.name, self.translations, "name")

    @property
    def purpose_text(self) -> str:
        """What it is for, in the active language."""
        return in_language(self.purpose, self.translations, "purpose")

    @property
    def hours_text(self) -> str:
        """When it answers, in the active language."""
        return in_language(self.hours, self.translations, "hours")


class Responder(DirectoryEntry):
    """Someone who responds: an MDT member, a social worker, a police officer, a watchdog volunteer."""

    class RoleType(models.TextChoices):
        POLICE = "police", _("Police")
        SOCIAL_WORKER = "social_worker", _("Social worker")
        PROSECUTOR = "prosecutor", _("Prosecutor")
        LABOUR_INSPECTOR = "labour_inspector", _("Labour inspector")
        HEALTH = "health", _("Health worker")
        EDUCATION = "education", _("Teacher or education officer")
        INTERPRETER = "interpreter", _("Interpreter")
        NGO_WORKER = "ngo_worker", _("NGO worker")
        VOLUNTEER = "volunteer", _("Watchdog volunteer")
        FOCAL_POINT = "focal_point", _("Cross-border focal point")

    class Availability(models.TextChoices):
        AVAILABLE = "available", _("Available")
        ON_CALL = "on_call", _("On call")
        BUSY = "busy", _("Busy")
        AWAY = "away", _("Away")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="responders", verbose_name=_("organisation")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responder_profiles",
        verbose_name=_("SafePassage account"),
    )
    name = models.CharField(_("name"), max_length=200)
    role_type = models.CharField(_("role"), max_length=20, choices=RoleType.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    phone = EncryptedCharField(_("phone"), max_length=40, blank=True)
    email = EncryptedEmailField(_("email"), blank=True)
    messaging = EncryptedCharField(_("messaging app"), max_length=100, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    expertise = models.JSONField(_("expertise"), default=list, blank=True)
    areas = models.ManyToManyField("geo.Area", blank=True, related_name="+", verbose_name=_("areas covered"))
    availability = models.CharField(
        _("availability"), max_length=10, choices=Availability.choices, default=Availability.AVAILABLE
    )
    available_note = models.CharField(_("availability note"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=2, default="TH")
    active = models.BooleanField(_("active"), default=True)

    SENSITIVE_FIELDS = ("phone", "email", "messaging")
    CONTACT_FIELDS: ClassVar[tuple[str, ...]] = ("phone", "email", "messaging")

    class Meta:
        ordering = ["name"]
        verbose_name = _("responder")
        verbose_name_plural = _("responders")
        indexes = [models.Index(fields=["role_type", "active"])]

    def __str__(self) -> str:
        return self.name


def may_see_contacts(viewer: Viewer, responder: Responder, covered_paths: tuple[str, ...] = ()) -> bool:
    """Personal contacts: staff of any agency of the network; volunteers, for responders of their villages.

    `covered_paths` are the area paths of the responder (passed in to save a query per row).
    """
    if viewer.has_role(Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER):
        return True
    mine = [p for g in viewer.grants if g.role == Role.VOLUNTEER for p in g.area_paths]
    return any(a.startswith(m) or m.startswith(a) for a in covered_paths for m in mine)


def may_see_address(viewer: Viewer, organisation: Organisation) -> bool:
    """A shelter's address only for staff of the network's agencies, never volunteers; other addresses for
    every reader of the directory."""
    if organisation.kind != Organisation.Kind.SHELTER:
        return True
    return viewer.has_role(Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER)


class Training(TimeStamped):
    """A course a responder has completed."""

    responder = models.ForeignKey(Responder, on_delete=models.CASCADE, related_name="trainings")
    course = models.CharField(_("course"), max_length=200)
    provider = models.CharField(_("given by"), max_length=200, blank=True)
    completed_on = models.DateField(_("completed on"))
    expires_on = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["-completed_on"]

    def __str__(self) -> str:
        return self.course


class Committee(DirectoryEntry):
    """A standing group: a District Operating Centre, an MDT, a child-protection or village committee."""

    class Kind(models.TextChoices):
        DOC = "doc", _("District Operating Centre")
        PROVINCIAL = "provincial_centre", _("Provincial Operating Centre")  # governor chairs it
        MDT = "mdt", _("Multidisciplinary team")
        CHILD_PROTECTION = "child_protection", _("Child-protection committee")
        VILLAGE = "village", _("Village committee")
        WORKING_GROUP = "working_group", _("Working group")
        MIGRATION = "migration", _("Safe-migration committee")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    area = models.ForeignKey(
        "geo.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    meets = models.CharField(_("meets"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    members: models.ManyToManyField[Responder, CommitteeMember] = models.ManyToManyField(
        Responder, through="CommitteeMember", related_name="committees"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CommitteeMember(models.Model):
    """A responder's seat on a committee."""

    class Seat(models.TextChoices):
        CHAIR = "chair", _("Chair")
        SECRETARY = "secretary", _("Secretary")
        MEMBER = "member", _("Member")

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="seats")
    responder = models.ForeignKey(Responder, on_delete=models.CASCADE, related_name="seats")
    seat = models.CharField(_("seat"), max_length=10, choices=Seat.choices, default=Seat.MEMBER)
    since = models.DateField(_("since"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["committee", "responder"], name="one_seat_per_committee")
        ]

    def __str__(self) -> str:
        return f"{self.committee} · {self.get_seat_display()}"


class Agreement(models.Model):
    """A named bilateral or regional agreement under which people are returned across a border."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=300)
    countries = models.JSONField(_("countries"), default=list)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    # The name in other languages, `{"name": {"th": "…", …}}`; English in `name`.
    translations = models.JSONField(_("texts in other languages"), default=dict, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def title(self) -> str:
        """The name in the active language."""
        return in_language(self.name, self.translations, "name")


class SharingAgreement(models.Model):
    """An agreement between two agencies to share case records, recorded by one of them and shown to both.

    It is recorded and shown (on the referral form and the case), never a key: what a receiver reads still
    comes from its receiving profile and the consent on each referral."""

    agency = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.PROTECT,
        related_name="sharing_agreements",
        verbose_name=_("agency"),
    )
    partner = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("with agency")
    )
    title = models.CharField(_("title"), max_length=300)
    purpose = models.TextField(_("what is shared, and why"))
    reference = models.CharField(_("document reference"), max_length=100, blank=True)
    signed_on = models.DateField(_("signed on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    ended_on = models.DateField(_("ended early on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-signed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(agency=models.F("partner")), name="sharing_with_another_agency"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def in_force(self, on: Any) -> bool:
        """Signed, not ended early, not past its end."""
        if self.signed_on > on or (self.ended_on is not None and self.ended_on <= on):
            return False
        return self.ends_on is None or on <= self.ends_on


class FocalPoint(DirectoryEntry):
    """The responder to contact in one country for one purpose (repatriation, tracing, labour cases)."""

    class Purpose(models.TextChoices):
        REPATRIATION = "repatriation", _("Return and repatriation")
        FAMILY_TRACING = "family_tracing", _("Family tracing")
        LABOUR = "labour", _("Labour cases")
        MIGRATION = "migration", _("Safe migration")

    country = models.CharField(_("country"), max_length=2)
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    responder = models.ForeignKey(Responder, on_delete=models.CASCADE, related_name="focal_points")
    agreement = models.ForeignKey(
        Agreement, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["country", "purpose"]

    def __str__(self) -> str:
        return f"{self.country} · {self.get_purpose_display()} · {self.responder}"


def covered_by(area_paths: list[str], village_path: str) -> bool:
    """Whether any covered area contains the village."""
    return any(village_path.startswith(p) for p in area_paths)


class MinimumWage(TimeStamped):
    """A legal minimum wage as the public help page states it (R-086): data the coordination centre keeps
    and checks, with the day it took effect and where it was published, never a figure in code."""

    country = models.CharField(_("country"), max_length=2)
    area = models.CharField(_("where it applies"), max_length=200)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="THB")
    per = models.CharField(
        _("per"), max_length=8, default="day", choices=[("day", _("day")), ("month", _("month"))]
    )
    effective_on = models.DateField(_("in force from"))
    source = models.CharField(_("published in"), max_length=300)
    active = models.BooleanField(_("shown"), default=True)
    # The area's name in other languages, `{"area": {"th": "…"}}`, as for hotlines.
    translations = models.JSONField(_("texts in other languages"), default=dict, blank=True)
    checked_on = models.DateField(_("checked on"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["country", "-amount", "area"]

    def __str__(self) -> str:
        return f"{self.country} {self.area}: {self.amount} {self.currency}/{self.per}"

    @property
    def area_text(self) -> str:
        return in_language(self.area, self.translations, "area")


class HelpPageCount(models.Model):
    """How often the public help page was opened, per day and language: the only thing it keeps (no address,
    no browser, no time of day)."""

    day = models.DateField()
    language = models.CharField(max_length=10)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "language"], name="one_help_count_per_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.language}: {self.count}"


from safepassage.network.children_models import ChildMember as ChildMember  # noqa: E402  (same app)
from safepassage.network.children_models import ChildrenGroup as ChildrenGroup  # noqa: E402
from safepassage.network.children_models import ChildrenGroupReport as ChildrenGroupReport  # noqa: E402

# Issue 22 part 8: a reference library of laws, agreements, plans and guidelines.


def _library_path(instance: LibraryDocument, filename: str) -> str:
    import uuid

    return f"library/{uuid.uuid4().hex}-{filename[-80:]}"


class LibraryDocument(AgencyOwned, TimeStamped):
    """A law, an agreement between countries (MOU), a national plan, an operational guideline, a handbook or a
    country timeline: a link or a file (sealed on disk like every attachment), kept by one agency and read by
    the whole network or by that agency only."""

    class Kind(models.TextChoices):
        LAW = "law", _("Law or regulation")
        AGREEMENT = "agreement", _("Agreement or MOU between countries or agencies")
        PLAN = "plan", _("National plan or policy")
        GUIDELINE = "guideline", _("Operational guideline or procedure")
        HANDBOOK = "handbook", _("Handbook or training material")
        TIMELINE = "timeline", _("Country timeline")
        OTHER = "other", _("Other")

    class Audience(models.TextChoices):
        NETWORK = "network", _("Everyone in the network")
        AGENCY = "agency", _("Only our agency")

    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=16)
    country = models.CharField(_("country (code)"), max_length=2, blank=True)
    published_on = models.DateField(_("date"), null=True, blank=True)
    summary = models.TextField(_("what it is about"), blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    file = models.FileField(upload_to=_library_path, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    audience = models.CharField(_("who may see it"), max_length=8, choices=Audience.choices)
    active = models.BooleanField(_("in the library"), default=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-published_on", "title", "id"]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_q(cls, viewer: Viewer, action: str) -> Q:
        """The network's documents for every member of an agency; an agency's own for its members; kept by
        the agency's administrators and coordinators."""
        members = [g.agency_id for g in viewer.grants]
        if action == Action.VIEW:
            if not members:
                return Q(pk__in=[])
            return Q(audience=cls.Audience.NETWORK) | Q(agency_id__in=members)
        return Q(agency_id__in=[g.agency_id for g in viewer.grants if g.role in MAINTAINER_ROLES])


class TrainingFollowUp(models.Model):
    """A trainee followed up after a course (R-020: "following up with trainees"): do they use what they
    learned, are they still active in the network, what further training they need."""

    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="follow_ups")
    followed_up_on = models.DateField(_("followed up on"))
    applying = models.BooleanField(_("uses what they learned"), null=True)
    still_active = models.BooleanField(_("still active in the network"), null=True)
    needs = models.CharField(_("further training or support needed"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-followed_up_on", "-id"]

    def __str__(self) -> str:
        return f"{self.training} · {self.followed_up_on}"
