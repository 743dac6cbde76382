"""What responders and organisations can help with, as data (R-016, G-07): the helpers every page, form and
service use, and the page where a system administrator edits the list."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from safepassage.core.kinds import kind_choices, kind_codes, kind_labels
from safepassage.network.models import ExpertiseKind
from safepassage.workplaces.kinds import kinds_page


def expertise_choices() -> list[tuple[str, str]]:
    return kind_choices(ExpertiseKind)


def expertise_codes(*, active: bool = True) -> list[str]:
    return kind_codes(ExpertiseKind, active=active)


def expertise_labels() -> dict[str, str]:
    return kind_labels(ExpertiseKind)


@login_required
def expertise_page(request: HttpRequest) -> HttpResponse:
    return kinds_page(
        request,
        ExpertiseKind,
        title=_("What responders can help with"),
        back="network:search",
        url_name="network:expertise_kinds",
    )
