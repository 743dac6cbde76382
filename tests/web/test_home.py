"""Each role's home page: the numbers it can act on, each a link to its list that answers 200.

Agency A holds: three people in village 1 (one at high risk and overdue, one never assessed, one seen last
week) and one in village 2; three open risk alerts (one past its acknowledgement deadline with a red flag,
two not yet due) and an acknowledged one; a case of caseworker A with a deadline in three days and another
in three weeks; a referral from agency B waiting for an answer (urgent); an import with problems; an
account with many wrong passwords. Agency B refers one case to A and one to a labour office that keeps no
people.
"""

from __future__ import annotations

from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from safepassage.accounts.models import Agency, Membership, User
from safepassage.cases import services as case_services
from safepassage.core.disclosure import shown_count
from safepassage.core.roles import Role
from safepassage.imports.models import ImportJob
from safepassage.registry.cells import refresh
from safepassage.registry.models import Alert, Person
from safepassage.testing import World, directory_entry, open_case, web_client
from safepassage.workplaces.models import Employer, Workplace

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


class Figures(HTMLParser):
    """The home page's figures: {data-figure: (shown number, link)}, and the cards' ids."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: dict[str, tuple[str, str]] = {}
        self.cards: list[str] = []
        self.links: list[str] = []  # every link in a card
        self._figure: tuple[str, str] | None = None
        self._in_count = False
        self._in_card = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "section" and found.get("id", "").startswith("card-"):  # type: ignore[union-attr]
            self.cards.append(str(found["id"])[5:])
            self._in_card = True
        if tag == "a" and self._in_card and found.get("href"):
            self.links.append(str(found["href"]))
        if tag == "a" and found.get("data-figure"):
            self._figure = (str(found["data-figure"]), str(found["href"]))
        if tag == "span" and found.get("class") == "count" and self._figure:
            self._in_count = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._in_card = False

    def handle_data(self, data: str) -> None:
        if self._in_count and self._figure:
            self.figures[self._figure[0]] = (data.strip(), self._figure[1])
            self._in_count = False


def home(user: User) -> Figures:
    """Sign in, open the home page, and check that every link of its cards opens."""
    client = web_client(user)
    response = client.get("/")
    assert response.status_code == 200
    parsed = Figures()
    parsed.feed(response.content.decode())
    assert {url for _shown, url in parsed.figures.values()} <= set(parsed.links)
    for url in set(parsed.links):
        assert client.get(url).status_code == 200, (user.username, url)
    return parsed


def counts(page: Figures) -> dict[str, str]:
    return {key: shown for key, (shown, _url) in page.figures.items()}


def person(world: World, name: str, village: Any, **fields: Any) -> Person:
    return Person.objects.create(agency=world.agency_a, given_name=name, village=village, **fields)


def alert(world: World, who: Person, *, due_in: timedelta, red_flag: bool = False, **fields: Any) -> Alert:
    reasons = [{"rule": "band_rise"}] + (
        [{"rule": "red_flag", "flags": ["debt_recruitment"]}] if red_flag else []
    )
    return Alert.objects.create(
        agency=world.agency_a,
        person=who,
        village=who.village,
        reasons=reasons,
        due_at=timezone.now() + due_in,
        **fields,
    )


def labour_office(world: World) -> tuple[Agency, dict[str, User]]:
    office = Agency.objects.create(
        code="labour",
        name="Labour Office",
        kind=Agency.Kind.GOVERNMENT,
        country="TH",
        profile="labour_inspection",
    )
    users = {}
    for role in (Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER):
        user = User.objects.create_user(username=f"labour_{role}", password="x")
        Membership.objects.create(user=user, agency=office, role=role)
        users[str(role)] = user
    return office, users


@pytest.fixture
def busy(world: World) -> dict[str, Any]:
    overdue_since = TODAY - timedelta(days=400)
    high = person(world, "Ploy", world.village_1, current_band="high", current_assessed_on=overdue_since)
    never = person(world, "Anan", world.village_1)
    person(world, "Dao", world.village_1, current_band="low", current_assessed_on=TODAY - timedelta(days=7))
    far = person(world, "Lek", world.village_2)  # not in volunteer A's village
    alert(world, high, due_in=-timedelta(hours=5), red_flag=True)
    alert(world, never, due_in=timedelta(hours=60))
    alert(world, far, due_in=timedelta(hours=70))
    alert(world, far, due_in=-timedelta(hours=1), status=Alert.Status.ACKNOWLEDGED)

    mine = open_case(world, given_name="Mya")
    case_services.deadline_add(
        actor=world.caseworker_a, case=mine, what="Hearing", due_on=TODAY + timedelta(days=3)
    )
    later = open_case(world, given_name="Hnin")
    case_services.deadline_add(
        actor=world.caseworker_a, case=later, what="Report", due_on=TODAY + timedelta(days=21)
    )

    office, labour = labour_office(world)
    theirs = case_services.case_open(
        actor=world.caseworker_b,
        opened_on=date(2026, 1, 5),
        person_fields={
            "given_name": "Aye",
            "sex": "female",
            "birth_year": 2011,
            "village_code": world.village_3.code,
        },
    )
    for agency, urgent in ((world.agency_a, True), (office, False)):
        case_services.referral_create(
            actor=world.caseworker_b,
            case=theirs,
            to_organisation_id=directory_entry(world, agency).pk,
            reason="AdditionalServicesRequired",
            consent="person",
            consent_on=date(2026, 1, 6),
            urgent=urgent,
        )
    ImportJob.objects.create(
        agency=world.agency_a, kind="people", file_name="x.csv", stored_as="x.csv", status="problems"
    )
    ImportJob.objects.create(
        agency=world.agency_a, kind="people", file_name="y.csv", stored_as="y.csv", status="cancelled"
    )
    User.objects.filter(pk=world.volunteer_a.pk).update(failed_logins=settings.LOGIN_ALERT_FAILURES)
    return {"labour": labour}


def test_an_administrator_sees_alerts_visits_imports_and_attacked_accounts(world, busy):
    page = home(world.admin_a)
    assert page.cards == ["alerts", "visits", "imports", "team"]
    shown = counts(page)
    assert shown["alerts_open"] == "3" and shown["alerts_overdue"] == "1" and shown["alerts_red_flags"] == "1"
    assert shown["visits_due"] == "5" and shown["visits_high"] == "1"  # two cases' people are never assessed
    assert shown["imports_problems"] == "1"
    assert shown["attacked"] == "1"
    assert "referrals_waiting" not in shown  # administrators manage accounts, not cases


def test_a_coordinator_sees_alerts_cases_referrals_visits_imports_and_reports(world, busy):
    page = home(world.coordinator_a)
    assert page.cards == ["alerts", "cases", "visits", "imports", "reports"]
    shown = counts(page)
    assert shown["alerts_overdue"] == "1"
    assert shown["referrals_waiting"] == "1" and shown["referrals_urgent"] == "1"
    assert shown["my_cases"] == "0"  # the cases are the caseworker's
    assert shown["imports_problems"] == "1"
    # Their own agency's people: exact, however small.
    assert shown["assessed_50"] == "2" and shown["high_50"] == "1"


def test_a_caseworker_sees_their_cases_deadlines_and_referrals_waiting(world, busy):
    page = home(world.caseworker_a)
    assert page.cards == ["alerts", "cases", "visits"]
    shown = counts(page)
    assert shown["my_cases"] == "2"
    assert shown["my_deadlines"] == "1"  # the hearing in three days, not the report in three weeks
    assert shown["referrals_waiting"] == "1"
    assert page.figures["my_deadlines"][1] == "/cases/?mine=1"


def test_a_volunteer_sees_only_their_villages(world, busy):
    page = home(world.volunteer_a)
    assert page.cards == ["alerts", "visits"]
    shown = counts(page)
    assert shown["alerts_open"] == "2" and shown["alerts_overdue"] == "1"  # not village 2's
    assert shown["villages"] == "1"
    assert shown["visits_due"] == "2" and shown["visits_high"] == "1"  # the cases' people left their list


def test_an_analyst_sees_report_figures_with_small_numbers_hidden(world, busy):
    refresh()  # the report cells, recounted as every write of current risk does (people made directly here)
    page = home(world.analyst_a)
    assert page.cards == ["reports"]
    shown = counts(page)
    assert shown["assessed_50"] == "<11" and shown["high_50"] == "<11"
    assert not any(key.startswith(("alerts", "visits", "referrals")) for key in shown)


def test_an_analyst_sees_perturbed_figures_once_they_are_large_enough(world):
    people = [
        person(world, f"P{n}", world.village_1, current_band="high" if n < 12 else "low", current_index=50.0)
        for n in range(24)
    ]
    refresh()
    shown = counts(home(world.analyst_a))
    # What the cell-key method gives these people (docs/disclosure-control.md): perturbed, "<11" when small.
    high = people[:12]
    assert shown["assessed_50"] == str(shown_count(24, sum(p.record_key for p in people)))
    assert shown["high_50"] == str(shown_count(12, sum(p.record_key for p in high)))


def test_an_employer_partner_sees_its_workplaces_and_the_partners_purpose(world):
    employer_agency = Agency.objects.create(
        code="lanna", name="Lanna Agro", kind=Agency.Kind.EMPLOYER, country="TH"
    )
    boss = User.objects.create_user(username="employer", password="x")
    Membership.objects.create(user=boss, agency=employer_agency, role=Role.PARTNER)
    employer = Employer.objects.create(
        agency=world.agency_a, legal_name="Lanna Agro", partner_agency=employer_agency
    )
    for name in ("Orchard", "Packing shed"):
        Workplace.objects.create(agency=world.agency_a, name=name, sector="agriculture", employer=employer)
    page = home(boss)
    assert page.cards == ["partner"]
    assert counts(page) == {"workplaces": "2"}
    html = web_client(boss).get("/").content.decode()
    assert "You see only what they have chosen to share with your organisation" in html


def test_a_partner_that_is_not_an_employer_gets_its_purpose_and_no_empty_card(world, busy):
    page = home(world.partner_a)
    assert page.cards == ["partner"]
    assert counts(page) == {}
    html = web_client(world.partner_a).get("/").content.decode()
    assert "You see only what they have chosen to share with your organisation" in html
    assert "Nothing has been shared with your organisation yet" in html


def test_a_labour_office_sees_its_referrals_and_no_village_work(world, busy):
    labour = busy["labour"]
    page = home(labour["coordinator"])
    assert page.cards == ["cases", "imports"]
    assert counts(page)["referrals_waiting"] == "1"
    assert home(labour["caseworker"]).cards == ["cases"]
    assert home(labour["admin"]).cards == ["imports", "team"]


def test_someone_without_an_agency_is_told_whom_to_ask(world):
    html = web_client(world.outsider).get("/").content.decode()
    assert "You are not a member of any agency yet" in html
    assert home(world.outsider).cards == []
    assert home(world.sysadmin).cards == ["system"]
