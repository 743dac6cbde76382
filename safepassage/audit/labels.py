"""The audit page in words: a label for each action code and whole, readable values for its changes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.apps import apps
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

VERBS: dict[str, Any] = {
    "create": _("created"),
    "check": _("checked"),
    "add": _("added"),
    "update": _("changed"),
    "save": _("saved"),
    "record": _("recorded"),
    "view": _("looked at"),
    "list": _("list read"),
    "search": _("searched"),
    "close": _("closed"),
    "cancel": _("cancelled"),
    "delete": _("removed"),
    "revoke": _("revoked"),
    "resolve": _("resolved"),
    "acknowledge": _("acknowledged"),
    "accept": _("accepted"),
    "reject": _("declined"),
    "complete": _("completed"),
    "withdraw": _("withdrawn"),
    "export": _("exported"),
    "download": _("downloaded"),
    "import": _("imported"),
    "apply": _("applied"),
    "load": _("loaded"),
    "merge": _("merged"),
    "undo": _("undone"),
    "link": _("linked"),
    "not_same": _("marked as different people"),
    "escalate": _("escalated"),
    "request": _("requested"),
    "issue": _("issued"),
    "unlock": _("unlocked"),
    "override": _("overridden"),
    "login": _("signed in"),
    "login_failed": _("sign-in failed"),
    "locked": _("locked out"),
    "password_change": _("password changed"),
    "activate": _("put in use"),
    "arrived": _("arrival confirmed"),
    "assign": _("given to a caseworker"),
    "award": _("award given"),
    "bulk_record": _("recorded in bulk"),
    "bulk_open": _("opened in bulk"),
    "case": _("handed over to a case"),
    "checkpoint": _("checkpoint written"),
    "commitment": _("commitment recorded"),
    "done": _("done"),
    "end": _("ended"),
    "generate": _("made"),
    "observation": _("observation recorded"),
    "overdue": _("overdue"),
    "parameters": _("settings changed"),
    "purge": _("removed after its time"),
    "registration": _("linked to a registration"),
    "rerate": _("ratings worked out again"),
    "rescore": _("scores worked out again"),
    "run": _("search run"),
    "screen": _("screened"),
    "seat": _("member added"),
    "unseat": _("member removed"),
    "start": _("started"),
    "status": _("status changed"),
    "violation": _("violation recorded"),
    # an alert moved to one of its states (the state's own name is the action)
    "open": _("opened"),
    "acknowledged": _("acknowledged"),
    "resolved": _("resolved"),
    "revoke_all": _("all revoked"),
    "reset": _("reset"),
    "repeated_failures": _("many wrong passwords"),
    "consent_withdraw": _("consent withdrawn"),
    "erase": _("identity removed"),
    "erase_withdrawal": _("identity removed after consent was withdrawn"),
    "reapply": _("removals done again after a restore"),
    "restore": _("restored"),
    "rotate": _("sealed again under the newest key"),
    "access_export": _("everything held about them given out"),
    "own_consent": _("own consent recorded at 18"),
    "break_glass_view": _("looked at in an emergency (outside the reader's own cases)"),
    "report": _("reported as misuse"),
    "unlink": _("unlinked"),
    "read": _("marked as read"),
    "protection": _("protection ticked or unticked"),
    "aged_out": _("left on turning 18"),
    "leave": _("left"),
    "group_report": _("what the group reported recorded"),
    "commitment_check": _("commitment checked"),
    "finding_notified": _("finding notified to the employer"),
    "return_reminders": _("reminders of returns sent"),
    "return_schedule": _("schedule of returns set"),
    "status_grant": _("good-employer status granted"),
    "status_withdraw": _("good-employer status withdrawn after a finding notified to it"),
    "status_lapse": _("good-employer status ended at its review date"),
    "show": _("shown"),
    "flag": _("red flag raised"),
    "follow_up": _("followed up"),
    "interview": _("interview recorded"),
    "retire": _("taken out of use"),
    "approve": _("approved"),
    "draft": _("drafted"),
    "decline": _("declined"),
    "deliver": _("delivered"),
    "receive": _("received"),
    "refuse": _("refused"),
    "send": _("sent"),
    "deactivate": _("deactivated (its messages refused, nothing sent to it)"),
    "reactivate": _("reactivated"),
}

# What an action is about when it is not a model's name: ("app", "thing"), or ("app",) for two-part codes.
SUBJECTS: dict[tuple[str, ...], Any] = {
    ("auth",): _("Sign-in"),
    ("audit",): _("Audit trail"),
    ("linkage",): _("Duplicate records"),
    ("workplaces",): _("Workplaces"),
    ("reports",): _("Report"),
    ("accounts", "token"): _("API key"),
    ("prevention", "attachment"): _("File attached to a village's findings"),
    ("migration", "dispute"): _("Labour dispute"),
    ("migration", "recruiter"): _("Recruiter of a channel"),
    ("migration", "reintegration"): _("Reintegration step"),
    ("migration", "return"): _("Return home"),
    ("network", "library"): _("Library document"),
    ("workplaces", "link"): _("Link between workplaces"),
    ("workplaces", "media"): _("Media item"),
    ("workplaces", "supply"): _("Supply link"),
    ("accounts", "second_factor"): _("Second sign-in step"),
    ("cases", "action"): _("Meeting action"),
    ("cases", "alert"): _("Case alert"),
    ("cases", "best_interests"): _("Best-interests assessment"),
    ("cases", "detention"): _("Child in a detention home"),
    ("cases", "event"): _("What happened"),
    ("cases", "follow_up"): _("Follow-up visit"),
    ("cases", "intake"): _("Report received"),
    ("cases", "legal"): _("Court or police step"),
    ("cases", "lifecycle"): _("Case steps"),
    ("cases", "note"): _("Case note"),
    ("cases", "service"): _("Help given"),
    ("cases", "shelter"): _("Shelter stay"),
    ("cases", "track"): _("Kind of case"),
    ("cases", "return_measures"): _("Child-friendly measures of a return"),
    ("cases", "return_partner"): _("Partner agency of a return"),
    ("exchange", "keys"): _("Keys for exchange with other countries"),
    ("exchange", "message"): _("Message to or from another country's installation"),
    ("exchange", "follow_up"): _("Follow-up reported to the sending country"),
    ("exchange", "aggregate"): _("Figures sent up as totals (roll-up)"),
    ("exchange", "publication"): _("Publication or case story"),
    ("geo", "areas"): _("Areas"),
    ("imports", "job"): _("File brought in"),
    ("imports", "mapping"): _("Columns of a file"),
    ("migration", "alert"): _("Migration alert"),
    ("migration", "site"): _("Child found at a site"),
    ("migration", "tracing"): _("Family tracing step"),
    ("network", "focal_point"): _("Contact point"),
    ("notify", "preference"): _("Notification choices"),
    ("notify", "line"): _("LINE link"),
    ("network", "sharing_agreement"): _("Sharing agreement"),
    ("privacy", "person"): _("Person"),
    ("privacy", "erasure"): _("Identity removal"),
    ("privacy", "retention"): _("Keeping records for a set time"),
    ("privacy", "correction"): _("Correction request"),
    ("privacy", "backup"): _("Backup"),
    ("privacy", "keys"): _("Encryption keys"),
    ("registry", "demo"): _("Practice data"),
    ("workplaces", "rating"): _("Workplace rating"),
    ("workplaces", "submission"): _("Employer's report"),
}

CHANGED = "→"


def _model_label(app_label: str, model_name: str) -> str | None:
    try:
        model = apps.get_model(app_label, model_name)
    except (LookupError, ValueError):
        return None
    return str(model._meta.verbose_name)


def _subject(parts: list[str]) -> str | None:
    """What an action code is about, in words; None when nothing names it."""
    if len(parts) >= 3:
        named = _model_label(parts[0], parts[1]) or SUBJECTS.get((parts[0], parts[1]))
        if named is None and parts[0] == "reports":
            named = SUBJECTS[("reports",)]
    elif len(parts) == 2:
        named = SUBJECTS.get((parts[0],))
    else:
        return None
    return None if named is None else str(capfirst(named))


def has_label(action: str) -> bool:
    """Whether an action code reads in words (its thing and its verb both known), not as a code."""
    parts = action.split(".")
    return parts[-1] in VERBS and _subject(parts) is not None


def action_label(action: str) -> str:
    """An action code in words: "cases.intake.create" → "Report received: created"."""
    parts = action.split(".")
    verb = parts[-1]
    said = str(VERBS.get(verb, verb.replace("_", " ")))
    if len(parts) == 1:
        return capfirst(said)
    subject = _subject(parts) or capfirst(" ".join(parts[:-1]).replace("_", " ").replace(".", " "))
    return f"{subject}: {said}"


def _text(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value) if value else "–"
    return str(value)


def change_rows(changes: Any) -> list[tuple[str, str]]:
    """Each field of an event's changes as (field, whole value); a pair [old, new] reads "old → new"."""
    if not isinstance(changes, Mapping):
        return [("", _text(changes))] if changes else []
    rows = []
    for name, value in changes.items():
        field = str(name).replace("__", " › ").replace("_", " ")
        if isinstance(value, list) and len(value) == 2 and not all(isinstance(v, int) for v in value):
            text = f"{_text(value[0])} {CHANGED} {_text(value[1])}"
        else:
            text = _text(value)
        rows.append((field, text))
    return rows


def record_label(object_type: str) -> str:
    """A record type in words ("cases.case" → "Case"); anything else as it is."""
    if object_type.count(".") != 1:
        return object_type
    app, name = object_type.split(".")
    named = _model_label(app, name) or SUBJECTS.get((app, name))
    return str(capfirst(named)) if named else object_type
