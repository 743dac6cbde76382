"""The safe-migration demo: the generator on a small world, and the whole demo province (cases, channels)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction

from safepassage.accounts.models import Agency, Membership, User
from safepassage.audit.models import AuditEvent
from safepassage.cases.models import Case, Referral, Stage
from safepassage.migration.demo import generate_migration
from safepassage.migration.models import (
    Channel,
    CheckIn,
    Counselling,
    MigrationAlert,
    Registration,
    SiteRegistration,
    TracingStep,
)
from safepassage.testing import area
from safepassage.web.demo import load_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_agencies() -> dict[str, Agency]:
    """The demo's two agencies with a coordinator each, and three districts of the demo province (the two
    origins and the provincial town with its market), two villages each."""
    country = area("TH", "country")
    province = area("50", "province", country, "Chiang Mai")
    for code, name in (("5001", "Mueang Chiang Mai"), ("5007", "Mae Rim"), ("5018", "Omkoi")):
        district = area(code, "district", province, name)
        subdistrict = area(f"{code}01", "subdistrict", district)
        for n in (1, 2):
            area(f"{code}010{n}", "village", subdistrict)
    agencies = {
        "cc": Agency.objects.create(code="cc", name="Coordination Centre", kind="government", country="TH"),
        "ngo": Agency.objects.create(code="ngo", name="Child Safety NGO", kind="ngo", country="TH"),
    }
    for code, agency in agencies.items():
        user = User.objects.create_user(username=f"{code}.coordinator", password="x")
        Membership.objects.create(user=user, agency=agency, role="coordinator")
    return agencies


def test_the_generator_makes_two_channels_with_histories_some_overdue_and_a_withdrawal(demo_agencies):
    today = date.today()
    made = generate_migration(agencies=demo_agencies, count=40, today=today)
    channels = {c.destination_country: c for c in Channel.objects.select_related("origin_area")}
    assert made["channels"] == 2 and set(channels) == {"TH", "CN"}
    assert channels["TH"].name == "Mae Rim – Bangkok" and channels["TH"].destination_place == "Bangkok"
    assert channels["CN"].origin_area.code == "5018"
    assert channels["CN"].destination_place == "Jinghong, Xishuangbanna"
    assert all(c.agency.code == "cc" and c.origin_committee_id for c in Channel.objects.all())

    registrations = Registration.objects.all()
    assert 30 <= made["registrations"] == registrations.count() <= 40
    assert set(registrations.values_list("status", flat=True)) <= set(Registration.Status.values)
    assert registrations.filter(recruiter__registered_on__isnull=False).exists()
    assert not registrations.filter(recruiter__isnull=False, recruiter__registered_on__isnull=True).exists()
    assert registrations.filter(arrived_on__isnull=False).count() == made["arrived"] > 20
    assert Counselling.objects.filter(back_to_school=True).exists()
    assert all(r.orientation for r in registrations)

    # Check-in histories: made ones (some not reached, some with problems) and some left undone, overdue.
    done = CheckIn.objects.filter(kind="scheduled", done_on__isnull=False)
    assert done.filter(reached=True).exists() and done.filter(reached=False).exists()
    assert done.exclude(problems=[]).exists()
    overdue = CheckIn.objects.filter(done_on__isnull=True, due_on__lt=today, registration__tracing=True)
    assert overdue.exists() and made["missed"] > 0
    assert MigrationAlert.objects.filter(kind="missed").exists()
    assert not CheckIn.objects.filter(done_on__gt=today).exists()

    withdrawn = registrations.filter(status="withdrawn")
    assert withdrawn.count() == made["withdrawn"] >= 1
    for registration in withdrawn:
        assert not registration.tracing
        assert (registration.phone, registration.messaging, registration.family_contact) == ("", "", "")
        assert registration.documents == []
    assert AuditEvent.objects.filter(action="migration.registration.withdraw").count() == made["withdrawn"]
    assert not registrations.exclude(status="withdrawn").filter(phone="").exists()

    assert SiteRegistration.objects.filter(site_kind="market").count() == made["sites"] == 10
    assert TracingStep.objects.count() == 10


class _Undo(Exception):
    pass


def test_the_generator_is_deterministic(demo_agencies):
    def run() -> list[tuple[object, ...]]:
        try:
            with transaction.atomic():
                generate_migration(agencies=demo_agencies, count=12, today=date.today())
                rows: list[tuple[object, ...]] = list(
                    Registration.objects.order_by("pk").values_list(
                        "status", "sector", "travel_date", "person__given_name", "phone"
                    )
                )
                raise _Undo
        except _Undo:
            return rows

    assert run() == run()


def test_the_demo_loads_cases_and_channels(tmp_path):
    load_demo(logins_file=tmp_path / "logins.json", people=0)
    # Cases: about 200, spread over both tracks' stages, with referrals in several states; a few more come
    # from problems reported at safe-migration check-ins.
    assert 180 <= Case.objects.count() <= 250
    stages = set(Case.objects.values_list("stage__code", flat=True))
    assert len(stages) >= 12 and {"closed", "prosecution", "mediation"} <= stages
    assert set(Stage.objects.values_list("code", flat=True)) >= stages
    assert {"pending", "accepted"} <= set(Referral.objects.values_list("status", flat=True))
    # Safe migration: two channels (one across a border), about 300 registrations, check-ins, overdue ones.
    assert set(Channel.objects.values_list("destination_country", flat=True)) == {"TH", "CN"}
    assert 290 <= Registration.objects.count() <= 300
    assert set(Registration.objects.values_list("status", flat=True)) <= set(Registration.Status.values)
    assert CheckIn.objects.filter(done_on__isnull=False).count() > 300
    assert MigrationAlert.objects.filter(kind="missed").exists()
    withdrawn = Registration.objects.filter(status="withdrawn")
    assert withdrawn.exists()
    assert not withdrawn.exclude(phone="").exists() and not withdrawn.exclude(documents=[]).exists()
