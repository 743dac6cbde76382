"""The risk index: indicator catalogues, people, households, append-only assessments and alerts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from safepassage.core.access import Grant, Viewer
from safepassage.core.copy import copy_rows
from safepassage.core.crypto import blind_index
from safepassage.core.disclosure import new_record_key
from safepassage.core.fields import BlindIndexField, EncryptedCharField, EncryptedTextField
from safepassage.core.models import AgencyOwned, ScopedQuerySet, TextJSONField, TimeStamped
from safepassage.core.roles import Action, Role
from safepassage.registry import names
from safepassage.registry.scoring import IndicatorSpec, Parameters


def _translated(texts: dict[str, str]) -> str:
    language = get_language() or "en"
    return texts.get(language) or texts.get(language.split("-")[0]) or texts.get("en") or ""


class Catalogue(models.Model):
    """One version of the indicator list and its scoring rules. Assessments keep the version they used."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")

    version = models.PositiveIntegerField(_("version"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    parameters = models.JSONField(_("scoring parameters"), default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="active"), name="one_active_catalogue"
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version} · {self.name}"

    def params(self) -> Parameters:
        """The scoring parameters as the scoring module reads them."""
        return Parameters.from_dict(self.parameters)

    def red_flags_named(self, codes: str) -> list[dict[str, str]]:
        """Red flags as stored (codes joined by commas) with their band and name in the active language,
        as pages and the API show them beside the band."""
        if not codes:
            return []
        rules = {flag.code: flag for flag in self.params().red_flags}
        named = []
        for code in codes.split(","):
            rule = rules.get(code)
            label = (_translated(dict(rule.label)) or code) if rule else code
            named.append({"code": code, "band": rule.band if rule else "", "label": label})
        return named

    def specs(self, levels: str = "IHV") -> list[IndicatorSpec]:
        """The active indicators of the given levels, in order."""
        return [
            IndicatorSpec(i.code, i.domain, i.level, i.kind, i.weight, i.max_score)
            for i in self.indicators.all()
            if i.active and i.level in levels
        ]


class Indicator(models.Model):
    """One indicator of a catalogue version, scored 1 (lowest risk) to 3 (highest)."""

    class Level(models.TextChoices):
        INDIVIDUAL = "I", _("Individual")
        HOUSEHOLD = "H", _("Household")
        VILLAGE = "V", _("Village")

    class Kind(models.TextChoices):
        STABLE = "S", _("Stable")
        TRIGGER = "T", _("Trigger (a sudden event)")
        CONDITIONAL = "C", _("Conditional")

    class Domain(models.TextChoices):
        HEALTH = "health", _("Health")
        EDUCATION = "education", _("Education")
        BASIC_NEEDS = "basic_needs", _("Basic minimum needs")
        SOCIAL_WELFARE = "social_welfare", _("Social welfare")
        MIGRATION = "migration", _("Migration")

    catalogue = models.ForeignKey(Catalogue, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=32)
    position = models.PositiveSmallIntegerField(default=0)
    domain = models.CharField(_("domain"), max_length=20, choices=Domain.choices)
    level = models.CharField(_("level"), max_length=1, choices=Level.choices)
    kind = models.CharField(_("kind"), max_length=1, choices=Kind.choices)
    label = models.JSONField(_("label by language"), default=dict)
    rubric = models.JSONField(_("what 1, 2 and 3 mean, by language"), default=dict)
    weight = models.FloatField(_("weight"), default=1.0)
    max_score = models.PositiveSmallIntegerField(_("highest score allowed"), default=3)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["catalogue", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "code"], name="indicator_code_per_catalogue"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="indicator_weight_positive"),
            models.CheckConstraint(
                condition=Q(max_score__gte=1, max_score__lte=3), name="indicator_max_score"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def title(self) -> str:
        """The label in the active language."""
        return _translated(self.label) or self.code

    def rubric_text(self, value: int | str) -> str:
        """What a score of `value` means, in the active language."""
        return _translated(self.rubric.get(str(value), {}))

    @property
    def rubric_texts(self) -> list[str]:
        """What 1, 2 and 3 mean, in the active language."""
        return [self.rubric_text(v) for v in (1, 2, 3)]


class Household(AgencyOwned, TimeStamped):
    """People who live and eat together; household indicators are answered for all of them."""

    village = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    label = models.CharField(_("house number or name"), max_length=100, blank=True)
    head = models.ForeignKey("Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    AREA_FIELD = "village"

    def __str__(self) -> str:
        return self.label or f"household #{self.pk}"

    def audit_label(self) -> str:
        """A house label can carry a family name: the trail uses the number."""
        return f"household #{self.pk}"


class GuardianRelation(models.TextChoices):
    """Who agreed for a child."""

    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    GRANDPARENT = "grandparent", _("Grandparent")
    RELATIVE = "relative", _("Other relative")
    GUARDIAN = "guardian", _("Legal guardian")
    CARER = "carer", _("Carer or foster parent")
    OTHER = "other", _("Other")


class PersonQuerySet(ScopedQuerySet["Person"]):
    def bulk_create(self, objs: Iterable[Person], *args: Any, **kwargs: Any) -> list[Person]:
        """Every bulk path (imports, demo, bench) stores the romanised names as `save` does."""
        objs = list(objs)
        for person in objs:
            names.set_romanised(person)
        return super().bulk_create(objs, *args, **kwargs)

    def copy_create(self, rows: Sequence[dict[str, Any]], *, romanise: bool = True) -> list[int]:
        """Many new people at once by the fastest path the database has (core.copy: COPY on PostgreSQL), each
        given as {attname: value}; returns their ids. With romanise=False their names are romanised later
        (names.fill_pending): a large import."""
        if romanise:
            rows = [
                {
                    **row,
                    **dict(
                        zip(
                            names.ROMAN_FIELDS,
                            names.stored(row["given_name"], row.get("family_name") or ""),
                            strict=True,
                        )
                    ),
                }
                for row in rows
            ]
        return copy_rows(Person, rows)

    def update(self, **kwargs: Any) -> int:
        """An ID number written by `update` (erasures) gets its blind index too."""
        if "national_id" in kwargs and "national_id_index" not in kwargs:
            number = kwargs["national_id"]
            if not isinstance(number, str):
                raise TypeError("national_id is written by update() only as text")
            kwargs["national_id_index"] = blind_index(number)
        return super().update(**kwargs)

    def bulk_update(self, objs: Iterable[Person], fields: Any, *args: Any, **kwargs: Any) -> int:
        """As `update`: the blind index follows the ID number."""
        fields = list(fields)
        if "national_id" in fields and "national_id_index" not in fields:
            objs = list(objs)
            for person in objs:
                person.national_id_index = blind_index(person.national_id)
            fields.append("national_id_index")
        return super().bulk_update(objs, fields, *args, **kwargs)


class Person(AgencyOwned, TimeStamped):
    """Someone whose risk is assessed: a child, a young person, a would-be migrant, a family member."""

    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other")
        UNKNOWN = "unknown", _("Unknown")

    given_name = models.CharField(_("given name"), max_length=150)
    family_name = models.CharField(_("family name"), max_length=150, blank=True)
    given_name_latin = models.CharField(_("given name in Latin letters"), max_length=150, blank=True)
    family_name_latin = models.CharField(_("family name in Latin letters"), max_length=150, blank=True)
    # The names as a machine romanises them (registry.names), written on every save and bulk insert: a key
    # for finding the same person across scripts, never shown.
    given_name_roman = models.CharField(max_length=150, blank=True, editable=False)
    family_name_roman = models.CharField(max_length=150, blank=True, editable=False)
    # Every other name and spelling this person was recorded under (one a line): kept by merges, searched.
    other_names = models.TextField(_("other names and spellings"), blank=True)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True, db_index=True)
    birth_year_estimated = models.BooleanField(_("year of birth is an estimate"), default=False)
    village = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("village")
    )
    hometown = models.ForeignKey(
        "geo.Area",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("hometown"),
    )
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    # Sealed at rest (core.fields); found by its blind index, the keyed hash written from it on every save.
    national_id = EncryptedCharField(_("national ID number"), max_length=32, blank=True)
    # Indexed in Meta: an exact look-up only (Django's db_index would add a second, LIKE index on PostgreSQL,
    # which every insert paid for and nothing used).
    national_id_index = BlindIndexField(source="national_id")
    # Parents' names help tell two children with the same name apart, and find one child listed twice.
    father_name = models.CharField(_("father's name"), max_length=150, blank=True)
    mother_name = models.CharField(_("mother's name"), max_length=150, blank=True)
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    notes = EncryptedTextField(_("welfare notes"), blank=True)
    consent_basis = models.CharField(_("basis for keeping this record"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Current risk: the latest assessment and what its answers score under `current_catalogue`, kept here
    # so lists and reports need no subquery. That is the assessment's own result until the catalogue
    # changes; re-scoring then scores the same answers under the new version and writes only these
    # columns (the assessment itself never changes). Written for everyone at once by survey rounds and
    # re-scoring, so none of these columns is indexed or checked by the database: PostgreSQL can then
    # rewrite the row in place (a "HOT" update, with the free space the table's fillfactor leaves) instead
    # of adding an entry to each of the table's indexes. Only the write paths in services, bulk and
    # linkage set them, always to an assessment of the same transaction or one already current.
    current_assessment = models.ForeignKey(
        "Assessment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    current_index = models.FloatField(null=True, blank=True)
    current_band = models.CharField(max_length=12, blank=True)
    current_assessed_on = models.DateField(null=True, blank=True)
    current_multiple = models.BooleanField(default=False)  # multiply vulnerable (Alkire-Foster)
    current_deprivation_share = models.FloatField(null=True, blank=True)
    current_catalogue = models.ForeignKey(
        Catalogue,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # The red flags the current answers fire (codes joined by commas): named wherever the band is shown.
    current_red_flags = models.CharField(max_length=200, blank=True, default="")

    # A random key of this person's, for disclosure control of the aggregates that leave the agency
    # (core.disclosure: a report cell's key is the sum of its people's keys). Never shown, never changes.
    record_key = models.BigIntegerField(default=new_record_key, editable=False)

    # A child's record rests on a parent's or guardian's agreement: who agreed, how they are related, when.
    # At 18 the person decides for themselves (privacy: the "turning 18" review), recorded as own consent.
    guardian_consent_by = models.CharField(_("parent or guardian who agreed"), max_length=200, blank=True)
    guardian_relation = models.CharField(
        _("their relation to the child"), max_length=12, choices=GuardianRelation.choices, blank=True
    )
    guardian_consent_on = models.DateField(_("guardian agreed on"), null=True, blank=True)
    own_consent_on = models.DateField(_("the person agreed themselves on"), null=True, blank=True)
    # Set when names, contacts and identifiers were removed (an erasure on request, a withdrawal or the
    # retention period): the row, its record key and its codes stay so the protected figures do not move.
    erased_at = models.DateTimeField(_("identity removed on"), null=True, blank=True)

    restricted = models.BooleanField(
        _("restricted to case staff"),
        db_default=False,
        help_text=_("The subject of a case: village volunteers no longer see this person."),
    )

    AREA_FIELD = "village"
    SENSITIVE_FIELDS = (
        "given_name",
        "family_name",
        "given_name_latin",
        "family_name_latin",
        "given_name_roman",
        "family_name_roman",
        "other_names",
        "national_id",
        "notes",
        "birth_date",
    )

    class Meta:
        indexes = [
            models.Index(fields=["agency", "village"]),
            models.Index(fields=["national_id_index"], name="person_id_number_index"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(sex__in=["female", "male", "other", "unknown"]), name="person_sex"
            ),
        ]

    objects = PersonQuerySet.as_manager()  # type: ignore[misc]

    def save(self, *args: Any, **kwargs: Any) -> None:
        fields = kwargs.get("update_fields")
        if fields is None or set(names.WRITTEN_FROM) & set(fields):
            names.set_romanised(self)
            if fields is not None:
                kwargs["update_fields"] = fields = [*fields, *names.ROMAN_FIELDS]
        if fields is not None and "national_id" in fields and "national_id_index" not in fields:
            kwargs["update_fields"] = [*fields, "national_id_index"]
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        if self.erased_at is not None:
            return str(_("Person #%(id)s (identity removed)") % {"id": self.pk})
        return " ".join(part for part in (self.given_name, self.family_name) if part)

    @classmethod
    def grant_q(cls, grant: Grant) -> Q:
        """A case's subject is not on the village volunteers' lists any more."""
        return Q(restricted=False) if grant.role == Role.VOLUNTEER else Q()

    def audit_label(self) -> str:
        """People are named in the trail by number only."""
        return f"person #{self.pk}"

    @property
    def named_red_flags(self) -> list[dict[str, str]]:
        """The red flags of the current risk, named under the version it is scored on."""
        if not self.current_red_flags or self.current_catalogue is None:
            return []
        return self.current_catalogue.red_flags_named(self.current_red_flags)

    @property
    def latin_name(self) -> str:
        """The Latin transliteration, where given."""
        return " ".join(p for p in (self.given_name_latin, self.family_name_latin) if p)


class Assessment(AgencyOwned):
    """One risk assessment of a person or a village; never edited, never deleted.

    The largest table (a survey round adds one row per person), so it carries only the indexes its
    queries use: the person's history (which also refuses the same assessment twice), the village's
    history and the date. agency, village, catalogue and assessor are copies of, or pointers to, rows that
    are never deleted (people's agency and village, catalogue versions, accounts, which are deactivated),
    set by the write paths from those rows, so the database does not re-check them row by row. Nor the
    person: the write paths look each one up, and people are removed only by a merge, which takes turns
    with them (registry.services.hold_people) and moves their assessments to the person kept.
    """

    class Source(models.TextChoices):
        VISIT = "visit", _("Home visit")
        PHONE = "phone", _("Phone call")
        SURVEY = "survey", _("Survey import")
        CASE = "case", _("From a case")
        RESCORE = "rescore", _("Re-scored with a new catalogue")

    agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessments",
        db_index=False,  # the (person, -assessed_on) index serves it
        db_constraint=False,  # checked by the write paths, which take turns with merges: hold_people
    )
    village = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    subject_is_village = models.BooleanField(default=False)
    catalogue = models.ForeignKey(
        Catalogue, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    assessed_on = models.DateField(_("date of assessment"), db_index=True)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.VISIT)
    scores = TextJSONField(default=dict)
    fingerprint = models.CharField(max_length=64)  # unique per person and day: see Meta.constraints
    index = models.FloatField(null=True)
    band = models.CharField(max_length=12)
    completeness = models.FloatField()
    domain_scores = TextJSONField(default=dict)
    count_3 = models.PositiveSmallIntegerField(default=0)
    deprivation_share = models.FloatField(default=0)
    multiple = models.BooleanField(default=False)
    # The same answers as `scores`, as one digit per indicator ("1"-"3", "0" unanswered) in the order of
    # its catalogue version's answer sheet (scoring.sheet_codes of the version's I and H indicators for a
    # person, V for a village): what survey rounds and re-scoring read back, with no JSON to parse.
    sheet = models.TextField(editable=False)
    # The red flags the answers fired under its version (codes joined by commas; see scoring.RedFlag).
    red_flags = models.CharField(max_length=200, blank=True, default="")
    recorded_at = models.DateTimeField(auto_now_add=True)

    AREA_FIELD = "village"
    ROLE_ACTIONS = {
        Role.ADMIN: frozenset({Action.VIEW, Action.CHANGE}),
        Role.COORDINATOR: frozenset({Action.VIEW, Action.CHANGE}),
        Role.CASEWORKER: frozenset({Action.VIEW, Action.CHANGE}),
        Role.VOLUNTEER: frozenset({Action.VIEW, Action.CHANGE}),
    }

    class Meta:
        ordering = ["-assessed_on", "-id"]
        indexes = [
            models.Index(fields=["village", "subject_is_village", "-assessed_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(subject_is_village=True, person__isnull=True)
                    | Q(subject_is_village=False, person__isnull=False)
                ),
                name="assessment_one_subject",
            ),
            models.CheckConstraint(
                condition=Q(completeness__gte=0, completeness__lte=1), name="assessment_completeness"
            ),
            # The same assessment twice is refused by the person's history index itself: a person's
            # assessments on a day are told apart by their fingerprint (of subject, day, catalogue and
            # answers). One index instead of two, and a survey round, which goes through people in order,
            # adds to it page by page; a unique index on the fingerprint alone took each new row to a
            # random page of a large index (measured: 38 µs a row written against 23 µs).
            models.UniqueConstraint(
                fields=["person", "assessed_on", "fingerprint"], name="assessment_person_day_unique"
            ),
            # Village assessments have no person (and NULLs are never equal): their fingerprint alone.
            models.UniqueConstraint(
                fields=["fingerprint"],
                condition=Q(person__isnull=True),
                name="assessment_village_fingerprint_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"assessment #{self.pk} ({self.assessed_on})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("assessments are append-only: record a new one instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("assessments are append-only and are never deleted")

    def audit_label(self) -> str:
        return f"assessment #{self.pk}"

    @property
    def named_red_flags(self) -> list[dict[str, str]]:
        """The red flags this assessment fired, named (Catalogue.red_flags_named)."""
        return self.catalogue.red_flags_named(self.red_flags)

    @property
    def complete(self) -> bool:
        """Whether enough was answered for the index to give the band (else the band is a red flag's, or
        none: "incomplete")."""
        return self.catalogue.params().complete(self.index, self.completeness)


class Alert(AgencyOwned):
    """An early warning about one person or village: open → acknowledged → resolved, escalated if ignored."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESOLVED = "resolved", _("Resolved")

    class Rule(models.TextChoices):
        BAND_RISE = "band_rise", _("Risk band went up")
        INDEX_RISE = "index_rise", _("Risk index rose sharply")
        TRIGGER = "trigger_newly_3", _("A sudden event reached the highest score")
        OVERDUE = "overdue_high", _("High risk, not re-assessed in time")
        RED_FLAG = "red_flag", _("A red flag: answers that together need action now")

    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts")
    village = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    assessment = models.OneToOneField(
        Assessment, null=True, blank=True, on_delete=models.PROTECT, related_name="alert"
    )
    reasons = models.JSONField(default=list)
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.OPEN, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    due_at = models.DateTimeField()
    escalation_level = models.PositiveSmallIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution_note = models.TextField(blank=True)
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="risk_alerts", blank=True)

    AREA_FIELD = "village"

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["agency", "status", "-created_at"])]

    def __str__(self) -> str:
        return f"alert #{self.pk}"

    def audit_label(self) -> str:
        return f"alert #{self.pk}"

    @classmethod
    def shared_q(cls, viewer: Viewer, action: str) -> Q:
        """Whoever an alert was routed to may see and act on it."""
        if viewer.user_id is None or action == Action.DELETE:
            return Q(pk__in=[])
        # Routing counts only while the person still works for the alert's agency.
        agencies = [
            g.agency_id
            for g in viewer.grants
            if g.role in (Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER, Role.VOLUNTEER)
        ]
        routed = Alert.recipients.through.objects.filter(user_id=viewer.user_id).values("alert_id")
        q = Q(pk__in=routed, agency_id__in=agencies)
        if not viewer.has_role(Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER):
            q &= VISIBLE_TO_VOLUNTEERS
        return q

    @classmethod
    def grant_q(cls, grant: Grant) -> Q:
        """Alerts about a case's subject leave the village volunteers' inbox with the person."""
        return VISIBLE_TO_VOLUNTEERS if grant.role == Role.VOLUNTEER else Q()

    @property
    def rules(self) -> list[str]:
        return [r["rule"] for r in self.reasons]


VISIBLE_TO_VOLUNTEERS = Q(person__isnull=True) | Q(person__restricted=False)


class RiskCell(models.Model):
    """How many assessed people of one agency, village, sex, age band and risk band (see cells.py)."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="+")
    village = models.ForeignKey("geo.Area", on_delete=models.CASCADE, related_name="+")
    sex = models.CharField(max_length=8)
    age_band = models.CharField(max_length=8)
    band = models.CharField(max_length=12)
    n = models.PositiveIntegerField()
    index_sum = models.FloatField(default=0)
    index_n = models.PositiveIntegerField(default=0)
    key_sum = models.BigIntegerField(default=0)  # the sum of its people's record keys (core.disclosure)
    built_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "village", "sex", "age_band", "band"], name="one_risk_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.village_id} {self.sex} {self.age_band} {self.band}: {self.n}"


# ------------------------------------------------------------------------------- documentation status
# Documentation is not one yes-or-no (W-24): a person holds, waits for, has lost or never had each of several
# documents. Statelessness is a citizenship with the state "none". Never read through an agency whose
# receiving profile enforces (police, immigration, prosecutor: PRODUCT.md rule 2), whatever the role.

DOCUMENT_ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({Action.VIEW, Action.CHANGE}),
    Role.COORDINATOR: frozenset({Action.VIEW, Action.CHANGE}),
    Role.CASEWORKER: frozenset({Action.VIEW, Action.CHANGE}),
}


def _not_enforcement() -> Q:
    from safepassage.accounts.profiles import enforcement_codes

    return ~Q(agency__profile__in=sorted(enforcement_codes()))


class DocumentKind(models.TextChoices):
    CITIZENSHIP = "citizenship", _("Citizenship (nationality)")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    HOUSEHOLD_REGISTRATION = "household_registration", _("Household registration")
    ID_CARD = "id_card", _("ID card")
    PASSPORT = "passport", _("Passport")
    WORK_PERMIT = "work_permit", _("Work permit")
    MOU_CONTRACT = "mou_contract", _("MOU contract (recruited through the government channel)")
    DEPENDANT = "dependant", _("Registered as a dependant of a migrant worker")
    # Issue 22 part 8, R-098: enrolment in a social-security scheme (the country is the scheme's), and whether
    # its benefits can be taken home (portability); "has it" means enrolled or portable.
    SOCIAL_SECURITY = "social_security", _("Social security enrolment")
    SOCIAL_SECURITY_PORTABLE = "social_security_portable", _("Social security benefits can be taken home")
    OTHER = "other", _("Other document")


class DocumentState(models.TextChoices):
    HAS = "has", _("Has it, valid")
    APPLIED = "applied", _("Applied for, waiting")
    EXPIRED = "expired", _("Expired")
    HELD_BY_OTHER = "held_by_other", _("Kept by someone else (employer, broker)")
    LOST = "lost", _("Lost or destroyed")
    NONE = "none", _("Does not have it")
    UNKNOWN = "unknown", _("Not known")


class PersonDocument(AgencyOwned, TimeStamped):
    """One of a person's documents and where it stands: a citizenship in state "none" is statelessness."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("document"), max_length=24, choices=DocumentKind.choices)
    state = models.CharField(_("state"), max_length=16, choices=DocumentState.choices)
    country = models.CharField(_("country"), max_length=2, blank=True)
    state_on = models.DateField(_("since"), null=True, blank=True)
    note = EncryptedTextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    AREA_FIELD = "person__village"
    ROLE_ACTIONS = DOCUMENT_ROLE_ACTIONS
    SENSITIVE_FIELDS = ("note",)

    class Meta:
        ordering = ["person", "kind", "id"]
        verbose_name = _("person's document")
        verbose_name_plural = _("person's documents")
        constraints = [
            models.CheckConstraint(condition=Q(state__in=DocumentState.values), name="person_document_state"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_state_display()}"

    def audit_label(self) -> str:
        return f"document #{self.pk} of person #{self.person_id}"

    @classmethod
    def grant_q(cls, grant: Grant) -> Q:
        return _not_enforcement()

    @property
    def stateless(self) -> bool:
        return self.kind == DocumentKind.CITIZENSHIP and self.state == DocumentState.NONE


class CivilProblem(AgencyOwned, TimeStamped):
    """A citizenship or civil-registration problem followed until it is resolved (R-044): a child of a
    foreign father never registered, a minority family left off the household register."""

    class Kind(models.TextChoices):
        CITIZENSHIP = "citizenship", _("Citizenship")
        BIRTH_REGISTRATION = "birth_registration", _("Birth not registered")
        HOUSEHOLD_REGISTRATION = "household_registration", _("Not on the household register")
        ID_CARD = "id_card", _("ID card")
        DEPENDANT = "dependant", _("Dependant of a migrant worker")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        FOLLOWING = "following", _("Being followed up")
        RESOLVED = "resolved", _("Resolved")
        UNRESOLVED = "unresolved", _("Closed, not resolved")

    OPEN_STATUSES = (Status.OPEN, Status.FOLLOWING)

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="civil_problems")
    kind = models.CharField(_("problem"), max_length=24, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    opened_on = models.DateField(_("noticed on"))
    description = EncryptedTextField(_("what the problem is"), blank=True)
    next_step = EncryptedCharField(_("next step"), max_length=300, blank=True)
    next_step_on = models.DateField(_("next step by"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    outcome = EncryptedTextField(_("how it ended"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    AREA_FIELD = "person__village"
    ROLE_ACTIONS = DOCUMENT_ROLE_ACTIONS
    SENSITIVE_FIELDS = ("description", "outcome", "next_step")

    class Meta:
        ordering = ["person", "-opened_on", "-id"]
        verbose_name = _("citizenship or civil-registration problem")
        verbose_name_plural = _("citizenship and civil-registration problems")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "following"], closed_on__isnull=True)
                | Q(status__in=["resolved", "unresolved"], closed_on__isnull=False),
                name="civil_problem_closed_when_done",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_status_display()}"

    def audit_label(self) -> str:
        return f"civil problem #{self.pk} of person #{self.person_id}"

    @classmethod
    def grant_q(cls, grant: Grant) -> Q:
        return _not_enforcement()

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES
