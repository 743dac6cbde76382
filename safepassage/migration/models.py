"""The safe-migration channel: voluntary registration before leaving, tracing to the destination, arrival and
welfare check-ins, recruiters' vacancies and placements, and working children found at a site.

Registration is voluntary and never a barrier (PRODUCT.md rule 1): nothing here can record, or be read as, a
refusal to let someone leave — there is no such status, and a test proves it. Advice is recorded instead.

Who sees what: the agencies at the two ends of a channel (the agency that runs it, and the member agencies of
its origin and destination organisations) see its registrations; contact and document data only the
registering agency and the destination organisation's agency; enforcement-only agencies never see individual
registrations (PRODUCT.md rule 2).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from safepassage.core.access import Viewer
from safepassage.core.disclosure import new_record_key
from safepassage.core.fields import EncryptedCharField, EncryptedJSONField, EncryptedTextField
from safepassage.core.models import AgencyOwned, TimeStamped
from safepassage.core.roles import Action, Role

USER = settings.AUTH_USER_MODEL
STAFF = (Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER)
WORKERS = (Role.COORDINATOR, Role.CASEWORKER, Role.VOLUNTEER)
DEFAULT_CHECKIN_DAYS = [14, 90, 180]


class Channel(AgencyOwned, TimeStamped):
    """A channel between an origin area and a destination, each end with its committee or organisation."""

    name = models.CharField(_("name"), max_length=200)
    origin_area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("origin")
    )
    origin_committee = models.ForeignKey(
        "network.Committee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    origin_organisation = models.ForeignKey(
        "network.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    destination_area = models.ForeignKey(
        "geo.Area",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("destination"),
    )
    destination_country = models.CharField(_("destination country"), max_length=2)
    destination_place = models.CharField(_("destination place"), max_length=200, blank=True)
    destination_committee = models.ForeignKey(
        "network.Committee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    destination_organisation = models.ForeignKey(
        "network.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checkin_days = models.JSONField(
        _("check-ins, in days after arrival"), default=list, help_text=_("For example 14, 90, 180.")
    )
    unreachable_days = models.PositiveSmallIntegerField(_("escalate 'cannot reach' after (days)"), default=14)
    arrival_grace_days = models.PositiveSmallIntegerField(
        _("alert when arrival is not confirmed after (days)"), default=7
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def end_agencies(self) -> set[int]:
        """The agencies at either end of the channel."""
        ids = {self.agency_id}
        for org in (self.origin_organisation, self.destination_organisation):
            if org is not None and org.member_agency_id:
                ids.add(org.member_agency_id)
        return ids

    @property
    def destination_agency_id(self) -> int | None:
        org = self.destination_organisation
        return org.member_agency_id if org is not None else None

    @classmethod
    def ends_q(cls, viewer: Viewer, roles: tuple[str, ...], prefix: str = "") -> Q:
        """Channels at whose ends the viewer works with one of `roles` (not through an enforcement agency)."""
        agencies = working_agencies(viewer, roles)
        if not agencies:
            return Q(pk__in=[])
        q = Q(**{f"{prefix}agency_id__in": agencies})
        q |= Q(**{f"{prefix}origin_organisation__member_agency_id__in": agencies})
        q |= Q(**{f"{prefix}destination_organisation__member_agency_id__in": agencies})
        return q

    @classmethod
    def scope_q(cls, viewer: Viewer, action: str) -> Q:
        """Channels are seen at both ends; only the running agency's coordinators change them."""
        if action == Action.VIEW:
            return cls.ends_q(viewer, (*STAFF, Role.VOLUNTEER))
        return Q(
            agency_id__in=[g.agency_id for g in viewer.grants if g.role in (Role.ADMIN, Role.COORDINATOR)]
        )


class Purpose(models.TextChoices):
    WORK = "work", _("Work")
    STUDY = "study", _("Study")
    FAMILY = "family", _("Join family")
    OTHER = "other", _("Other")


class Registration(AgencyOwned, TimeStamped):
    """Someone who chose to register before leaving, to be traced and helped at the other end."""

    class Status(models.TextChoices):
        # No status means "not allowed to leave": advice is recorded, never a refusal (PRODUCT.md rule 1).
        REGISTERED = "registered", _("Registered, not left yet")
        TRAVELLING = "travelling", _("On the way")
        ARRIVED = "arrived", _("Arrived")
        RETURNED = "returned", _("Came back home")
        WITHDRAWN = "withdrawn", _("Consent withdrawn: not traced")

    class Consent(models.TextChoices):
        PERSON = "person", _("The person agreed")
        GUARDIAN = "guardian", _("The person and a parent or guardian agreed")

    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="registrations")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="migrations")
    purpose = models.CharField(_("purpose"), max_length=8, choices=Purpose.choices)
    sector = models.CharField(_("sector"), max_length=20, blank=True)
    destination_area = models.ForeignKey(
        "geo.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    destination_place = models.CharField(_("where exactly"), max_length=200, blank=True)
    planned_workplace = models.ForeignKey(
        "workplaces.Workplace", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    planned_employer = models.ForeignKey(
        "workplaces.Employer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recruiter = models.ForeignKey(
        "workplaces.Recruiter", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    registered_on = models.DateField(_("registered on"))
    travel_date = models.DateField(_("travel date"))
    expected_arrival = models.DateField(_("expected arrival"))
    phone = EncryptedCharField(_("phone"), max_length=40, blank=True)
    messaging = EncryptedCharField(_("messaging app and name"), max_length=100, blank=True)
    family_contact = EncryptedCharField(_("family contact (name and phone)"), max_length=200, blank=True)
    documents = EncryptedJSONField(_("documents held"), default=list, blank=True)
    consent = models.CharField(_("consent"), max_length=10, choices=Consent.choices)
    consent_on = models.DateField(_("consent given on"))
    orientation = models.JSONField(_("pre-departure orientation"), default=dict, blank=True)
    completed_compulsory_education = models.BooleanField(_("finished compulsory education"), null=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REGISTERED)
    tracing = models.BooleanField(_("traced"), default=True)
    arrived_on = models.DateField(_("arrival confirmed on"), null=True, blank=True)
    arrival_confirmed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_contact_on = models.DateField(_("last contact"), null=True, blank=True)
    unreachable_since = models.DateField(_("cannot be reached since"), null=True, blank=True)
    withdrawn_on = models.DateField(_("consent withdrawn on"), null=True, blank=True)
    # Set when its contacts were removed (an erasure, or the retention period after the journey).
    erased_at = models.DateTimeField(_("contacts removed on"), null=True, blank=True)
    registered_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    # A random key of this registration's, for disclosure control of the safe-migration reports
    # (core.disclosure: a table cell's key is the sum of its registrations' keys). Never shown, never changes.
    record_key = models.BigIntegerField(default=new_record_key, editable=False)

    SENSITIVE_FIELDS = ("phone", "messaging", "family_contact", "documents")
    CONTACT_FIELDS = ("phone", "messaging", "family_contact", "documents")

    class Meta:
        ordering = ["-travel_date", "-id"]
        indexes = [models.Index(fields=["channel", "status"])]

    def __str__(self) -> str:
        return f"registration #{self.pk}"

    def audit_label(self) -> str:
        return f"registration #{self.pk}"

    @classmethod
    def scope_q(cls, viewer: Viewer, action: str) -> Q:
        """Seen at both ends of its channel (never through an enforcement agency); changed by the registering
        agency (volunteers: their villages), the agency running the channel and the destination end."""
        if action == Action.VIEW:
            q = Q(pk__in=[])
            allowed = working_agencies(viewer, (*STAFF, Role.VOLUNTEER))
            for grant in viewer.grants:
                if grant.agency_id not in allowed or grant.role not in (*STAFF, Role.VOLUNTEER):
                    continue
                ends = (
                    Q(channel__agency_id=grant.agency_id)
                    | Q(channel__origin_organisation__member_agency_id=grant.agency_id)
                    | Q(channel__destination_organisation__member_agency_id=grant.agency_id)
                )
                if grant.role == Role.VOLUNTEER:
                    ends &= cls._paths_q(grant.area_paths)
                q |= ends
            return q
        q = Q(pk__in=[])
        allowed = working_agencies(viewer, (*WORKERS, Role.ADMIN))
        for grant in viewer.grants:
            if grant.role not in (*WORKERS, Role.ADMIN) or grant.agency_id not in allowed:
                continue
            grant_q = (
                Q(agency_id=grant.agency_id)
                | Q(channel__agency_id=grant.agency_id)
                | Q(channel__destination_organisation__member_agency_id=grant.agency_id)
            )
            if grant.role == Role.VOLUNTEER:
                grant_q &= cls._paths_q(grant.area_paths)
            q |= grant_q
        return q

    @staticmethod
    def _paths_q(paths: Any) -> Q:
        q = Q(pk__in=[])
        for path in paths:
            q |= Q(person__village__path__startswith=path)
        return q


def working_agencies(viewer: Viewer, roles: tuple[str, ...]) -> set[int]:
    """The viewer's agencies where they hold one of `roles`, leaving out enforcement-only agencies, which
    never see individual registrations (PRODUCT.md rule 2)."""
    from safepassage.accounts.models import Agency
    from safepassage.accounts.profiles import enforcement_codes

    ids = {g.agency_id for g in viewer.grants if g.role in roles}
    if not ids:
        return set()
    # (enforcement is the receiving profile's word: police, immigration, prosecutor; accounts/profiles.py)
    enforcement = set(
        Agency.objects.filter(pk__in=ids, profile__in=enforcement_codes()).values_list("pk", flat=True)
    )
    return ids - enforcement


def may_see_contacts(viewer: Viewer, registration: Registration) -> bool:
    """Contacts and document numbers: the registering agency and the destination organisation's agency."""
    allowed = {registration.agency_id, registration.channel.destination_agency_id}
    return bool(allowed & working_agencies(viewer, (*WORKERS, Role.ADMIN)))


class Counselling(models.Model):
    """Advice given, never a refusal: for a child who has not finished compulsory education, a counselling
    record and a back-to-school referral."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="counselling")
    given_on = models.DateField(_("date"))
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    advice = models.TextField(_("advice given"))
    back_to_school = models.BooleanField(_("referred back to school"), default=False)
    school = models.ForeignKey(
        "network.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(_("what happened"), max_length=200, blank=True)

    class Meta:
        ordering = ["-given_on"]

    def __str__(self) -> str:
        return f"counselling #{self.pk}"


class Problem(models.TextChoices):
    """What can go wrong at the destination: the ILO indicators sin space records, and a few more."""

    WAGES = "withholding_of_wages", _("Pay withheld or unpaid")
    DEPOSITS = "unlawful_deposits", _("Deposit or deductions taken")
    FEES = "recruitment_fees", _("Recruitment fees charged")
    DOCUMENTS = "retention_of_documents", _("Documents kept by the employer")
    OVERTIME = "excessive_overtime", _("Too many hours")
    NO_CONTRACT = "no_contract", _("No contract")
    CONDITIONS = "abusive_conditions", _("Bad working or living conditions")
    MOVEMENT = "restriction_of_movement", _("Not free to leave")
    VIOLENCE = "physical_sexual_violence", _("Violence")
    THREATS = "intimidation_threats", _("Threats")
    DECEPTION = "deception", _("The job is not what was promised")
    HEALTH = "health", _("Health problem")
    HOUSING = "housing", _("No safe place to stay")
    OTHER = "other", _("Other")


class CheckIn(models.Model):
    """Arrival or a welfare check-in: due by the channel's schedule, then done (or not reached)."""

    class Kind(models.TextChoices):
        ARRIVAL = "arrival", _("Arrival")
        SCHEDULED = "scheduled", _("Scheduled check-in")
        EXTRA = "extra", _("Extra contact")

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="checkins")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SCHEDULED)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    reached = models.BooleanField(_("reached the person"), null=True)
    how = models.CharField(_("how"), max_length=20, blank=True)
    work_ok = models.BooleanField(_("work is as promised"), null=True)
    pay_ok = models.BooleanField(_("paid in full and on time"), null=True)
    housing_ok = models.BooleanField(_("safe place to stay"), null=True)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    observation = models.ForeignKey(
        "workplaces.Observation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"check-in #{self.pk}"

    def audit_label(self) -> str:
        return f"check-in #{self.pk} · registration #{self.registration_id}"

    @property
    def problem_labels(self) -> str:
        names = dict(Problem.choices)
        return ", ".join(str(names.get(p, p)) for p in self.problems)


class MigrationAlert(models.Model):
    """A missed check-in, an arrival not confirmed, or someone out of reach too long: to both ends."""

    class Kind(models.TextChoices):
        ARRIVAL = "arrival", _("Arrival not confirmed")
        MISSED = "missed", _("Check-in missed")
        UNREACHABLE = "unreachable", _("Cannot be reached")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESOLVED = "resolved", _("Resolved")

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    key = models.CharField(max_length=60, unique=True)
    message = models.CharField(_("message"), max_length=300)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="migration_alerts")
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · registration #{self.registration_id}"

    def audit_label(self) -> str:
        return str(self)


class Vacancy(AgencyOwned, TimeStamped):
    """Jobs a registered recruiter brings to a village, recorded at the local authority office."""

    recruiter = models.ForeignKey("workplaces.Recruiter", on_delete=models.PROTECT, related_name="vacancies")
    village = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    workplace = models.ForeignKey(
        "workplaces.Workplace", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    posted_on = models.DateField(_("brought on"))
    title = models.CharField(_("job"), max_length=200)
    places = models.PositiveSmallIntegerField(_("places"), default=1)
    wage = models.CharField(_("wage offered"), max_length=100, blank=True)
    fee_charged = models.BooleanField(_("asks workers for a fee"), default=False)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), default=18)

    AREA_FIELD = "village"

    class Meta:
        ordering = ["-posted_on"]
        verbose_name_plural = _("vacancies")

    def __str__(self) -> str:
        return self.title


class Placement(models.Model):
    """A registered young person placed by a registered recruiter in a vacancy."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="placements")
    vacancy = models.ForeignKey(Vacancy, on_delete=models.PROTECT, related_name="placements")
    placed_on = models.DateField(_("placed on"))
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["registration", "vacancy"], name="one_placement_per_vacancy")
        ]

    def __str__(self) -> str:
        return f"placement #{self.pk}"


class SiteRegistration(AgencyOwned, TimeStamped):
    """A working child found at a site (a market, a port), with family tracing and the hand-over."""

    class Site(models.TextChoices):
        MARKET = "market", _("Market")
        PORT = "port", _("Port or pier")
        STREET = "street", _("Street")
        WORKPLACE = "workplace", _("Workplace")
        OTHER = "other", _("Other")

    class Tracing(models.TextChoices):
        OPEN = "open", _("Tracing")
        FOUND = "found", _("Family found")
        NOT_FOUND = "not_found", _("Family not found")
        NOT_NEEDED = "not_needed", _("Not needed")

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="site_registrations")
    site_kind = models.CharField(_("kind of site"), max_length=10, choices=Site.choices)
    site_name = models.CharField(_("site"), max_length=200)
    site_area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    found_on = models.DateField(_("found on"))
    employer = models.CharField(_("who they work for"), max_length=200, blank=True)
    workplace = models.ForeignKey(
        "workplaces.Workplace", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    work = models.CharField(_("what work"), max_length=200, blank=True)
    origin_area = models.ForeignKey(
        "geo.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    origin_country = models.CharField(_("home country"), max_length=2, blank=True)
    origin_place = models.CharField(_("home place"), max_length=200, blank=True)
    family_contact = EncryptedCharField(_("family contact"), max_length=200, blank=True)
    tracing = models.CharField(
        _("family tracing"), max_length=10, choices=Tracing.choices, default=Tracing.OPEN
    )
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    registration = models.ForeignKey(
        Registration, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    AREA_FIELD = "site_area"
    SENSITIVE_FIELDS = ("family_contact",)

    class Meta:
        ordering = ["-found_on", "-id"]

    def __str__(self) -> str:
        return f"site registration #{self.pk}"

    def audit_label(self) -> str:
        return str(self)


class TracingStep(models.Model):
    """One step of family tracing: who was contacted, how, and what came of it."""

    site_registration = models.ForeignKey(SiteRegistration, on_delete=models.CASCADE, related_name="steps")
    done_on = models.DateField(_("date"))
    action = models.CharField(_("what was done"), max_length=300)
    result = models.CharField(_("result"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["done_on", "id"]

    def __str__(self) -> str:
        return self.action


# Issue 22 part 8: labour disputes and their escalation (R-040); returned workers' experience and community
# reintegration. Children of a registration: seen and changed as the registration is.


class ListedEntry:
    """An entry of a list kept as data (a code, a name, names per language): its name in a language."""

    name: str
    names: dict[str, str]

    def label(self, language: str | None = None) -> str:
        from django.utils.translation import get_language

        lang = (language or get_language() or "en").split("-")[0]
        return str(self.names.get(lang) or self.name)


def check_code(code: str, errors: dict[str, list[str]]) -> None:
    """A list entry's code: lower-case letters, digits and _."""
    if not code or not code.replace("_", "").isalnum() or code != code.lower():
        errors["code"] = [str(_("A code is lower-case letters, digits and _."))]


class DisputeLevel(ListedEntry, models.Model):
    """One level of the escalation path of a labour dispute, as data: the seeds' path (community staff →
    village committee → township government → official visit to the employer) and the formal channels
    (labour inspector, labour court). Administrators add, rename, reorder and retire levels."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    names = models.JSONField(_("name in other languages"), default=dict, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    formal = models.BooleanField(_("a formal complaint channel"), default=False)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.label()


class LabourDispute(models.Model):
    """A dispute between a migrant and an employer (breach of contract, deposit withheld, dismissal, pay) and
    its mediation: each step records the level it reached, so the escalation path is visible."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")
        DROPPED = "dropped", _("Dropped")

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="disputes")
    opened_on = models.DateField(_("raised on"))
    about = models.JSONField(_("what it is about"), default=list)
    employer_name = models.CharField(_("employer"), max_length=200, blank=True)
    workplace = models.ForeignKey(
        "workplaces.Workplace", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=300, blank=True)
    amount_recovered = models.PositiveIntegerField(_("money recovered"), null=True, blank=True)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-opened_on", "-id"]

    def __str__(self) -> str:
        return f"dispute #{self.pk}"

    def about_labels(self) -> str:
        labels = dict(Problem.choices) | dict(DISPUTE_TOPICS)
        return ", ".join(str(labels.get(code, code)) for code in self.about)

    @property
    def current_step(self) -> DisputeStep | None:
        steps = list(self.steps.all())
        return max(steps, key=lambda s: (s.level.order, s.taken_on, s.pk)) if steps else None


DISPUTE_TOPICS = [
    ("breach_of_contract", _("Breach of contract")),
    ("dismissal", _("Dismissed")),
]


class DisputeStep(models.Model):
    """A step of a dispute at one level: who took it up, when, and what came of it."""

    dispute = models.ForeignKey(LabourDispute, on_delete=models.CASCADE, related_name="steps")
    level = models.ForeignKey(DisputeLevel, on_delete=models.PROTECT, related_name="+")
    taken_on = models.DateField(_("date"))
    handled_by = models.CharField(_("who handled it"), max_length=200, blank=True)
    result = models.CharField(_("what came of it"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["taken_on", "id"]

    def __str__(self) -> str:
        return f"{self.level} {self.taken_on}"


class ReturnInterview(models.Model):
    """A returned worker's experience (R-067), in their own words and a few answers that can be counted."""

    class Why(models.TextChoices):
        CONTRACT_ENDED = "contract_ended", _("The contract ended")
        CHOSE = "chose", _("Chose to come back")
        DISMISSED = "dismissed", _("Dismissed")
        ESCAPED = "escaped", _("Left a bad situation or was helped out")
        SENT_BACK = "sent_back", _("Sent back by the authorities")
        FAMILY = "family", _("Family reasons")
        OTHER = "other", _("Other")

    class Again(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        UNSURE = "unsure", _("Not sure")

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="return_interviews")
    returned_on = models.DateField(_("came back on"))
    interviewed_on = models.DateField(_("talked on"))
    why = models.CharField(_("why they came back"), max_length=16, choices=Why.choices)
    paid_as_promised = models.BooleanField(_("paid as promised"), null=True)
    job_as_promised = models.BooleanField(_("the job was as promised"), null=True)
    problems = models.JSONField(_("problems met"), default=list, blank=True)
    would_go_again = models.CharField(_("would go again"), max_length=8, choices=Again.choices, blank=True)
    experience = EncryptedTextField(_("in their words"), blank=True)
    advice_for_others = EncryptedTextField(_("advice for others who want to go"), blank=True)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    SENSITIVE_FIELDS = ("experience", "advice_for_others")

    class Meta:
        ordering = ["-interviewed_on", "-id"]

    def __str__(self) -> str:
        return f"return interview #{self.pk}"


class ReintegrationStep(models.Model):
    """Help to settle back in the community (R-065): school, training, family support, livelihood — and, for a
    child withdrawn from child labour, whether they went back to it at the last follow-up."""

    class Kind(models.TextChoices):
        SCHOOL = "school", _("Back to school")
        TRAINING = "training", _("Vocational training")
        FAMILY = "family", _("Family support")
        LIVELIHOOD = "livelihood", _("Work or livelihood")
        HEALTH = "health", _("Health or counselling")
        COMMUNITY = "community", _("Accepted back in the community")
        DOCUMENTS = "documents", _("Documents sorted out")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ONGOING = "ongoing", _("Ongoing")
        DONE = "done", _("Done")
        STOPPED = "stopped", _("Stopped")

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="reintegration")
    kind = models.CharField(_("what"), max_length=12, choices=Kind.choices)
    started_on = models.DateField(_("started on"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.ONGOING)
    organisation = models.ForeignKey(
        "network.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    followed_up_on = models.DateField(_("last followed up on"), null=True, blank=True)
    back_in_child_labour = models.BooleanField(_("back in child labour at the last follow-up"), null=True)
    note = EncryptedTextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    SENSITIVE_FIELDS = ("note",)

    class Meta:
        ordering = ["started_on", "id"]

    def __str__(self) -> str:
        return self.get_kind_display()


# Issue 22 part 8: recruiters seen from the destination of a channel, with red flags from a list (R-053,
#


class RedFlag(ListedEntry, models.Model):
    """A recruitment or employment red flag, as data (the seeds' list: deposits, unregulated deductions, no
    standard contract, recruitment fees, brokers cheating migrants, documents kept, exorbitant transport
    costs). System administrators add, rename and retire them."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=160)
    names = models.JSONField(_("name in other languages"), default=dict, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.label()


class RecruiterFlag(models.Model):
    """A red flag raised against a recruiter by an agency at either end of a channel the recruiter sends
    people through: the destination sees what the origin cannot (fees taken on arrival, documents kept)."""

    recruiter = models.ForeignKey("workplaces.Recruiter", on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="recruiter_flags")
    flag = models.ForeignKey(RedFlag, on_delete=models.PROTECT, related_name="+")
    seen_on = models.DateField(_("seen on"))
    note = EncryptedTextField(_("note"), blank=True)
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    SENSITIVE_FIELDS = ("note",)

    class Meta:
        ordering = ["-seen_on", "-id"]

    def __str__(self) -> str:
        return f"red flag #{self.pk}"
