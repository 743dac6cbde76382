"""The demo province's directory: every role, the demo volunteers as responders, committees, focal points."""

import pytest

from safepassage.accounts.models import User
from safepassage.geo.models import Area
from safepassage.network.models import Committee, FocalPoint, Organisation, Responder
from safepassage.network.selectors import responders_search
from safepassage.web.demo import load_demo

pytestmark = pytest.mark.django_db


def test_the_demo_loads_a_directory_around_the_demo_accounts(tmp_path):
    load_demo(logins_file=tmp_path / "logins.json", people=0)
    assert 55 <= Responder.objects.count() <= 75
    assert set(Responder.objects.values_list("role_type", flat=True)) == set(Responder.RoleType.values)
    kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert {
        "member",
        "shelter",
        "hospital",
        "legal_aid",
        "labour_office",
        "police",
        "school",
        "consulate",
    } <= kinds
    assert Organisation.objects.filter(kind="shelter").count() == 2
    ploy = Responder.objects.get(user__username="cc.volunteer")
    assert sorted(a.code for a in ploy.areas.all()) == ["50070101", "50070102", "50070103"]
    assert Responder.objects.filter(user__username="ngo.volunteer").exists()
    assert set(FocalPoint.objects.values_list("country", flat=True)) == {"LA", "MM", "KH"}
    assert not FocalPoint.objects.filter(agreement__isnull=True).exists()
    assert Committee.objects.filter(kind="doc", area__code="50").exists()
    assert all(c.seats.count() >= 5 for c in Committee.objects.all())
    languages = {code for row in Responder.objects.values_list("languages", flat=True) for code in row}
    assert {"th", "my", "lo", "km", "en", "zh"} <= languages
    coordinator = User.objects.get(username="cc.coordinator")
    found = responders_search(coordinator, village=Area.objects.get(code="50070101"))
    assert ploy in [m.responder for m in found if m.coverage == "village"]
