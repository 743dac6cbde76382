"""Trainees followed after training (issue 22 part 8, R-020): a follow-up of a responder's course, and the
trainees whose course was some months ago and who have not been followed up yet."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.accounts.models import User
from safepassage.audit.services import audit_record
from safepassage.core.roles import Action
from safepassage.core.validation import not_in_future
from safepassage.network.models import Responder, Training, TrainingFollowUp
from safepassage.network.services import _require_keeper
from safepassage.network.validation import clean_text, raise_errors

FOLLOW_UP_AFTER_DAYS = 90


@transaction.atomic
def training_follow_up(
    *,
    actor: User | None,
    training: Training,
    followed_up_on: date,
    applying: bool | None = None,
    still_active: bool | None = None,
    needs: str = "",
) -> TrainingFollowUp:
    """Record a follow-up of a trainee (the keeping agency's coordinators and administrators; audited)."""
    _require_keeper(actor, training.responder)
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {"needs": needs}
    clean_text(data, errors, "needs", 300)
    if followed_up_on < training.completed_on:
        errors["followed_up_on"] = [_("A follow-up cannot come before the course was completed.")]
    raise_errors(errors)
    not_in_future(followed_up_on, "followed_up_on")
    follow_up = TrainingFollowUp.objects.create(
        training=training,
        followed_up_on=followed_up_on,
        applying=applying,
        still_active=still_active,
        needs=data["needs"],
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="network.training.follow_up",
        obj=training.responder,
        changes={"training": training.pk, "applying": applying, "still_active": still_active},
    )
    return follow_up


def trainees_due(*, viewer: Any, today: date | None = None) -> QuerySet[Training]:
    """Courses of responders the viewer keeps, completed at least FOLLOW_UP_AFTER_DAYS ago, whose trainee has
    not been followed up since: the oldest first."""
    cutoff = (today or timezone.localdate()) - timedelta(days=FOLLOW_UP_AFTER_DAYS)
    kept = Responder.objects.visible_to(viewer, Action.CHANGE)
    return (
        Training.objects.filter(responder__in=kept, completed_on__lte=cutoff, follow_ups__isnull=True)
        .select_related("responder")
        .order_by("completed_on", "id")
    )
