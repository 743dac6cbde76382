"""Documentation status in figures (R-052, R-044, W-24): children without citizenship (stateless), children
whose citizenship is applied for, and people with an open citizenship or civil-registration problem, by
district.

Protected like every figure here: exact for the owning agency's case staff, through the cell-key method
(protect.py) for every other reader, and the request audited. Never through an agency whose receiving
profile enforces (police, immigration, prosecutor): their grants are left out of the scope, and a reader who
has no other is answered 404 (PRODUCT.md rule 2: enforcement gets no documentation figures of any kind).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.http import Http404
from django.utils import timezone

from safepassage.accounts.models import Agency
from safepassage.accounts.profiles import enforcement_codes
from safepassage.core.access import viewer_for
from safepassage.registry.models import CivilProblem, DocumentKind, DocumentState, Person, PersonDocument
from safepassage.reports import protect
from safepassage.reports.selectors import REPORT_ROLES, audit_request, report_scope
from safepassage.reports.tables import AREA_LOOKUPS, area_names

FIGURES = ("children", "stateless", "applied", "open_problems")
CHILD_YEARS = 18


def may_see(viewer: Any) -> bool:
    """A report role in at least one agency that does not enforce."""
    agencies = {g.agency_id for g in viewer_for(viewer).grants if g.role in REPORT_ROLES}
    return Agency.objects.filter(pk__in=agencies).exclude(profile__in=enforcement_codes()).exists()


def _citizenship(state: str) -> Exists:
    return Exists(
        PersonDocument.objects.filter(person=OuterRef("pk"), kind=DocumentKind.CITIZENSHIP, state=state)
    )


def documentation_report(*, viewer: Any) -> dict[str, Any]:
    """Per district: children (under 18 this year), stateless children (a citizenship "none" and none
    held), children whose citizenship is applied for, and people with an open civil-registration problem."""
    if not may_see(viewer):
        raise Http404
    scope = report_scope(viewer)
    people = Person.objects.filter(scope.q).exclude(agency__profile__in=enforcement_codes())
    people = people.filter(erased_at__isnull=True)
    child = Q(birth_year__gt=timezone.localdate().year - CHILD_YEARS)
    stateless = child & Q(c_none=True) & Q(c_has=False)
    applied = child & Q(c_applied=True) & Q(c_has=False)
    problem = Q(c_problem=True)
    annotated = people.annotate(
        c_none=_citizenship(DocumentState.NONE),
        c_has=_citizenship(DocumentState.HAS),
        c_applied=_citizenship(DocumentState.APPLIED),
        c_problem=Exists(
            CivilProblem.objects.filter(person=OuterRef("pk"), status__in=CivilProblem.OPEN_STATUSES)
        ),
        g_district=F(AREA_LOOKUPS["district"]),
    )
    sums: dict[str, Any] = {}
    for name, on in zip(FIGURES, (child, stateless, applied, problem), strict=True):
        sums[name] = Count("id", filter=on)
        sums[f"{name}_key"] = Sum("record_key", filter=on)
    raw = list(annotated.values("g_district").annotate(**sums).order_by("g_district"))
    names = area_names({r["g_district"] or "" for r in raw})
    rows = []
    for r in raw:
        row: dict[str, Any] = {
            "district": r["g_district"],
            "district_name": names.get(r["g_district"] or "", ""),
        }
        for name in FIGURES:
            row[name] = int(r[name] or 0) if scope.exact else protect.count(r[name], r[f"{name}_key"])
        rows.append(row)
    audit_request(viewer, scope, "documentation", {"group_by": "district"})
    return {"perturbed": not scope.exact, "rows": rows}
