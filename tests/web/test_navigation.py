"""The menu offers each role only pages it can use: every link answers 200, for every persona, and no
tab on a page it reaches leads to "not found"; an agency without people gets no villages or alerts tabs."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from safepassage.accounts.models import Agency, Membership, User
from safepassage.core.roles import Role
from safepassage.testing import PERSONAS, World, web_client

pytestmark = pytest.mark.django_db
VILLAGES = "/risk/villages/"
ALERTS = "/risk/alerts/"


class Links(HTMLParser):
    """The links inside <nav> elements: the main menu (aria-label "Main") and the pages' tabs."""

    def __init__(self) -> None:
        super().__init__()
        self.menu: list[str] = []
        self.tabs: list[str] = []
        self._nav: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "nav":
            self._nav.append("menu" if found.get("aria-label") == "Main" else found.get("class") or "")
        elif tag == "a" and self._nav and found.get("href"):
            href = str(found["href"])
            if self._nav[-1] == "menu":
                self.menu.append(href)
            elif "tabs" in self._nav[-1].split():
                self.tabs.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self._nav:
            self._nav.pop()


def links(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


def menu_of(user: User) -> list[str]:
    response = web_client(user).get("/")
    assert response.status_code == 200
    return links(response.content.decode()).menu


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_every_link_in_a_personas_menu_and_tabs_answers_200(world: World, persona: str):
    from safepassage.registry.models import Person

    # Each agency holds an assessed person, so that every page a role may use is in its menu.
    for agency, village in ((world.agency_a, world.village_1), (world.agency_b, world.village_3)):
        Person.objects.create(agency=agency, given_name="Mya", village=village, current_band="low")
    user = world.users[persona]
    client = web_client(user)
    menu = menu_of(user)
    assert menu, f"{persona} has no menu"
    wrong = []
    seen: set[str] = set()
    for url in menu:
        response = client.get(url)
        seen.add(url)
        if response.status_code != 200:
            wrong.append(f"menu {url}: {response.status_code}")
            continue
        for tab in links(response.content.decode()).tabs:
            if tab in seen:
                continue
            seen.add(tab)
            status = client.get(tab).status_code
            if status != 200:
                wrong.append(f"tab {tab} (on {url}): {status}")
    assert not wrong, f"{persona}:\n  " + "\n  ".join(wrong)


def labour_office(world: World) -> dict[str, User]:
    """A labour office: staff in every office role, and no people, volunteers or alerts of its own."""
    office = Agency.objects.create(
        code="labour", name="Labour Office", kind=Agency.Kind.GOVERNMENT, country="TH"
    )
    users = {}
    for role in (Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER):
        user = User.objects.create_user(username=f"labour_{role}", password="x")
        Membership.objects.create(user=user, agency=office, role=role)
        users[str(role)] = user
    return users


def test_an_agency_without_people_is_not_offered_villages_alerts_or_risk_reports(world: World):
    for user in labour_office(world).values():
        menu = menu_of(user)
        assert VILLAGES not in menu and ALERTS not in menu, user.username
        assert reverse("reports:risk") not in menu and reverse("reports:map") not in menu, user.username
        assert reverse("registry:person_list") in menu  # where its first person is recorded


def test_an_agency_holding_people_keeps_villages_alerts_and_reports(world: World):
    from safepassage.registry.models import Person

    Person.objects.create(agency=world.agency_a, given_name="Mya", village=world.village_1)
    menu = menu_of(world.coordinator_a)
    assert VILLAGES in menu and ALERTS in menu
    assert reverse("reports:risk") not in menu  # nobody assessed yet: nothing to report
    Person.objects.filter(given_name="Mya").update(current_band="low")
    assert reverse("reports:risk") in menu_of(world.coordinator_a)
    assert reverse("reports:map") in menu_of(world.analyst_a)
    # A volunteer always has villages (the ones they cover), even before anyone is recorded there.
    assert VILLAGES in menu_of(world.volunteer_b)


def test_a_partner_that_is_not_an_employer_is_not_offered_the_workplaces_map(world: World):
    menu = menu_of(world.partner_a)
    assert not any(url.startswith(reverse("workplaces:list")) for url in menu)
