"""The risk-index commands."""

import json

import pytest
from django.core.management import CommandError, call_command

from safepassage.registry.models import Catalogue

pytestmark = pytest.mark.django_db


def test_export_then_load_makes_a_new_identical_version(tmp_path, capsys):
    path = tmp_path / "catalogue.json"
    call_command("catalogue", "export", "--output", str(path))
    data = json.loads(path.read_text(encoding="utf-8"))
    assert len(data["indicators"]) == 28
    data["indicators"][0]["weight"] = 2.0
    path.write_text(json.dumps(data), encoding="utf-8")
    call_command("catalogue", "load", str(path), "--activate")
    assert "loaded catalogue v2" in capsys.readouterr().out
    active = Catalogue.objects.get(status="active")
    assert active.version == 2
    assert active.indicators.get(code="HLT-ILL").weight == 2.0
    assert Catalogue.objects.get(version=1).status == "retired"


def test_a_bad_catalogue_file_loads_nothing(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            {
                "format": "safepassage-catalogue/1",
                "indicators": [
                    {"code": "X", "level": "Q", "kind": "S", "domain": "health", "label": {"en": "x"}}
                ],
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match=r"indicators\[1\]\.level"):
        call_command("catalogue", "load", str(path))
    assert Catalogue.objects.count() == 1


def test_alert_commands_run(world, capsys):
    call_command("alerts", "escalate")
    call_command("alerts", "scan")
    out = capsys.readouterr().out
    assert "0 alert(s) escalated" in out and "0 overdue alert(s) raised" in out


def test_a_system_admin_edits_a_drafts_rules_in_the_ui(world):
    from safepassage.registry import services
    from safepassage.testing import web_client

    draft = services.catalogue_copy(actor=None, source=Catalogue.objects.get(status="active"))
    client = web_client(world.sysadmin)
    url = f"/risk/catalogue/v{draft.version}/"
    page = client.get(url)
    assert page.status_code == 200 and "Scoring and alert rules" in page.content.decode()
    form = {
        "parameters": "1",
        "medium_from": "30",
        "high_above": "60",
        "completeness_threshold": "0.6",
        "multiple_vulnerability_k": "0.4",
        "reassess_months": "3",
        "index_rise": "10",
        "band_rise": "on",
        "trigger_newly_3": "on",
        "high_not_reassessed_months": "6",
        "acknowledge_hours": "48",
    }
    assert client.post(url, {**form, "high_above": "20"}).status_code == 200  # high below medium: refused
    draft.refresh_from_db()
    assert draft.parameters["bands"]["high_above"] == 66
    assert client.post(url, form).status_code == 302
    draft.refresh_from_db()
    params = draft.params()
    assert (params.medium_from, params.high_above, params.index_rise, params.k) == (30, 60, 10, 0.4)
    assert draft.parameters["early_warning"]["acknowledge_hours"] == 48
    # An active version's rules cannot be changed.
    active = Catalogue.objects.get(status="active")
    client.post(f"/risk/catalogue/v{active.version}/", form)
    active.refresh_from_db()
    assert active.parameters["bands"]["medium_from"] == 34


@pytest.mark.parametrize("code", ['HLT"ILL', "1ST", "A B", "X" * 33])
def test_a_catalogue_with_a_code_that_would_need_quoting_loads_nothing(tmp_path, code):
    path = tmp_path / "bad.json"
    indicator = {"code": code, "level": "I", "kind": "S", "domain": "health", "label": {"en": "x"}}
    path.write_text(json.dumps({"format": "safepassage-catalogue/1", "indicators": [indicator]}), "utf-8")
    with pytest.raises(CommandError, match=r"indicators\[1\]\.code"):
        call_command("catalogue", "load", str(path))
    assert Catalogue.objects.count() == 1
