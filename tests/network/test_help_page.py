"""The public help page for migrants (R-086, R-032): seven languages, no sign-in, light for a cheap phone,
nothing kept about its readers but a count per day and language, and its hotlines and minimum wages data
the coordination centre checks."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from safepassage.accounts.models import Agency
from safepassage.audit.models import AuditEvent
from safepassage.network import help as help_data
from safepassage.network import services
from safepassage.network.help_views import STYLE_HASH
from safepassage.network.models import HelpPageCount, Hotline, MinimumWage
from safepassage.testing import web_client

pytestmark = pytest.mark.django_db
LIMIT = 100 * 1024


def path(language: str) -> str:
    return "/help/" if language == "en" else f"/help/{language}/"


def test_every_language_opens_without_sign_in_light_and_self_contained(client):
    Agency.objects.create(code="fishco", name="Golden Fish Co", kind=Agency.Kind.EMPLOYER, country="TH")
    for language in help_data.HELP_LANGUAGES:
        response = client.get(path(language))
        assert response.status_code == 200, language
        body = response.content
        # everything the page loads is the page itself: no script, stylesheet, image, font or frame
        html = body.decode()
        assert not re.search(r"<(script|img|iframe|object|embed|video|audio)\b", html), language
        # one link element: an empty icon, so that the browser asks for no favicon
        assert re.findall(r"<link\b[^>]*>", html) == ['<link rel="icon" href="data:,">']
        assert "url(" not in html and "@import" not in html
        assert len(body) < LIMIT, (language, len(body))
        assert f'<html lang="{language}">' in html
        assert response["Content-Language"] == language
        assert f"'sha256-{STYLE_HASH}'" in response["Content-Security-Policy"]
        assert "script-src" not in response["Content-Security-Policy"]  # default-src 'none' covers scripts
        # no cookie for an anonymous reader: no session, no CSRF token
        assert not response.cookies, (language, list(response.cookies))
        assert 'href="tel:1300"' in html and 'href="tel:1694"' in html
        assert "357" in html and "2025-01-01" in html
        assert "Golden Fish" not in html  # no employer named
    assert client.get("/help/xx/").status_code == 404


def test_each_language_reads_in_its_own_language(client):
    assert "ความช่วยเหลือสำหรับแรงงานข้ามชาติ" in client.get("/help/th/").content.decode()
    assert "Trợ giúp cho người lao động di cư" in client.get("/help/vi/").content.decode()
    page = client.get("/help/my/").content.decode()
    # hotline names come from the directory's own translations
    assert "ပရာချာဘောဒီ စင်တာ 1300" in page
    # every page links to the six others
    for language in help_data.HELP_LANGUAGES:
        assert f'href="{path(language)}"' in page


def test_only_a_count_per_day_and_language_is_kept(client):
    before = AuditEvent.objects.count()
    client.get("/help/")
    client.get("/help/")
    client.get("/help/km/")
    counts = {c.language: c.count for c in HelpPageCount.objects.filter(day=date.today())}
    assert counts == {"en": 2, "km": 1}
    assert AuditEvent.objects.count() == before  # no event, so no address anywhere
    assert [f.name for f in HelpPageCount._meta.get_fields()] == ["id", "day", "language", "count"]


def test_the_access_log_leaves_the_help_page_out():
    from safepassage.web.gunicorn_log import QuietHelpLogger

    calls = []

    class Recording(QuietHelpLogger):
        def __init__(self) -> None:
            pass

    original = QuietHelpLogger.__mro__[1].access
    try:
        QuietHelpLogger.__mro__[1].access = lambda self, *args: calls.append(args[2]["PATH_INFO"])
        logger = Recording()
        logger.access(None, None, {"PATH_INFO": "/help/my/"}, 0)
        logger.access(None, None, {"PATH_INFO": "/risk/people/"}, 0)
    finally:
        QuietHelpLogger.__mro__[1].access = original
    assert calls == ["/risk/people/"]


def test_the_directory_labels_1506_rightly_and_adds_the_confirmed_numbers():
    labels = dict(Hotline.objects.values_list("number", "name"))
    assert labels["1506"] == "Social Security Office 1506 (Ministry of Labour)"
    assert "Department of Employment" in labels["1694"]
    assert "Labour Protection" in labels["1546"]
    origins = set(Hotline.objects.exclude(country="TH").values_list("country", "number"))
    assert origins == {("LA", "1362"), ("VN", "111"), ("KH", "117")}
    # none confirmed for Myanmar or China: the page says so rather than guess
    assert not Hotline.objects.filter(country__in=["MM", "CN"]).exists()
    assert MinimumWage.objects.filter(amount=Decimal("357"), effective_on=date(2025, 1, 1)).exists()
    assert not Hotline.objects.exclude(checked_on=None).exists()  # nothing is "checked" until someone does


def test_the_coordination_centre_checks_numbers_and_the_page_says_when(world, client):
    hotline = Hotline.objects.get(country="TH", number="1300")
    assert "not checked yet" in client.get("/help/").content.decode()
    page = web_client(world.coordinator_a).post(
        reverse("network:help_data_check", args=["hotline", hotline.pk]), {"note": "Called, answered in Thai"}
    )
    assert page.status_code == 302
    hotline.refresh_from_db()
    assert (hotline.checked_on, hotline.checked_by) == (date.today(), world.coordinator_a)
    event = AuditEvent.objects.get(action="network.hotline.check")
    assert event.actor == world.coordinator_a
    assert f"checked {date.today():%Y-%m-%d}" in client.get("/help/").content.decode()
    listing = web_client(world.coordinator_a).get(reverse("network:help_data")).content.decode()
    assert "checked on" in listing and "coordinator_a" in listing
    # a changed number is unchecked again
    services.hotline_update(actor=world.coordinator_a, hotline=hotline, number="1300 1")
    hotline.refresh_from_db()
    assert hotline.checked_on is None and hotline.checked_by is None


def test_only_the_coordination_centre_keeps_the_data(world):
    hotline = Hotline.objects.get(country="TH", number="191")
    # caseworkers, an NGO's coordinator, volunteers: neither the page nor the change
    for user in (world.caseworker_a, world.coordinator_b, world.volunteer_a, world.analyst_a):
        assert web_client(user).get(reverse("network:help_data")).status_code == 404
        with pytest.raises(PermissionDenied):
            help_data.hotline_check(actor=user, hotline=hotline)
        with pytest.raises(PermissionDenied):
            services.hotline_update(actor=user, hotline=hotline, hours="all day")
    assert web_client(world.sysadmin).get(reverse("network:help_data")).status_code == 200


def test_a_changed_minimum_wage_is_unchecked_again_and_the_page_shows_the_new_figure(world, client):
    wage = MinimumWage.objects.get(amount=Decimal("357"))
    help_data.wage_check(actor=world.coordinator_a, wage=wage)
    help_data.wage_update(actor=world.coordinator_a, wage=wage, amount="369", effective_on="2026-01-01")
    wage.refresh_from_db()
    assert wage.checked_on is None and wage.amount == Decimal("369")
    html = client.get("/help/").content.decode()
    assert "369 THB" in html and "2026-01-01" in html
    actions = set(
        AuditEvent.objects.filter(object_type="network.minimumwage").values_list("action", flat=True)
    )
    assert actions == {"network.minimumwage.check", "network.minimumwage.update"}


def test_an_existing_install_gets_1506_corrected_and_the_new_numbers_but_keeps_its_own_words():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("safepassage.network.migrations.0006_help_page")
    Hotline.objects.filter(number__in=["1694", "1546"]).delete()
    Hotline.objects.filter(number="1506").update(name=migration.OLD_1506, translations={})
    Hotline.objects.filter(number="1300").update(name="Our own words for 1300")
    migration.load(apps, None)
    assert Hotline.objects.get(number="1506").name == "Social Security Office 1506 (Ministry of Labour)"
    assert Hotline.objects.get(number="1506").translations["name"]["th"].startswith("สำนักงานประกันสังคม")
    assert Hotline.objects.filter(number__in=["1694", "1546"]).count() == 2
    assert Hotline.objects.get(number="1300").name == "Our own words for 1300"
    assert MinimumWage.objects.count() == 4  # loaded once, not again


def test_someone_signed_in_without_the_second_factor_still_reads_the_help_page(world):
    # A volunteer part-way through signing in on a shared phone, or a migrant shown the page on it: the help
    # page is public, so the second-factor gate never stands in front of it.
    page = web_client(world.volunteer_a, second_factor=False).get("/help/th/")
    assert page.status_code == 200 and "1300" in page.content.decode()
    assert web_client(world.volunteer_a, second_factor=False).get("/risk/").status_code == 302
