"""An agency created by any path gets the receiving profile that fits its kind, unless one is given."""

from __future__ import annotations

import pytest

from safepassage.accounts.models import Agency

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kind", "name", "expected"),
    [
        (Agency.Kind.NGO, "Friends of Children", "ngo"),
        (Agency.Kind.GOVERNMENT, "Provincial social development office", "case_management"),
        (Agency.Kind.ENFORCEMENT, "Provincial police", "police"),
        (Agency.Kind.ENFORCEMENT, "Immigration office", "immigration"),
        (Agency.Kind.EMPLOYER, "Golden Farm Co.", ""),
    ],
)
def test_a_new_agency_without_a_profile_gets_its_kinds(kind: str, name: str, expected: str) -> None:
    agency = Agency.objects.create(code=f"a-{kind}-{len(name)}", name=name, kind=kind, country="TH")
    agency.refresh_from_db()
    assert agency.profile == expected


def test_a_profile_given_is_kept_and_not_changed_on_later_saves() -> None:
    agency = Agency.objects.create(
        code="lab", name="Labour office", kind="government", country="TH", profile="labour_inspection"
    )
    agency.name = "Provincial labour office"
    agency.save()
    agency.refresh_from_db()
    assert agency.profile == "labour_inspection"
