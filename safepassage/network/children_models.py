"""Children's committees and youth forums: members, safeguarding and what they reported (docs/prevention.md,
R-100, W-25). Unlike the directory these hold children's details, so only the keeping agency's staff read
them. Kept apart from models.py, which imports them at its end."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.core.fields import EncryptedCharField, EncryptedTextField
from safepassage.core.models import AgencyOwned, TimeStamped
from safepassage.core.roles import Action, Role

CHILD_GROUP_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({Action.VIEW, Action.CHANGE}),
    Role.COORDINATOR: frozenset({Action.VIEW, Action.CHANGE}),
    Role.CASEWORKER: frozenset({Action.VIEW, Action.CHANGE}),
}
AGE_OUT = 18


class ChildrenGroup(AgencyOwned, TimeStamped):
    """A children's committee, youth forum or children's centre, with the named adult responsible for it."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("Children's committee")
        FORUM = "forum", _("Youth forum")
        CENTRE = "centre", _("Children's centre")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    area = models.ForeignKey(
        "geo.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    named_adult = models.ForeignKey(
        "network.Responder",
        on_delete=models.PROTECT,
        related_name="children_groups",
        verbose_name=_("named adult responsible"),
    )
    meets = models.CharField(_("meets"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    AREA_FIELD = "area"
    ROLE_ACTIONS = CHILD_GROUP_ACTIONS

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class ChildMember(models.Model):
    """A child on a committee or forum, with a guardian's consent; leaves at 18 (ageing out)."""

    class Seat(models.TextChoices):
        MEMBER = "member", _("Member")
        LEADER = "leader", _("Youth leader")

    class Left(models.TextChoices):
        AGED_OUT = "aged_out", _("Turned 18")
        LEFT = "left", _("Left")
        CONSENT = "consent", _("Guardian withdrew consent")

    group = models.ForeignKey(ChildrenGroup, on_delete=models.CASCADE, related_name="members")
    name = EncryptedCharField(_("name"), max_length=200)
    birth_date = models.DateField(_("birth date"))
    seat = models.CharField(_("seat"), max_length=8, choices=Seat.choices, default=Seat.MEMBER)
    joined_on = models.DateField(_("joined on"))
    consent_by = EncryptedCharField(_("guardian who consented"), max_length=200)
    consent_on = models.DateField(_("consent given on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    left_reason = models.CharField(_("why they left"), max_length=10, choices=Left.choices, blank=True)

    SENSITIVE_FIELDS: ClassVar[tuple[str, ...]] = ("name", "birth_date", "consent_by")

    class Meta:
        ordering = ["left_on", "joined_on", "pk"]

    def __str__(self) -> str:
        return f"member #{self.pk}"

    def audit_label(self) -> str:
        return f"member #{self.pk} of group {self.group_id}"

    @property
    def turns_18_on(self) -> date:
        born = self.birth_date
        try:
            return born.replace(year=born.year + AGE_OUT)
        except ValueError:  # born on 29 February
            return date(born.year + AGE_OUT, 3, 1)


class ChildrenGroupReport(models.Model):
    """Something a committee or forum reported, passed on by the named adult. Which child said it is not
    recorded: minors who report need protecting (W-25)."""

    class About(models.TextChoices):
        CHILD_AT_RISK = "child_at_risk", _("A child who may be at risk")
        RECRUITER = "recruiter", _("A recruiter or broker in the village")
        SCHOOL = "school", _("Children leaving school")
        COMMUNITY = "community", _("A community problem")
        SUGGESTION = "suggestion", _("A suggestion or request")

    group = models.ForeignKey(ChildrenGroup, on_delete=models.CASCADE, related_name="reports")
    reported_on = models.DateField(_("reported on"))
    about = models.CharField(_("about"), max_length=14, choices=About.choices)
    summary = EncryptedTextField(_("what was reported"))
    passed_to = models.CharField(_("passed on to"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    SENSITIVE_FIELDS: ClassVar[tuple[str, ...]] = ("summary",)

    class Meta:
        ordering = ["-reported_on", "-pk"]

    def __str__(self) -> str:
        return f"report #{self.pk}"
