"""The demo shows issue 22's parts 4 and 6: an employer whose status was withdrawn after an inspection, and
a children's committee."""

import pytest

from safepassage.network.children_models import ChildrenGroup
from safepassage.notify.models import Notification
from safepassage.web.demo import load_demo
from safepassage.workplaces.models import Employer, EmployerStatusDecision

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_withdrawn_employer_and_a_childrens_committee(tmp_path):
    load_demo(logins_file=tmp_path / "logins.json", people=0)
    employer = Employer.objects.get(status="withdrawn")
    assert employer.partner_agency is not None
    causes = list(
        EmployerStatusDecision.objects.filter(employer=employer)
        .order_by("pk")
        .values_list("cause", flat=True)
    )
    assert causes == ["granted", "finding"]
    finding = employer.violations.get()
    assert finding.kind == "inspection" and finding.notified_on == employer.status_from
    assert (
        employer.return_schedule.active
        and employer.workplaces.filter(submissions__people_trained__gt=0).exists()
    )
    assert Notification.objects.filter(kind="return_due", recipient__username="employer.partner").exists()
    group = ChildrenGroup.objects.get(kind="committee")
    assert group.named_adult is not None and group.reports.exists()
    assert group.members.filter(left_reason="aged_out").count() == 1
    assert group.members.filter(left_on__isnull=True).count() == 4
