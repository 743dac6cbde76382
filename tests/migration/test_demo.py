"""The demo province's cases and safe-migration channels: every stage, both channels, histories, overdue."""

import pytest

from safepassage.cases.models import Case, Referral, Stage
from safepassage.migration.models import Channel, CheckIn, MigrationAlert, Registration
from safepassage.web.demo import load_demo

pytestmark = pytest.mark.django_db


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
    assert Registration.objects.count() == 300
    assert set(Registration.objects.values_list("status", flat=True)) <= set(Registration.Status.values)
    assert CheckIn.objects.filter(done_on__isnull=False).count() > 300
    assert MigrationAlert.objects.filter(kind="missed").exists()
    withdrawn = Registration.objects.filter(status="withdrawn")
    assert withdrawn.exists()
    assert not withdrawn.exclude(phone="").exists() and not withdrawn.exclude(documents=[]).exists()
