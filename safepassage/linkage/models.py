"""Record linkage: runs of the matcher, the pairs it found for review, and merges that can be undone."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from safepassage.core.access import Viewer
from safepassage.core.fields import EncryptedJSONField
from safepassage.core.models import AgencyOwned
from safepassage.core.roles import Action, Role

# Reviewing and merging people: an agency's coordinators and administrators.
LINKAGE_ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({Action.VIEW, Action.CHANGE}),
    Role.COORDINATOR: frozenset({Action.VIEW, Action.CHANGE}),
}


class LinkageRun(models.Model):
    """One run of the matcher over an agency's people (or everyone's, from the command line)."""

    agency = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(default=0)
    people = models.PositiveIntegerField(default=0)
    pairs = models.PositiveIntegerField(default=0)
    new_candidates = models.PositiveIntegerField(default=0)
    auto_merged = models.PositiveIntegerField(default=0)
    threshold = models.FloatField()
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"linkage run {self.pk}"


class MatchCandidate(AgencyOwned):
    """Two records that may be the same person, with the evidence per field. `agency` is person A's; a pair
    across two agencies shows each side only what that side may see."""

    ROLE_ACTIONS: ClassVar[dict[str, frozenset[str]]] = LINKAGE_ROLE_ACTIONS

    class Status(models.TextChoices):
        PENDING = "pending", _("To review")
        MERGED = "merged", _("Same person: merged")
        NOT_SAME = "not_same", _("Not the same person")
        UNDONE = "undone", _("Merge undone: to review again")

    person_a_id = (
        models.BigIntegerField()
    )  # ids, not keys: a merge deletes one record and an undo restores it
    person_b_id = models.BigIntegerField()
    other_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    match_weight = models.FloatField()
    probability = models.FloatField()
    evidence = models.JSONField(default=list)  # [{field, level, label, weight}]
    involves_child = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    run = models.ForeignKey(LinkageRun, null=True, on_delete=models.SET_NULL, related_name="candidates")
    found_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person_a_id", "person_b_id"], name="linkage_one_candidate_per_pair"
            ),
            models.CheckConstraint(
                condition=Q(person_a_id__lt=models.F("person_b_id")), name="linkage_pair_ordered"
            ),
        ]
        ordering = ["-match_weight"]

    def __str__(self) -> str:
        return f"{self.person_a_id} ~ {self.person_b_id} ({self.match_weight:.1f})"

    @property
    def is_open(self) -> bool:
        """Waiting for a person to decide: never decided, or a merge of it was undone."""
        return self.status in OPEN

    @classmethod
    def own_q(cls, viewer: Viewer, action: str) -> Q:
        """A pair belongs to both agencies it touches."""
        q = Q(pk__in=[])
        for grant in viewer.grants:
            if action in cls.ROLE_ACTIONS.get(grant.role, frozenset()):
                q |= Q(agency_id=grant.agency_id) | Q(other_agency_id=grant.agency_id)
        return q


OPEN = (MatchCandidate.Status.PENDING, MatchCandidate.Status.UNDONE)


class Merge(models.Model):
    """One merge: the record kept, the record folded into it (its row kept here so it can come back), and
    every reference that was moved from one to the other."""

    candidate = models.ForeignKey(MatchCandidate, on_delete=models.PROTECT, related_name="merges")
    survivor_id = models.BigIntegerField()
    merged_id = models.BigIntegerField()
    merged_row = EncryptedJSONField()  # the merged person's fields, to re-create them on undo
    survivor_before = EncryptedJSONField()  # the survivor's fields the merge changed
    moved = models.JSONField(default=list)  # [[model label, pk, field]]
    automatic = models.BooleanField(default=False)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id}"
