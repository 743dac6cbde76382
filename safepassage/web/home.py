"""The home page: for each kind of work a person can do, how much is waiting, each number a link to its list.

Counts of the viewer's own agency's records (their alerts, the people they visit, the referrals and cases
their agency works on, its imports and accounts) are exact: they could open every one of those records.
Figures about people the viewer may not open (an analyst's, a roll-up's) come only from
`reports.selectors.headline`, which publishes them as the reports do (the cell-key method: perturbed, "<11"
when small; see docs/disclosure-control.md); nothing here counts such people itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from safepassage.accounts.selectors import member_list
from safepassage.cases import break_glass
from safepassage.cases import selectors as cases
from safepassage.cases.htcds import CaseStatus
from safepassage.cases.models import BreakGlass, Deadline, IntakeReport, Referral
from safepassage.core.access import viewer_for
from safepassage.core.disclosure import SMALL
from safepassage.core.roles import Role
from safepassage.imports.selectors import jobs_with_problems
from safepassage.registry import selectors as registry
from safepassage.reports.selectors import has_report_data, headline
from safepassage.web.context import relevant, sees_workplaces
from safepassage.workplaces.selectors import workplace_list

WEEK = 7


@dataclass(frozen=True)
class Figure:
    """One number on the home page and the list it opens. `value` None: hidden (a small number)."""

    key: str
    label: str | Promise
    value: int | None
    url: str
    urgent: bool = False  # shown as needing action when not zero
    hidden_as: str = "—"  # what a hidden number shows

    @property
    def needs_action(self) -> bool:
        return self.urgent and bool(self.value)

    @property
    def shown(self) -> str:
        return self.hidden_as if self.value is None else str(self.value)


@dataclass
class Card:
    """A block of the home page: one kind of work, its figures and its links."""

    key: str
    title: str | Promise
    text: str | Promise = ""
    figures: list[Figure] = field(default_factory=list)
    links: list[tuple[str, str | Promise]] = field(default_factory=list)
    note: str | Promise = ""


def _url(name: str, **query: Any) -> str:
    url = reverse(name)
    return f"{url}?{urlencode(query)}" if query else url


def _days_since(moment: datetime | None, now: datetime) -> int | None:
    return None if moment is None else max(0, (now - moment).days)


def alerts_card(user: Any, now: datetime) -> Card:
    """Risk alerts: open, not acknowledged in time, red flags, and how long the oldest has waited."""
    counts = registry.alert_counts(viewer=user, now=now)
    oldest = _days_since(counts["oldest"], now)
    note = (
        ngettext(
            "The oldest open alert was raised %(days)s day ago.",
            "The oldest open alert was raised %(days)s days ago.",
            oldest,
        )
        % {"days": oldest}
        if oldest
        else ""
    )
    return Card(
        "alerts",
        _("Risk alerts"),
        _("Someone's risk went up. Acknowledge within the deadline, or it goes to the coordinators."),
        [
            Figure(
                "alerts_overdue",
                _("Not acknowledged in time"),
                counts["overdue"],
                _url("registry:alert_list", status="open", overdue=1, order="urgency"),
                urgent=True,
            ),
            Figure(
                "alerts_red_flags",
                _("Open with a red flag"),
                counts["red_flags"],
                _url("registry:alert_list", status="open", order="urgency"),
                urgent=True,
            ),
            Figure(
                "alerts_open",
                _("Open"),
                counts["open"],
                _url("registry:alert_list", status="open", order="urgency"),
            ),
        ],
        note=note,
    )


def visits_card(user: Any, *, volunteer: bool) -> Card:
    """People due for a visit (never assessed, or not for the re-assessment period), high risk first."""
    catalogue = registry.active_catalogue_or_none()
    due = registry.person_list(viewer=user, due=True, catalogue=catalogue).order_by()
    high_due = due.filter(current_band="high").count()
    figures = [
        Figure(
            "visits_high",
            _("At high risk and due for a visit"),
            high_due,
            _url("registry:person_list", due=1, band="high"),
            urgent=True,
        ),
        Figure("visits_due", _("Due for a visit"), due.count(), _url("registry:person_list", due=1)),
    ]
    links: list[tuple[str, str | Promise]] = []
    if volunteer:
        villages = registry.villages_for(user).count()
        figures.append(
            Figure("villages", _("Villages you look after"), villages, reverse("registry:village_list"))
        )
        links.append((reverse("cases:intake_new"), _("Tell the team about a worry")))
    else:
        links.append((reverse("registry:village_list"), _("Villages")))
    months = int((catalogue.parameters if catalogue else {}).get("reassess_months", 6))
    return Card(
        "visits",
        _("Visits"),
        ngettext(
            "People never assessed, or not assessed for %(months)s month or more.",
            "People never assessed, or not assessed for %(months)s months or more.",
            months,
        )
        % {"months": months},
        figures,
        links,
    )


def cases_card(user: Any, today: date) -> Card:
    """Referrals waiting for an answer, my cases and their deadlines this week, case alerts, new reports."""
    waiting = cases.referrals_incoming(user).filter(status=Referral.Status.PENDING).order_by()
    mine = cases.case_list(user, mine=True).filter(status__in=[CaseStatus.ACTIVE, CaseStatus.FOLLOW_UP])
    week_end = today + timedelta(days=WEEK - 1)
    with_deadline = (
        Deadline.objects.filter(
            case__in=mine.order_by().values("pk"),
            done_on__isnull=True,
            due_on__gte=today,
            due_on__lte=week_end,
        )
        .values("case_id")
        .distinct()
        .count()
    )
    card = Card(
        "cases",
        _("Cases and referrals"),
        _("Cases assigned to you, and what other agencies have asked of yours."),
        [
            Figure(
                "referrals_urgent",
                _("Urgent referrals waiting for an answer"),
                waiting.filter(urgent=True).count(),
                reverse("cases:referrals"),
                urgent=True,
            ),
            Figure(
                "referrals_waiting",
                _("Referrals waiting for an answer"),
                waiting.count(),
                reverse("cases:referrals"),
            ),
            Figure(
                "my_deadlines",
                _("My cases with a deadline in the next 7 days"),
                with_deadline,
                _url("cases:case_list", mine=1),
                urgent=True,
            ),
            Figure("my_cases", _("My open cases"), mine.order_by().count(), _url("cases:case_list", mine=1)),
            Figure(
                "case_alerts",
                _("Case alerts (missed deadlines, long shelter stays)"),
                cases.alert_inbox(user).order_by().count(),
                reverse("cases:alerts"),
                urgent=True,
            ),
            Figure(
                "reports_open",
                _("Open reports in the call log"),
                cases.intake_list(user, status=IntakeReport.Status.OPEN).order_by().count(),
                _url("cases:intake_list", status=IntakeReport.Status.OPEN),
            ),
        ],
    )
    if viewer_for(user).has_role(Role.COORDINATOR):  # they review emergency access to their agency's cases
        pending = break_glass.reviews_for(user).filter(review=BreakGlass.Review.PENDING).order_by().count()
        card.figures.insert(
            4,
            Figure(
                "emergency_reviews",
                _("Emergency access to your agency's cases, to review"),
                pending,
                reverse("cases:emergency_reviews"),
                urgent=True,
            ),
        )
    return card


def imports_card(user: Any) -> Card:
    """Imports that stopped on a problem."""
    return Card(
        "imports",
        _("Imports"),
        _("Files from partners that need fixing, or cancelling, before anything is added."),
        [
            Figure(
                "imports_problems",
                _("Imports with problems"),
                jobs_with_problems(viewer=user).count(),
                reverse("imports:list"),
                urgent=True,
            )
        ],
    )


def team_card(user: Any, now: datetime) -> Card:
    """The agency's people: accounts someone has been guessing the password of first."""
    members = member_list(viewer=user).order_by()
    attacked = members.filter(user__failed_logins__gte=settings.LOGIN_ALERT_FAILURES)
    return Card(
        "team",
        _("Team"),
        _("Add people, set their roles and villages, see who had many wrong passwords."),
        [
            Figure(
                "attacked",
                _("Accounts with many wrong passwords"),
                attacked.values("user_id").distinct().count(),
                reverse("accounts:team"),
                urgent=True,
            ),
            Figure("members", _("Members"), members.filter(active=True).count(), reverse("accounts:team")),
            Figure(
                "emergency_reported",
                _("Emergency access by your staff reported as misuse (30 days)"),
                break_glass.reported_to_admin(user, now=now).order_by().count(),
                reverse("cases:emergency_reviews"),
                urgent=True,
            ),
        ],
        [(reverse("audit:trail"), _("Audit trail"))],
    )


def reports_card(user: Any) -> Card:
    """People assessed and at high risk, by province, from the protected report function only."""
    figures = headline(viewer=user)
    url = _url("reports:risk", by="province")
    shown: list[Figure] = []
    for row in figures["rows"]:
        where = row["area_name"] or row["area"] or _("no province")
        shown.append(
            Figure(
                f"assessed_{row['area']}",
                _("People assessed in %(area)s") % {"area": where},
                _published(row["n"]),
                url,
                hidden_as=SMALL,
            )
        )
        shown.append(
            Figure(
                f"high_{row['area']}",
                _("At high risk in %(area)s") % {"area": where},
                _published(row["high"]),
                url,
                hidden_as=SMALL,
            )
        )
    links: list[tuple[str, str | Promise]] = [
        (reverse("reports:priorities"), _("Where to act")),
        (reverse("reports:map"), _("Map")),
    ]
    if user.has_perm("cases.view_lessons"):
        links.append((reverse("cases:lessons"), _("Lessons learned")))
    note = render_to_string("reports/_caveat.html").strip() if figures["perturbed"] else ""
    return Card(
        "reports",
        _("Reports"),
        _("Counts and maps by area, for planning where to act."),
        shown,
        links,
        note=note,
    )


def _published(value: int | str) -> int | None:
    """A report's count as a home-page figure: None when it is shown as "<11"."""
    return value if isinstance(value, int) else None


def partner_card(user: Any, request: HttpRequest) -> Card:
    """What a partner is for, and what has been shared with it."""
    card = Card(
        "partner",
        _("What you can see as a partner"),
        _(
            "A partner is an employer, a union or a focal point across the border that works with the "
            "agencies here. You see only what they have chosen to share with your organisation, never "
            "anyone's personal records."
        ),
    )
    if relevant(request, sees_workplaces):
        card.figures.append(
            Figure(
                "workplaces",
                _("Your organisation's workplaces"),
                workplace_list(viewer=user).count(),
                reverse("workplaces:list"),
            )
        )
        card.note = _(
            "Open a workplace to report its conditions: how many women, men and workers under 18, "
            "their hours and living conditions, the vacancies. You report numbers, never names."
        )
        card.links.append((reverse("workplaces:map"), _("Map of your workplaces")))
    else:
        card.note = _(
            "Nothing has been shared with your organisation yet. When an agency shares something with "
            "you, it appears here. Hotline numbers are always open to you."
        )
    card.links.append((reverse("network:hotlines"), _("Hotlines")))
    return card


def home_cards(request: HttpRequest, *, now: datetime | None = None) -> list[Card]:
    """The cards of one person's home page, in the order they are likely to act on them."""
    user = request.user
    now = now or timezone.now()
    today = timezone.localdate(now)
    viewer = viewer_for(user)
    cards: list[Card] = []
    risk_work = relevant(request, registry.holds_risk_records)
    if user.has_perm("registry.view_alerts") and risk_work:
        cards.append(alerts_card(user, now))
    if user.has_perm("cases.view_cases"):
        cards.append(cases_card(user, today))
    if user.has_perm("registry.view_people") and risk_work:
        only_volunteer = viewer.has_role(Role.VOLUNTEER) and not viewer.has_role(
            Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER
        )
        cards.append(visits_card(user, volunteer=only_volunteer))
    if user.has_perm("imports.run_imports"):
        cards.append(imports_card(user))
    if (
        user.has_perm("reports.view_reports")
        and viewer.has_role(Role.ANALYST, Role.COORDINATOR)
        and relevant(request, has_report_data)
    ):
        cards.append(reports_card(user))
    if viewer.has_role(Role.PARTNER):
        cards.append(partner_card(user, request))
    if user.has_perm("accounts.manage_members"):
        cards.append(team_card(user, now))
    return cards
