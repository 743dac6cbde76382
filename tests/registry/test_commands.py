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
