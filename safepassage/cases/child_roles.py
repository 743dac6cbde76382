"""The protections each procedural role of a child needs (R-027: victims, witnesses and children in conflict
with the law; the seeds' `001 L1389`). Shown as a checklist on the case; data, not scattered conditions."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

PROTECTIONS: dict[str, tuple[tuple[str, Promise], ...]] = {
    "victim": (
        ("best_interests", _("Best-interests assessment recorded")),
        ("support_person", _("A social worker or trusted adult present at every interview")),
        ("one_interview", _("Interviewed once, child-friendly, by the multidisciplinary team (recorded)")),
        ("interpreter", _("Interpreter in the child's language, if needed")),
        ("safe_place", _("A safe place to stay (shelter or family, after a safety check)")),
        ("legal_aid", _("Legal aid and a claim for compensation")),
        ("privacy", _("Name and face kept out of the media and public records")),
    ),
    "witness": (
        ("support_person", _("A social worker or trusted adult present at every interview")),
        ("one_interview", _("Interviewed once, child-friendly, by the multidisciplinary team (recorded)")),
        ("interpreter", _("Interpreter in the child's language, if needed")),
        ("no_contact", _("No contact with the accused (separate waiting, testimony by video link)")),
        ("court_preparation", _("Prepared for court by a social worker")),
        ("privacy", _("Name and face kept out of the media and public records")),
    ),
    "in_conflict": (
        ("guardian_told", _("Parent or guardian told at once")),
        ("lawyer", _("A lawyer from the start")),
        ("interpreter", _("Interpreter in the child's language, if needed")),
        ("age_checked", _("Age checked (treated as a child when in doubt)")),
        (
            "victim_screening",
            _("Screened as a possible victim of trafficking (not punished for what they were made to do)"),
        ),
        ("separate_from_adults", _("Held apart from adults; detention only as a last resort")),
        ("diversion", _("Diversion from court considered")),
        ("juvenile_court", _("Heard by the juvenile and family court")),
    ),
}


def checklist(role: str, done: dict[str, str]) -> list[tuple[str, str, str]]:
    """(code, label, day done or "") for each protection the role needs."""
    return [(code, str(label), done.get(code, "")) for code, label in PROTECTIONS.get(role, ())]
