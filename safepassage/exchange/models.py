"""Peers (other SafePassage installations), the transfers of cases between them, and the messages that carry
them (the outbox and the record of what came in)."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.accounts.profiles import ReceivingProfile
from safepassage.cases.models import CASE_ROLE_ACTIONS
from safepassage.core.fields import EncryptedJSONField, EncryptedTextField
from safepassage.core.models import AgencyOwned

USER = settings.AUTH_USER_MODEL


class Peer(models.Model):
    """Another installation, known by its public keys (checked over the phone by their fingerprints)."""

    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=2)
    address = models.URLField(
        _("address"),
        blank=True,
        help_text=_("Its web address (https://…). Empty when messages go only as files."),
    )
    signing_key = models.JSONField(_("public signing key"))
    encryption_key = models.JSONField(_("public encryption key"))
    key_id = models.CharField(_("signing key fingerprint"), max_length=64, unique=True)
    profile = models.CharField(
        _("receiving profile"),
        max_length=20,
        choices=ReceivingProfile.choices,
        default=ReceivingProfile.ORIGIN_AGENCY,
        help_text=_("What it may receive of a case: the same profiles as agencies here."),
    )
    receiving_agency = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("agency that receives its cases here"),
    )
    active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("A deactivated installation's messages are refused and nothing is sent to it."),
    )
    status_reason = models.TextField(_("why it was deactivated or reactivated"), blank=True)
    status_changed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status_changed_at = models.DateTimeField(_("deactivated or reactivated on"), null=True, blank=True)
    registered_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("installation we exchange with")
        verbose_name_plural = _("installations we exchange with")

    def __str__(self) -> str:
        return self.name


class Transfer(AgencyOwned):
    """One case sent to a peer or received from one: the packet (only the receiving profile's fields), the
    approval and basis it was sent on, and where it stands (sent → received → accepted or declined →
    follow-ups).

    On the receiving side `agency` is the agency that holds it (the peer's receiving agency until a
    coordinator accepts it into the agency they choose) and `case` the case made from it: its provenance."""

    ROLE_ACTIONS: ClassVar[dict[str, frozenset[str]]] = CASE_ROLE_ACTIONS

    class Side(models.TextChoices):
        SENT = "sent", _("Sent")
        RECEIVED = "received", _("Received")

    class Kind(models.TextChoices):
        REPATRIATION = "repatriation", _("Repatriation packet")
        REFERRAL = "referral", _("Cross-border referral")
        TRANSFER = "transfer", _("Case transfer")

    class Basis(models.TextChoices):
        BEST_INTERESTS = "best_interests", _("The child's best-interests decision")
        CONSENT = "consent", _("The person's own consent")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Waiting for a coordinator's approval")
        WAITING = "waiting", _("Approved: waiting to be delivered")
        SENT = "sent", _("Sent")
        RECEIVED = "received", _("Received by the other side")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    uid = models.UUIDField(default=uuid.uuid4, editable=False)
    side = models.CharField(_("side"), max_length=8, choices=Side.choices)
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="transfers")
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="exchange_transfers"
    )
    repatriation = models.ForeignKey(
        "cases.Repatriation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    profile = models.CharField(_("receiving profile"), max_length=20)
    basis = models.CharField(_("sent on"), max_length=16, choices=Basis.choices)
    consent_covers = models.JSONField(_("the consent also covers"), default=list, blank=True)
    packet = EncryptedJSONField(_("packet"), default=dict)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    requested_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = EncryptedTextField(_("answer"), blank=True)
    remote_reference = models.CharField(_("case reference on the other side"), max_length=60, blank=True)
    message_id = models.UUIDField(_("message id"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SENSITIVE_FIELDS = ("packet", "decision_note")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("case sent to or received from another country")
        verbose_name_plural = _("cases sent to or received from other countries")
        constraints = [
            models.UniqueConstraint(fields=["peer", "side", "uid"], name="exchange_one_transfer_per_side")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.uid}"


class Envelope(models.Model):
    """One message: waiting in the outbox (with its retries) or delivered; or accepted into the inbox (its id
    is kept so the same message is never taken twice). Refused messages are not kept here: only their reason,
    in the audit trail."""

    class Direction(models.TextChoices):
        OUT = "out", _("Outgoing")
        IN = "in", _("Incoming")

    class Type(models.TextChoices):
        PACKET = "packet", _("Packet")
        RECEIPT = "receipt", _("Receipt")
        ANSWER = "answer", _("Accepted or declined")
        FOLLOW_UP = "follow_up", _("Follow-up report")
        AGGREGATE = "aggregate", _("Aggregate report")

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        DELIVERED = "delivered", _("Delivered")
        EXPORTED = "exported", _("Written to a file")
        TAKEN = "taken", _("Taken in")

    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="envelopes")
    transfer = models.ForeignKey(
        Transfer, null=True, blank=True, on_delete=models.CASCADE, related_name="envelopes"
    )
    direction = models.CharField(max_length=3, choices=Direction.choices)
    type = models.CharField(max_length=10, choices=Type.choices)
    message_id = models.UUIDField(default=uuid.uuid4)
    body = EncryptedJSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("exchange message")
        constraints = [
            models.UniqueConstraint(
                fields=["peer", "direction", "message_id"], name="exchange_one_message_per_direction"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.message_id}"


# Who may read an agency's roll-ups (figures only, protected already): its administrators, coordinators and
# analysts, as for reports; coordinators make and send them.
REPORT_ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "admin": frozenset({"view"}),
    "coordinator": frozenset({"view", "add", "change"}),
    "analyst": frozenset({"view"}),
}


class AggregateReport(AgencyOwned):
    """A district (or provincial) operating centre's outcomes for a period and an area, as protected
    aggregates: figures only, already through the disclosure control of the agency that made them (no figure
    under 11, no record, no name). Made by a coordinator and sent to a higher centre here (`to_agency`) or to
    another installation (`peer`, through the exchange). `agency` is the agency that holds this copy: the
    maker's for the one made, the receiver's for the one received."""

    class Side(models.TextChoices):
        MADE = "made", _("Made here")
        RECEIVED = "received", _("Received")

    ROLE_ACTIONS: ClassVar[dict[str, frozenset[str]]] = REPORT_ROLE_ACTIONS

    uid = models.UUIDField(default=uuid.uuid4, editable=False)
    side = models.CharField(_("side"), max_length=8, choices=Side.choices)
    from_name = models.CharField(_("from"), max_length=200)
    to_agency = models.ForeignKey(
        "accounts.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sent to (an agency here)"),
    )
    peer = models.ForeignKey(
        Peer, null=True, blank=True, on_delete=models.PROTECT, related_name="aggregate_reports"
    )
    area_code = models.CharField(_("area code"), max_length=20)
    area_name = models.CharField(_("area"), max_length=200)
    level = models.CharField(_("figures by"), max_length=12)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    figures = models.JSONField(_("figures"), default=dict)
    made_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message_id = models.UUIDField(_("message id"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_end", "-created_at", "-id"]
        verbose_name = _("aggregate report")
        verbose_name_plural = _("aggregate reports")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "side", "uid"], name="exchange_one_aggregate_per_holder"
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_name} · {self.area_name} · {self.period_start:%Y-%m}–{self.period_end:%Y-%m}"


class Publication(AgencyOwned):
    """A publication, an anonymised case story or a cross-agency report that names places or partners:
    drafted by one person, approved by a coordinator who is not its author (of the agency asked to review
    it, or a second coordinator of its own), and only then downloadable."""

    class Kind(models.TextChoices):
        PUBLICATION = "publication", _("Publication or situation update")
        STORY = "story", _("Anonymised case story")
        REPORT = "report", _("Cross-agency report naming places or partners")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Waiting for approval")
        APPROVED = "approved", _("Approved")

    # The agency's case staff who write them; administrators and analysts do not read drafts of stories.
    ROLE_ACTIONS: ClassVar[dict[str, frozenset[str]]] = {
        "coordinator": frozenset({"view", "add", "change"}),
        "caseworker": frozenset({"view", "add"}),
    }

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    text = EncryptedTextField(_("text"))
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("the case the story is about"),
    )
    reviewer_agency = models.ForeignKey(
        "accounts.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("agency asked to approve"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    drafted_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    SENSITIVE_FIELDS = ("text",)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")

    def __str__(self) -> str:
        return self.title
