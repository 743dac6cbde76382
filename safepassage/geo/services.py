"""Writes for areas: the checked, all-or-nothing import."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from safepassage.accounts.models import User
from safepassage.audit.services import audit_record
from safepassage.core.importing import ImportRejected, RowError
from safepassage.geo.models import Area, chain_for
from safepassage.geo.parsing import AreaRow, check_tree, countries_of

CHUNK = 2000


@dataclass(frozen=True)
class AreaImportResult:
    """What an import did."""

    created: int
    updated: int


def _existing(codes: Iterable[str]) -> dict[str, Area]:
    found: dict[str, Area] = {}
    code_list = sorted(set(codes))
    for start in range(0, len(code_list), CHUNK):
        for area in Area.objects.filter(code__in=code_list[start : start + CHUNK]).select_related("parent"):
            found[area.code] = area
    return found


def areas_import(
    *, actor: User | None, rows: Sequence[AreaRow], source: str = "", errors: Sequence[RowError] = ()
) -> AreaImportResult:
    """Add or update areas from checked rows; if any row has a problem, nothing is written.

    `errors` are problems already found while reading the file; they are reported with the tree's own.
    """
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied(_("Only a system administrator can import areas."))
    existing = _existing([r.code for r in rows] + [r.parent_code for r in rows if r.parent_code])
    known = {
        code: (a.level, a.parent.code if a.parent else "", a.country_code) for code, a in existing.items()
    }
    problems = list(errors) + check_tree(rows, known)
    if problems:
        raise ImportRejected(problems)
    if not rows:
        raise ImportRejected([RowError(1, "-", _("the file holds no areas"))])
    countries = countries_of(rows, known)
    depth = {r.code: chain_for(countries.get(r.code, "")).index(r.level) for r in rows}
    with transaction.atomic():
        return _apply(actor=actor, rows=rows, existing=existing, source=source, depth=depth)


def _apply(
    *,
    actor: User | None,
    rows: Sequence[AreaRow],
    existing: dict[str, Area],
    source: str,
    depth: dict[str, int],
) -> AreaImportResult:
    by_code = dict(existing)
    created = updated = 0
    # parents before children (by depth in each country's chain), so every path is built from its parent's
    for step in sorted(set(depth.values())):
        new: list[Area] = []
        changed: list[Area] = []
        for row in (r for r in rows if depth[r.code] == step):
            fields = {
                "name_en": row.name_en,
                "name_th": row.name_th,
                "names": row.names,
                "centroid_lat": row.lat,
                "centroid_lon": row.lon,
                "boundary": row.boundary,
            }
            if row.code in existing:
                area = existing[row.code]
                for name, value in fields.items():
                    setattr(area, name, value)
                changed.append(area)
                continue
            parent = by_code[row.parent_code] if row.parent_code else None
            area = Area(
                code=row.code,
                level=row.level,
                parent=parent,
                path=(parent.path if parent else "") + row.code + "/",
                **fields,
            )
            new.append(area)
        for start in range(0, len(new), CHUNK):
            for area in Area.objects.bulk_create(new[start : start + CHUNK]):
                by_code[area.code] = area
        if changed:
            Area.objects.bulk_update(
                changed,
                ["name_en", "name_th", "names", "centroid_lat", "centroid_lon", "boundary"],
                batch_size=CHUNK,
            )
        created += len(new)
        updated += len(changed)
    audit_record(
        actor=actor,
        action="geo.areas.import",
        object_type="geo.area",
        changes={"source": source, "created": created, "updated": updated},
    )
    return AreaImportResult(created=created, updated=updated)
