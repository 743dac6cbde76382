"""A child's procedural role in a case with the protections each role needs, and children held in detention
homes with their language and interpretation needs (docs/prevention.md, R-027, R-096). Kept apart from
models.py, which imports them at its end."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.cases.models import Case, CaseChild


class ChildRole(CaseChild):
    """The child's role in the legal process (a child may hold more than one), and the protections done:
    `protections` maps a protection's code (cases.child_roles.PROTECTIONS) to the day it was done."""

    class Role(models.TextChoices):
        VICTIM = "victim", _("Victim")
        WITNESS = "witness", _("Witness")
        IN_CONFLICT = "in_conflict", _("In conflict with the law")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="child_roles")
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    since = models.DateField(_("since"))
    protections = models.JSONField(_("protections done"), default=dict, blank=True)

    class Meta:
        ordering = ["since", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "role"], name="one_child_role_per_case")]


class DetentionStay(CaseChild):
    """A child held in a detention home (a juvenile observation and protection centre), followed for the
    languages they speak and the interpreter they need."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="detentions")
    facility = models.CharField(_("detention home"), max_length=200)
    admitted_on = models.DateField(_("admitted on"))
    released_on = models.DateField(_("released on"), null=True, blank=True)
    languages = models.JSONField(_("languages the child speaks"), default=list)
    understands_local = models.BooleanField(_("understands the local language"), default=False)
    interpreter_arranged_on = models.DateField(_("interpreter arranged on"), null=True, blank=True)
    last_visit_on = models.DateField(_("last visited on"), null=True, blank=True)
    next_visit_on = models.DateField(_("next visit due on"), null=True, blank=True)

    class Meta:
        ordering = ["-admitted_on", "-pk"]

    @property
    def needs_interpreter(self) -> bool:
        return not self.understands_local

    @property
    def interpreter_missing(self) -> bool:
        return self.needs_interpreter and self.interpreter_arranged_on is None
