"""The reference library of laws, agreements and guidelines (issue 22 part 8, R-101)."""

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from safepassage.audit.models import AuditEvent
from safepassage.network import library
from safepassage.network.models import LibraryDocument
from safepassage.testing import api_client, web_client

pytestmark = pytest.mark.django_db


def _add(world, **overrides):
    values: dict[str, Any] = {
        "title": "Anti-Trafficking in Persons Act B.E. 2551",
        "kind": "law",
        "language": "th",
        "country": "th",
        "audience": "network",
        "url": "https://example.org/tip-act",
        "published_on": date(2008, 6, 6),
    }
    return library.document_add(actor=world.coordinator_a, **(values | overrides))


def test_the_network_reads_shared_documents_and_only_the_agency_its_own(world):
    shared = _add(world)
    own = _add(world, title="Our referral procedure", kind="guideline", audience="agency", language="en")
    assert shared.country == "TH"
    assert set(library.library(viewer=world.volunteer_a)) == {shared, own}
    assert list(library.library(viewer=world.caseworker_b)) == [shared]
    assert list(library.library(viewer=world.analyst_a, kind="guideline")) == [own]
    assert list(library.library(viewer=world.users["outsider"])) == []
    assert list(
        library.library(viewer=world.caseworker_b, language="th", country="TH", query="Trafficking")
    ) == [shared]
    with pytest.raises(PermissionDenied):  # caseworkers read, coordinators and administrators add
        library.document_add(
            actor=world.caseworker_a,
            title="x",
            kind="law",
            language="th",
            audience="network",
            url="https://x.org",
        )
    with pytest.raises(ValidationError) as caught:
        _add(world, url="", kind="poem", language="Thai!", audience="everyone")
    assert {"url", "kind", "language", "audience"} <= set(caught.value.message_dict)
    library.document_retire(actor=world.coordinator_a, document=own)
    assert list(library.library(viewer=world.volunteer_a)) == [shared]


def test_a_file_is_sealed_on_disk_and_downloaded_by_readers_only(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    pdf = b"%PDF-1.4 memorandum of understanding " * 10
    client = web_client(world.coordinator_a)
    answer = client.post(
        "/network/library/",
        {
            "title": "MOU Thailand-Lao PDR on employment cooperation",
            "kind": "agreement",
            "language": "en",
            "audience": "agency",
            "upload": SimpleUploadedFile("mou.pdf", pdf, content_type="application/pdf"),
        },
    )
    assert answer.status_code == 302
    document = LibraryDocument.objects.get()
    assert b"memorandum" not in (tmp_path / document.file.name).read_bytes()
    download = client.get(f"/network/library/{document.pk}/file/")
    assert b"".join(download.streaming_content) == pdf  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(action="network.librarydocument.view").exists()
    assert web_client(world.coordinator_b).get(f"/network/library/{document.pk}/file/").status_code == 404
    assert "MOU Thailand-Lao" in web_client(world.volunteer_a).get("/network/library/").content.decode()
    assert web_client(world.caseworker_a).post("/network/library/", {"title": "x"}).status_code == 404


def test_api_lists_and_adds_links(world):
    _add(world)
    listed = api_client(world.caseworker_b).get("/api/v1/library?kind=law").json()
    assert listed[0]["title"].startswith("Anti-Trafficking") and listed[0]["has_file"] is False
    made = api_client(world.coordinator_b).post(
        "/api/v1/library",
        {
            "title": "Labour Protection Act",
            "kind": "law",
            "language": "th",
            "audience": "network",
            "url": "https://example.org/lpa",
        },
    )
    assert made.status_code == 201 and made.json()["agency"] == world.agency_b.code
    assert (
        api_client(world.caseworker_b)
        .post(
            "/api/v1/library",
            {"title": "x", "kind": "law", "language": "th", "audience": "network", "url": "https://x.org"},
        )
        .status_code
        == 403
    )
    assert api_client(world.users["outsider"]).get("/api/v1/library").status_code == 404


def test_the_demo_fills_the_library(world):
    from safepassage.network.demo import generate_library

    assert generate_library(agencies={"cc": world.agency_a}) == 5
    assert library.library(viewer=world.caseworker_b).count() == 4  # one is the agency's own
