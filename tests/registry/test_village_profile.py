"""Village-level indicators in the community profile (issue 22 part 8, R-002): the village page shows each
village indicator of the village's latest assessment with its score and what the score means."""

from datetime import date

import pytest

from safepassage.registry import services
from safepassage.registry.models import Indicator
from safepassage.registry.selectors import village_indicators
from safepassage.testing import web_client
from tests.registry.conftest import risk_world

pytestmark = pytest.mark.django_db


def test_the_village_page_shows_its_village_indicators(db):
    world = risk_world()
    recorded = services.assessment_record(
        actor=world.coordinator_a,
        village=world.village_1,
        assessed_on=date.today(),
        scores={"MIG-BORDER": 3, "MIG-BROKERS": 1},
    )
    rows = village_indicators(recorded.assessment)
    border = Indicator.objects.get(catalogue=recorded.assessment.catalogue, code="MIG-BORDER")
    assert (border.title, 3, border.rubric_text(3)) in [
        (title, score, meaning) for _d, title, score, meaning in rows
    ]
    assert len(rows) == 2
    page = web_client(world.coordinator_a).get(f"/risk/villages/{world.village_1.code}/").content.decode()
    assert 'id="village-indicators"' in page and border.title in page
    # another agency's assessment of the same village is not in agency A's profile, and vice versa
    other = web_client(world.coordinator_b).get(f"/risk/villages/{world.village_1.code}/")
    assert 'id="village-indicators"' not in other.content.decode()
