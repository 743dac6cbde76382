"""Employers' status decisions and their periodic returns' schedule (docs/prevention.md, "Employers earn
their status"). Kept apart from models.py, which imports them at its end."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.core.fields import EncryptedTextField


class EmployerStatusDecision(models.Model):
    """One change of an employer's status, with the evidence it rested on. Staff only: the employer reads
    the status and its dates on the employer, never this record."""

    class Cause(models.TextChoices):
        GRANTED = "granted", _("Granted from the evidence")
        FINDING = "finding", _("A finding notified to the employer")
        REVIEW = "review", _("The review date passed")

    employer = models.ForeignKey(
        "workplaces.Employer", on_delete=models.CASCADE, related_name="status_decisions"
    )
    status = models.CharField(_("status"), max_length=10)
    cause = models.CharField(_("why"), max_length=10, choices=Cause.choices)
    effective_on = models.DateField(_("from"))
    review_on = models.DateField(_("review on"), null=True, blank=True)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    finding = models.ForeignKey(
        "workplaces.EmployerViolation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = EncryptedTextField(_("note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    SENSITIVE_FIELDS = ("note",)

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.employer_id} {self.status} {self.effective_on}"


class ReturnSchedule(models.Model):
    """How often an employer returns wages, training and conditions for each of its workplaces, and how
    long before the due day it is reminded."""

    class Every(models.IntegerChoices):
        MONTH = 1, _("Every month")
        QUARTER = 3, _("Every three months")
        HALF_YEAR = 6, _("Every six months")
        YEAR = 12, _("Every year")

    employer = models.OneToOneField(
        "workplaces.Employer", on_delete=models.CASCADE, related_name="return_schedule"
    )
    every_months = models.PositiveSmallIntegerField(_("how often"), choices=Every.choices, default=3)
    starts_on = models.DateField(_("first period starts on"))
    due_days = models.PositiveSmallIntegerField(_("days after a period ends to send it"), default=15)
    remind_days = models.PositiveSmallIntegerField(_("remind this many days before"), default=7)
    active = models.BooleanField(_("active"), default=True)

    def __str__(self) -> str:
        return f"returns of employer {self.employer_id}"


class ReturnReminder(models.Model):
    """A reminder sent for one period (before it is due, or once overdue): each goes out once."""

    class Kind(models.TextChoices):
        DUE = "due", _("Due soon")
        OVERDUE = "overdue", _("Overdue")

    schedule = models.ForeignKey(ReturnSchedule, on_delete=models.CASCADE, related_name="reminders")
    period = models.CharField(max_length=20)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["schedule", "period", "kind"], name="one_return_reminder")
        ]

    def __str__(self) -> str:
        return f"{self.schedule_id} {self.period} {self.kind}"
