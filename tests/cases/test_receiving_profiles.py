"""Receiving profiles: police, immigration and prosecutors get a case only for a confirmed victim who agreed
to them by name, and each receiver reads only its profile's fields, in the page, the API and exports."""

import importlib
from datetime import date

import pytest
import pyzipper
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from safepassage.accounts import profiles
from safepassage.accounts.models import Agency, Membership, User
from safepassage.accounts.services import agency_create
from safepassage.cases import services
from safepassage.cases.models import Referral
from safepassage.exports import services as exports
from safepassage.testing import api_client, directory_entry, open_case, web_client

pytestmark = pytest.mark.django_db

ACTUAL = "ActualVictimOfTrafficking"


@pytest.fixture
def police(world):
    """Chiang Mai police on SafePassage: Oscar investigates, Olga coordinates."""
    agency = agency_create(
        actor=None, code="cm-police", name="Chiang Mai Police", kind="enforcement", country="TH"
    )
    oscar = User.objects.create_user(username="oscar", password="x" * 12)
    olga = User.objects.create_user(username="olga", password="x" * 12)
    Membership.objects.create(user=oscar, agency=agency, role="caseworker")
    Membership.objects.create(user=olga, agency=agency, role="coordinator")
    return {"agency": agency, "entry": directory_entry(world, agency), "oscar": oscar, "olga": olga}


def adult_case(world, *, status=ACTUAL):
    case = open_case(
        world,
        given_name="Hnin",
        birth_year=1995,
        address="Room 4, Soi 7",
        health="Asthma, needs an inhaler",
        immigration_status="undocumented",
        nationality="MM",
    )
    services.event_add(
        actor=world.caseworker_a,
        case=case,
        kind="exploitation",
        occurred_on=date(2025, 11, 2),
        place="Pier 9 boat yard",
    )
    if status:
        services.status_decide(actor=world.caseworker_a, case=case, status=status, decided_by_org="NGO")
    case.refresh_from_db()
    return case


def refer(world, case, to, *, actor=None, **overrides):
    values = {
        "to_organisation_id": to.pk,
        "purpose": "investigation",
        "consent": "person",
        "consent_on": date(2026, 1, 6),
        "consent_names_agency": True,
    }
    return services.referral_create(actor=actor or world.caseworker_a, case=case, **(values | overrides))


def accepted(world, police, case, **overrides):
    referral = refer(world, case, police["entry"], **overrides)
    services.referral_respond(actor=police["oscar"], referral=referral, accept=True)
    return referral


# ------------------------------------------------------------------------------------------- the data


def test_every_profile_is_in_the_data_and_enforcement_means_police_immigration_and_prosecutor():
    assert set(profiles.profiles()) == set(profiles.ReceivingProfile.values)
    assert profiles.enforcement_codes() == {"police", "immigration", "prosecutor"}
    for code in profiles.enforcement_codes():
        never_without_consent = profiles.profiles()[code].reads
        assert not never_without_consent & {"address", "health", "documentation"}
    # A social-welfare agency running full case management reads what every receiver read before.
    assert profiles.profiles()["case_management"].reads == set(profiles.PARTS)


@pytest.mark.parametrize(
    ("kind", "name", "expected"),
    [
        ("enforcement", "Provincial Police Region 5", "police"),
        ("enforcement", "Immigration Bureau Chiang Mai", "immigration"),
        ("enforcement", "Office of the Attorney General", "prosecutor"),
        ("government", "Provincial Social Development Office", "case_management"),
        ("ngo", "Child Safety NGO", "ngo"),
        ("employer", "Fish Co", ""),
    ],
)
def test_existing_agencies_get_a_profile_from_their_kind(world, kind, name, expected):
    agency = Agency.objects.create(code=f"x-{kind}-{len(name)}", name=name, kind=kind, country="TH")
    migration = importlib.import_module("safepassage.accounts.migrations.0002_agency_profile")
    migration.give_profiles(apps, None)
    agency.refresh_from_db()
    assert agency.profile == expected == profiles.default_profile(kind, name)


def test_directory_organisations_get_a_profile_from_their_kind_or_their_agency(world, police):
    hospital = directory_entry(world, world.agency_a, kind="hospital", name="District hospital")
    consulate = directory_entry(world, world.agency_a, kind="consulate", name="Consulate of Myanmar")
    police["entry"].profile = ""
    police["entry"].save()
    migration = importlib.import_module(
        "safepassage.network.migrations.0004_receiving_profiles_sharing_agreements"
    )
    migration.give_profiles(apps, None)
    for entry, expected in ((hospital, "health"), (consulate, "origin_agency"), (police["entry"], "police")):
        entry.refresh_from_db()
        assert entry.profile == expected


# ------------------------------------------------------------------------------------- refusing to send


def test_the_police_get_no_case_without_a_confirmed_status(world, police):
    case = adult_case(world, status="PossibleVictimOfTrafficking")
    response = api_client(world.caseworker_a).post(
        "/api/v1/referrals",
        {
            "case_id": case.pk,
            "to_organisation_id": police["entry"].pk,
            "purpose": "investigation",
            "consent": "person",
            "consent_on": "2026-01-06",
            "consent_names_agency": True,
        },
    )
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["field"] == "trafficking_status" and "confirmed" in error["message"]
    assert not Referral.objects.exists()


def test_the_police_get_no_case_without_consent_naming_them(world, police):
    case = adult_case(world)
    with pytest.raises(ValidationError) as error:
        refer(world, case, police["entry"], consent_names_agency=False)
    assert "Chiang Mai Police" in error.value.message_dict["consent_names_agency"][0]
    page = web_client(world.caseworker_a).post(
        reverse("cases:case_add", args=[case.pk, "referral"]),
        {
            "to_organisation_id": police["entry"].pk,
            "purpose": "investigation",
            "consent": "person",
            "consent_on": "2026-01-06",
        },
    )
    assert page.status_code == 200 and "must name Chiang Mai Police" in page.content.decode()
    assert not Referral.objects.exists()


def test_a_coordinators_override_is_refused_for_the_police(world, police):
    case = adult_case(world)
    with pytest.raises(ValidationError) as error:
        refer(
            world,
            case,
            police["entry"],
            actor=world.coordinator_a,
            consent="override",
            consent_on=None,
            override_reason="Danger tonight.",
        )
    assert "never on an override" in error.value.message_dict["consent"][0]
    assert not Referral.objects.exists()


def test_a_childs_best_interests_decision_stands_in_for_consent_but_only_when_recorded(world, police):
    child = open_case(world, given_name="Aye", birth_year=2012)
    services.status_decide(actor=world.caseworker_a, case=child, status=ACTUAL, decided_by_org="NGO")
    with pytest.raises(ValidationError) as error:
        refer(world, child, police["entry"], consent="best_interests", consent_names_agency=False)
    assert "best-interests assessment first" in error.value.message_dict["consent"][0]
    decision = services.best_interests_record(
        actor=world.caseworker_a,
        case=child,
        assessed_on=date(2026, 1, 6),
        assessor="Social worker, Agency A",
        views="She wants the man who sold her to be stopped.",
        recommendation="not_yet",
    )
    referral = refer(world, child, police["entry"], consent="best_interests", consent_names_agency=False)
    assert referral.best_interests == decision and referral.profile == "police"
    # A decision is not consent: it opens neither address, health nor documents.
    with pytest.raises(ValidationError) as error:
        refer(world, child, police["entry"], consent="best_interests", consent_covers=["address"])
    assert "consent_covers" in error.value.message_dict
    adult = adult_case(world)
    with pytest.raises(ValidationError) as error:
        refer(world, adult, police["entry"], consent="best_interests")
    assert "only for a child" in error.value.message_dict["consent"][0]


# ------------------------------------------------------------------------------- what the police read

# (what, how the API shows it, a value the page would show, whether the police profile reads it)
FIELDS = [
    ("name", lambda body: body["person"] and body["person"]["given_name"], "Hnin", True),
    ("birth", lambda body: body["person"] and body["person"]["birth_year"], None, True),
    ("nationality", lambda body: body.get("nationality"), "Myanmar", True),
    ("journey", lambda body: [e["place"] for e in body["events"]], "Pier 9 boat yard", True),
    ("address", lambda body: body["address"], "Room 4, Soi 7", False),
    ("health", lambda body: body["health"], "Asthma, needs an inhaler", False),
    ("documentation", lambda body: body["immigration_status"], "Documentation status", False),
]
OWNER_VALUES = {
    "name": "Hnin",
    "birth": 1995,
    "nationality": "MM",
    "journey": ["Pier 9 boat yard"],
    "address": "Room 4, Soi 7",
    "health": "Asthma, needs an inhaler",
    "documentation": "undocumented",
}


@pytest.mark.parametrize(("what", "read", "shown", "reads"), FIELDS, ids=[f[0] for f in FIELDS])
def test_the_police_read_only_their_profiles_fields_in_the_api(world, police, what, read, shown, reads):
    case = adult_case(world)
    accepted(world, police, case)
    owner = api_client(world.caseworker_a).get(f"/api/v1/cases/{case.pk}").json()
    assert read(owner) == OWNER_VALUES[what]
    body = api_client(police["oscar"]).get(f"/api/v1/cases/{case.pk}").json()
    assert (read(body) == OWNER_VALUES[what]) is reads
    if not reads:
        assert read(body) in ("", None, [])


@pytest.mark.parametrize(
    ("what", "read", "shown", "reads"), [f for f in FIELDS if f[2]], ids=[f[0] for f in FIELDS if f[2]]
)
def test_the_police_read_only_their_profiles_fields_in_the_page(world, police, what, read, shown, reads):
    case = adult_case(world)
    accepted(world, police, case)
    url = reverse("cases:case_detail", args=[case.pk])
    assert shown in web_client(world.caseworker_a).get(url).content.decode()
    page = web_client(police["oscar"]).get(url)
    assert page.status_code == 200
    assert (shown in page.content.decode()) is reads


def test_consent_naming_the_police_opens_only_what_it_covers(world, police):
    case = adult_case(world)
    referral = accepted(world, police, case, consent_covers=["address"])
    body = api_client(police["oscar"]).get(f"/api/v1/cases/{case.pk}").json()
    assert body["address"] == "Room 4, Soi 7"
    assert body["health"] == "" and body["immigration_status"] == ""
    owner_page = web_client(world.caseworker_a).get(reverse("cases:case_detail", args=[case.pk]))
    assert "names Chiang Mai Police" in owner_page.content.decode()
    assert sorted(
        api_client(world.caseworker_a).get(f"/api/v1/referrals/{referral.pk}").json()["reads"]
    ) == sorted(profiles.profiles()["police"].reads | {"address"})


@pytest.mark.parametrize("what", list(OWNER_VALUES))
def test_the_police_export_nothing_of_a_case_referred_to_them(world, police, what):
    case = adult_case(world)
    accepted(world, police, case, consent_covers=["address", "health", "documentation"])
    export, password = exports.export_create(
        actor=police["olga"], kind="htcds", purpose="Monthly statistics for the province"
    )
    assert export.rows == 0 and password
    with pyzipper.AESZipFile(exports.export_file(police["olga"], export)) as archive:
        archive.setpassword(password.encode())
        text = b"".join(archive.read(n) for n in archive.namelist()).decode("utf-8-sig")
    value = OWNER_VALUES[what]
    for piece in value if isinstance(value, list) else [value]:
        assert str(piece) not in text


# ------------------------------------------------------------------------------------- onward and preview


def test_an_onward_referral_never_opens_more_than_its_parent(world, police):
    case = adult_case(world)
    accepted(world, police, case)
    welfare = agency_create(
        actor=None, code="welfare", name="Welfare Office", kind="government", country="TH"
    )
    wanda = User.objects.create_user(username="wanda", password="x" * 12)
    Membership.objects.create(user=wanda, agency=welfare, role="caseworker")
    onward = refer(
        world,
        case,
        directory_entry(world, welfare),
        actor=police["oscar"],
        purpose="shelter",
        consent_covers=["address", "health", "documentation"],
    )
    services.referral_respond(actor=wanda, referral=onward, accept=True)
    body = api_client(wanda).get(f"/api/v1/cases/{case.pk}").json()
    assert body["person"]["given_name"] == "Hnin"
    assert body["address"] == "" and body["health"] == "" and body["immigration_status"] == ""


def test_the_sender_sees_what_the_police_will_see_before_sending(world, police):
    case = adult_case(world)
    client = api_client(world.caseworker_a)
    url = f"/api/v1/cases/{case.pk}/referral-preview?to_organisation_id={police['entry'].pk}"
    plain = client.get(url).json()
    assert plain["profile"] == "police" and plain["enforcement"] is True
    assert "address" not in plain["will_see"] and "address" in plain["only_with_consent"]
    assert plain["sentence"].startswith("Chiang Mai Police will see: name, sex, birth date")
    named = client.get(url + "&consent_names_agency=true&consent_covers=address").json()
    assert "address" in named["will_see"] and "health" not in named["will_see"]
    assert api_client(world.caseworker_b).get(url).status_code == 404
    page = web_client(world.caseworker_a).get(reverse("cases:case_add", args=[case.pk, "referral"]))
    html = page.content.decode()
    assert "Chiang Mai Police will see: name, sex, birth date" in html
    assert "Only if the consent names this agency and covers it" in html


# ------------------------------------------------------------------------------------- sharing agreements


def test_coordinators_record_sharing_agreements_shown_on_the_referral_form_and_the_case(world):
    agreement = {
        "partner_code": "agency-b",
        "title": "Case referral protocol 2026",
        "purpose": "Shelter and legal aid for referred victims.",
        "signed_on": "2026-01-02",
    }
    assert api_client(world.caseworker_a).post("/api/v1/sharing-agreements", agreement).status_code == 403
    bad = api_client(world.coordinator_a).post(
        "/api/v1/sharing-agreements", agreement | {"partner_code": "nope"}
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "partner_code"
    made = api_client(world.coordinator_a).post("/api/v1/sharing-agreements", agreement)
    assert made.status_code == 201
    titles = [
        a["title"] for a in api_client(world.caseworker_b).get("/api/v1/sharing-agreements").json()["items"]
    ]
    assert titles == ["Case referral protocol 2026"]
    assert api_client(world.outsider).get("/api/v1/sharing-agreements").json()["items"] == []
    case = open_case(world)
    directory_entry(world, world.agency_b)
    form = web_client(world.caseworker_a).get(reverse("cases:case_add", args=[case.pk, "referral"]))
    assert "Case referral protocol 2026" in form.content.decode()
    services.referral_create(
        actor=world.caseworker_a,
        case=case,
        to_organisation_id=directory_entry(world, world.agency_b).pk,
        purpose="shelter",
        consent="person",
        consent_on=date(2026, 1, 6),
    )
    page = web_client(world.caseworker_a).get(reverse("cases:case_detail", args=[case.pk]))
    assert "Case referral protocol 2026" in page.content.decode()
    listing = web_client(world.coordinator_b).get(reverse("network:sharing"))
    assert "Case referral protocol 2026" in listing.content.decode()
    assert web_client(world.volunteer_a).get(reverse("network:sharing")).status_code == 404


# ------------------------------------------------------------------------------------------ the person


def test_the_person_page_shows_who_can_see_the_record_and_who_has(world, police):
    case = adult_case(world)
    accepted(world, police, case)
    api_client(police["oscar"]).get(f"/api/v1/cases/{case.pk}")
    url = reverse("registry:person_detail", args=[case.person_id])
    html = web_client(world.coordinator_a).get(url).content.decode()
    panel = html[html.index('id="who-can-see"') :]
    assert "Agency A" in panel and "Chiang Mai Police" in panel and "(Police)" in panel
    assert "current address" not in panel.split("Who has looked")[0]
    assert "oscar" in panel.split("Who has looked")[1]
    assert 'id="who-can-see"' not in web_client(world.volunteer_a).get(url).content.decode()


def test_the_police_read_no_case_conferences_through_the_api(world, police):
    case = adult_case(world)
    services.conference_record(
        actor=world.caseworker_a,
        case=case,
        held_on=date(2026, 1, 7),
        decisions="Move her to the shelter in Mae Rim.",
        actions=[],
    )
    accepted(world, police, case)
    url = f"/api/v1/cases/{case.pk}/conferences"
    assert "Mae Rim" in str(api_client(world.caseworker_a).get(url).json())
    assert api_client(police["oscar"]).get(url).json() == []


# --------------------------------------------------------- documents and statelessness (issue 22, rule 2)


def test_the_police_never_read_the_subjects_documents_even_under_a_consent_that_names_them(world, police):
    from safepassage.registry import documents

    case = adult_case(world)
    documents.document_add(actor=None, person=case.person, kind="citizenship", state="none")
    documents.document_add(actor=None, person=case.person, kind="passport", state="held_by_other")
    accepted(world, police, case, consent_covers=["address", "citizenship"])
    owner = api_client(world.caseworker_a).get(f"/api/v1/cases/{case.pk}").json()
    assert owner["citizenship"]["stateless"] is True
    assert {d["kind"] for d in owner["citizenship"]["documents"]} == {"citizenship", "passport"}
    body = api_client(police["oscar"]).get(f"/api/v1/cases/{case.pk}").json()
    assert body["address"] == "Room 4, Soi 7"  # the consent opened what the profile allows
    assert "citizenship" not in body
    url = reverse("cases:case_detail", args=[case.pk])
    assert 'id="case-citizenship"' in web_client(world.caseworker_a).get(url).content.decode()
    page = web_client(police["oscar"]).get(url).content.decode()
    assert 'id="case-citizenship"' not in page
    assert "No citizenship (stateless)" not in page


def test_an_ngo_reads_the_documents_only_under_a_consent_that_covers_them(world):
    from safepassage.registry import documents

    case = adult_case(world)
    documents.document_add(actor=None, person=case.person, kind="citizenship", state="none")
    ngo = directory_entry(world, world.agency_b)
    for covers, reads in (([], False), (["citizenship"], True)):
        referral = refer(world, case, ngo, purpose="shelter", consent_covers=covers)
        services.referral_respond(actor=world.caseworker_b, referral=referral, accept=True)
        body = api_client(world.caseworker_b).get(f"/api/v1/cases/{case.pk}").json()
        assert ("citizenship" in body) is reads, covers
        services.referral_close(actor=world.caseworker_a, referral=referral, to="revoked", note="next")


@pytest.mark.parametrize("where", ["reads", "with_consent"])
def test_no_data_file_may_open_documents_to_an_enforcement_profile(where):
    from django.core.exceptions import ImproperlyConfigured

    parts: dict[str, list[str]] = {"reads": ["identity"], "with_consent": []}
    parts[where].append("citizenship")
    raw = {"code": "police", "enforcement": True, **parts}
    with pytest.raises(ImproperlyConfigured, match="never read citizenship"):
        profiles._check(raw)
    for code in profiles.enforcement_codes():
        found = profiles.profiles()[code]
        assert "citizenship" in found.never
