"""The case lifecycle as data: load it from a JSON file (the default ships with the project), export it.

A stage's label is a text per language (`{"en": "Shelter", "th": "บ้านพักคุ้มครอง", …}`), shown in the
reader's language and in English where it has none; the default file's non-English labels are drafts that
need a native reader (docs/translations.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "lifecycle.json"
KNOWN_TRACKS = {"trafficking", "labour"}
KNOWN_REQUIREMENTS = {"best_interests"}
# A return home rests on a safety and best-interests assessment (a child's above all): a lifecycle whose
# return stage does not require one, or that has no best-interests stage before it, is refused.
RETURN_STAGES = {"return", "repatriation"}
BEST_INTERESTS_STAGE = "best_interests"


def parse(data: Any) -> list[dict[str, Any]]:
    """Check a lifecycle document and return its stages in order; every problem names the stage and field."""
    stages = data.get("stages") if isinstance(data, dict) else None
    if not isinstance(stages, list) or not stages:
        raise ValidationError({"stages": [_("Give a non-empty list of stages.")]})
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    numbers: dict[str, int] = {}  # each code's place in the file, for messages
    rows: list[dict[str, Any]] = []
    for number, raw in enumerate(stages, start=1):
        where = f"stages[{number}]"
        code = str(raw.get("code", "")).strip() if isinstance(raw, dict) else ""
        if not code:
            errors.setdefault(where, []).append(_("Each stage needs a code."))
            continue
        if code in seen:
            errors.setdefault(where, []).append(_("The code %(code)s appears twice.") % {"code": code})
        seen.add(code)
        numbers.setdefault(code, number)
        tracks = raw.get("tracks", [])
        if not set(tracks) <= KNOWN_TRACKS:
            errors.setdefault(where, []).append(_("Tracks are trafficking or labour."))
        requires = raw.get("requires", [])
        if not set(requires) <= KNOWN_REQUIREMENTS:
            errors.setdefault(where, []).append(_("A stage can only require best_interests."))
        label = raw.get("label") or {}
        if not isinstance(label, dict) or not label.get("en"):
            errors.setdefault(where, []).append(_("Each stage needs an English label."))
        rows.append(
            {
                "code": code,
                "position": number * 10,
                "label": label,
                "tracks": list(tracks),
                "requires": list(requires),
                "legal": bool(raw.get("legal", False)),
                "terminal": bool(raw.get("terminal", False)),
            }
        )
    for row in rows:
        if row["code"] not in RETURN_STAGES:
            continue
        number = numbers[row["code"]]
        where = f"stages[{number}]"
        if "best_interests" not in row["requires"]:
            errors.setdefault(where, []).append(
                _(
                    "The stage %(code)s must require best_interests: a return rests on a safety and "
                    "best-interests assessment."
                )
                % {"code": row["code"]}
            )
        if numbers.get(BEST_INTERESTS_STAGE, number) >= number:
            errors.setdefault(where, []).append(
                _("The stage %(code)s needs the stage best_interests before it.") % {"code": row["code"]}
            )
    if not any(r["terminal"] for r in rows):
        errors.setdefault("stages", []).append(_("One stage must close the case (terminal)."))
    if errors:
        raise ValidationError(errors)
    return rows


def load(path: Path = DEFAULT_FILE, *, stage_model: Any = None, audit: bool = False) -> int:
    """Create or update the stages from a file; stages left out become inactive (cases keep them)."""
    rows = parse(json.loads(Path(path).read_text(encoding="utf-8")))
    if stage_model is None:
        from safepassage.cases.models import Stage as stage_model
    with transaction.atomic():
        codes = []
        for row in rows:
            stage_model.objects.update_or_create(code=row["code"], defaults={**row, "active": True})
            codes.append(row["code"])
        retired = stage_model.objects.exclude(code__in=codes).update(active=False)
        if audit:
            from safepassage.audit.services import audit_record

            audit_record(
                actor=None,
                action="cases.lifecycle.load",
                object_type="cases.stage",
                changes={"stages": codes, "retired": retired, "file": Path(path).name},
            )
    return len(rows)


def add_translations(path: Path = DEFAULT_FILE, *, stage_model: Any = None) -> int:
    """Give each stage the languages its label lacks from a lifecycle file (the default's drafts), where the
    stage's code and English label are the file's: a label someone reworded, and any text already written
    in a language, stay as they are. Returns how many stages changed."""
    labels = {row["code"]: row["label"] for row in parse(json.loads(Path(path).read_text(encoding="utf-8")))}
    if stage_model is None:
        from safepassage.cases.models import Stage as stage_model
    changed = 0
    with transaction.atomic():
        for stage in stage_model.objects.filter(code__in=list(labels)):
            label = dict(stage.label) if isinstance(stage.label, dict) else {}
            default = labels[stage.code]
            if not label.get("en") or label["en"] != default.get("en"):
                continue
            missing = {lang: text for lang, text in default.items() if text and not label.get(lang)}
            if missing:
                stage.label = {**label, **missing}
                stage.save(update_fields=["label"])
                changed += 1
    return changed


def export() -> dict[str, Any]:
    """The active lifecycle as a document `load` accepts."""
    from safepassage.cases.models import Stage

    stages = []
    for stage in Stage.objects.filter(active=True):
        row: dict[str, Any] = {"code": stage.code, "label": stage.label}
        for name in ("tracks", "requires"):
            if getattr(stage, name):
                row[name] = getattr(stage, name)
        for name in ("legal", "terminal"):
            if getattr(stage, name):
                row[name] = True
        stages.append(row)
    return {"stages": stages}
