"""Pages for the risk index: villages and people, the one-screen assessment, alerts, the catalogue."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safepassage.accounts.selectors import signed_in_user
from safepassage.audit.services import audit_page, audit_read
from safepassage.core.access import viewer_for
from safepassage.core.forms import DateInput
from safepassage.core.roles import Action, Role
from safepassage.geo.models import Area
from safepassage.geo.selectors import get_area
from safepassage.registry import charts, documents, reach, scoring, selectors, services
from safepassage.registry.forms import AssessmentForm, ParametersForm, PersonForm, ResolveForm
from safepassage.registry.models import Alert, Catalogue, Indicator, Person


def _add_errors(form: Any, error: ValidationError, aliases: dict[str, str] | None = None) -> None:
    aliases = aliases or {}
    for field, problems in error.message_dict.items():
        name = aliases.get(field, field)
        if name.startswith("scores."):
            name = "score_" + name.split(".", 1)[1]
        form.add_error(name if name in form.fields else None, problems)


def _visible_people(request: HttpRequest, ids: list[int | None]) -> set[int]:
    """Of these people, those the user may still see: an alert names only them (others by number)."""
    wanted = [i for i in ids if i is not None]
    return set(Person.objects.visible_to(request.user).filter(pk__in=wanted).values_list("pk", flat=True))


def _require_people_role(request: HttpRequest) -> None:
    """Analysts and partners work with aggregates only: personal pages are not there for them."""
    if not request.user.has_perm("registry.view_people"):
        raise Http404


@login_required
def village_list(request: HttpRequest) -> HttpResponse:
    """My villages, with how many people are due or overdue for a visit."""
    _require_people_role(request)
    villages = selectors.villages_for(request.user)
    catalogue = selectors.active_catalogue_or_none()
    cutoff = selectors.reassess_cutoff(catalogue)
    visible = Person.objects.visible_to(request.user)
    counts = {
        row["village_id"]: row
        for row in visible.filter(village__in=villages)
        .values("village_id")
        .annotate(
            people=Count("id"),
            high=Count("id", filter=Q(current_band="high")),
            due=Count("id", filter=Q(current_assessed_on__isnull=True) | Q(current_assessed_on__lt=cutoff)),
        )
        .order_by()
    }
    rows = [{"village": v, **counts.get(v.pk, {"people": 0, "high": 0, "due": 0})} for v in villages[:500]]
    return render(request, "registry/village_list.html", {"rows": rows})


@login_required
def village_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The people of one village, with due and overdue badges, and the village's own assessment."""
    _require_people_role(request)
    village = get_area(code)
    catalogue = selectors.active_catalogue_or_none()
    people = selectors.person_list(
        viewer=request.user,
        village=village,
        query=request.GET.get("q", "").strip(),
        catalogue=catalogue,
        order="visit",
    )
    page = Paginator(people, 100).get_page(request.GET.get("page"))
    audit_page(actor=request.user, page=page, what="page:village")
    latest = village_assessment = None
    if village.level == "village":
        latest = (
            services.Assessment.objects.visible_to(request.user)
            .filter(village=village, subject_is_village=True)
            .order_by("-assessed_on", "-id")
            .first()
        )
        village_assessment = latest
    return render(
        request,
        "registry/village_detail.html",
        {
            "village_indicators": selectors.village_indicators(village_assessment),
            "village": village,
            "page": page,
            "cutoff": selectors.reassess_cutoff(catalogue),
            "overdue_cutoff": selectors.overdue_cutoff(catalogue),
            "village_assessment": village_assessment,
            "can_add": _can_add_in(request, village),
        },
    )


def _can_add_in(request: HttpRequest, village: Area) -> bool:
    try:
        services.agency_for_record(request.user, village)
    except ValidationError:
        return False
    return village.level == "village"


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    """Everyone I may see, searchable, with their current risk."""
    _require_people_role(request)
    query = request.GET.get("q", "").strip()
    band = request.GET.get("band", "")
    due = request.GET.get("due") == "1"
    people = selectors.person_list(
        viewer=request.user, query=query, band=band, due=due, catalogue=selectors.active_catalogue_or_none()
    )
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    audit_page(actor=request.user, page=page, what="page:people")
    return render(
        request, "registry/person_list.html", {"page": page, "query": query, "band": band, "due": due}
    )


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    """Add a person to a village I work in."""
    village = get_area(request.GET.get("village") or request.POST.get("village") or "")
    if not _can_add_in(request, village):
        raise Http404
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            person = services.person_create(
                actor=signed_in_user(request), village_code=village.code, ask_guardian=True, **data
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Added. You can assess them now."))
            return redirect("registry:person_assess", pk=person.pk)
    return render(request, "registry/person_form.html", {"form": form, "village": village})


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One person: current risk with its breakdown, the history chart, alerts. Every view is audited."""
    person = selectors.get_person_for_user(request.user, pk)
    audit_read(actor=request.user, obj=person, what="person page")
    history = selectors.assessment_history(viewer=request.user, person=person)
    catalogue = selectors.active_catalogue_or_none()
    titles = {i.code: i.title for i in catalogue.indicators.all()} if catalogue else {}
    # Current risk: the person's latest answers, scored under the catalogue version their risk is on (the
    # version they were given under, unless a re-score has moved it to a newer one).
    current_id = person.current_assessment_id
    latest = next((h["assessment"] for h in history if h["assessment"].pk == current_id), None)
    current = None
    if latest is not None:
        on = person.current_catalogue or latest.catalogue
        result = services.result_under(latest, on)
        current = {
            "assessment": latest,
            "result": result,
            "catalogue": on,
            "complete": on.params().complete(result.index, result.completeness),
            "red_flags": on.red_flags_named(scoring.flags_text(result.red_flags)),
        }
    return render(
        request,
        "registry/person_detail.html",
        {
            "person": person,
            "history": list(reversed(history)),
            "current": current,
            "titles": titles,
            "chart": charts.history_svg([h["assessment"] for h in history]),
            "alerts": selectors.alert_list(viewer=request.user).filter(person=person)[:20],
            "can_change": Person.objects.visible_to(request.user, Action.CHANGE)
            .filter(pk=person.pk)
            .exists(),
            "domains": dict(Indicator.Domain.choices),
            "documentation": documents.status_for(signed_in_user(request), person),
            **_reach(request, person),
        },
    )


def _reach(request: HttpRequest, person: Person) -> dict[str, Any]:
    """Who can see the record and who has (rule 8): for the agency's case staff and administrators only,
    since it says that a case exists and names the people who read it."""
    if not viewer_for(request.user).has_role(
        Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER, agency_id=person.agency_id
    ):
        return {}
    return {"can_see": reach.who_can_see(person), "have_seen": reach.who_has_seen(person)}


def _assess(request: HttpRequest, *, person: Person | None, village: Area | None) -> HttpResponse:
    catalogue = selectors.active_catalogue_or_none()
    if catalogue is None:
        messages.error(request, _("No indicator catalogue is active. Ask a system administrator."))
        return redirect("web:dashboard")
    # A re-visit shows the answers of last time beside each question, without choosing them: the
    # volunteer answers what is true today. What the record already says (age band, sex) is not asked.
    last = person.current_assessment if person is not None else None
    viewer = viewer_for(request.user)
    case_staff = viewer.has_role(Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER)
    from_record: dict[str, int] = {}
    if person is not None:
        on = _posted_day(request) or timezone.localdate()
        from_record = services.record_answers(person, on, catalogue)
    form = AssessmentForm(
        request.POST or None,
        catalogue=catalogue,
        levels="IH" if person else "V",
        sources=AssessmentForm.CASE_SOURCES if case_staff else AssessmentForm.FIELD_SOURCES,
        last=dict(last.scores) if last is not None else {},
        from_record=from_record,
    )
    if request.method == "POST" and form.is_valid():
        try:
            recorded = services.assessment_record(
                actor=signed_in_user(request),
                person=person,
                village=village,
                assessed_on=form.cleaned_data["assessed_on"],
                scores=form.scores(),
                source=form.cleaned_data["source"],
            )
        except ValidationError as error:
            _add_errors(form, error, {"village_code": "assessed_on"})
        else:
            a = recorded.assessment
            flags = ", ".join(f["label"] for f in a.named_red_flags)
            if flags:
                messages.warning(
                    request,
                    _("Saved. Red flag: %(flags)s. The risk level is %(band)s whatever the index.")
                    % {"flags": flags, "band": _(a.band)},
                )
            elif a.band == "incomplete":
                messages.warning(
                    request,
                    _(
                        "Saved, but fewer than half the questions were answered, so there is "
                        "no risk level yet."
                    ),
                )
            else:
                messages.success(
                    request,
                    _("Saved. Risk index %(index)s (%(band)s).") % {"index": a.index, "band": _(a.band)},
                )
            if recorded.alert is not None:
                messages.warning(request, _("This raised an alert for follow-up."))
            for warning in recorded.warnings:
                messages.warning(request, warning)
            if person is not None:
                return redirect("registry:person_detail", pk=person.pk)
            return redirect("registry:village_detail", code=village.code)  # type: ignore[union-attr]
    return render(
        request,
        "registry/assess.html",
        {"form": form, "person": person, "village": village, "catalogue": catalogue, "last": last},
    )


def _posted_day(request: HttpRequest) -> date | None:
    """The assessment date a form posted, as far as it can be read (the form checks it properly)."""
    if request.method != "POST":
        return None
    try:
        day = DateInput().value_from_datadict(request.POST, {}, "assessed_on")
        return date.fromisoformat(day) if day else None
    except (TypeError, ValueError):
        return None


@login_required
def person_assess(request: HttpRequest, pk: int) -> HttpResponse:
    """Assess a person on one screen."""
    person = selectors.get_person_for_user(request.user, pk, Action.CHANGE)
    return _assess(request, person=person, village=None)


@login_required
def village_assess(request: HttpRequest, code: str) -> HttpResponse:
    """Assess a village's own indicators."""
    village = get_area(code)
    if not _can_add_in(request, village):
        raise Http404
    return _assess(request, person=None, village=village)


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    """Alerts for me and my agency: open first."""
    _require_people_role(request)
    status = request.GET.get("status", "open")
    mine = request.GET.get("mine") == "1"
    overdue = request.GET.get("overdue") == "1"
    order = request.GET.get("order", "urgency")
    alerts = selectors.alert_list(
        viewer=request.user,
        status=status if status in Alert.Status.values else "",
        mine=mine,
        overdue=overdue,
        order=order if order in selectors.ALERT_ORDERS else "urgency",
    )
    page = Paginator(alerts, 50).get_page(request.GET.get("page"))
    audit_page(actor=request.user, page=page, what="page:alerts")
    named = _visible_people(request, [a.person_id for a in page])
    return render(
        request,
        "registry/alert_list.html",
        {
            "page": page,
            "status": status,
            "mine": mine,
            "overdue": overdue,
            "order": order,
            "statuses": Alert.Status.choices,
            "rule_labels": dict(Alert.Rule.choices),
            "named": named,
        },
    )


@login_required
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One alert: why it was raised, and acknowledging or resolving it."""
    _require_people_role(request)
    alert = selectors.get_alert_for_user(request.user, pk)
    form = ResolveForm(request.POST or None)
    if request.method == "POST":
        alert = selectors.get_alert_for_user(request.user, pk, Action.CHANGE)
        try:
            if request.POST.get("action") == "acknowledge":
                services.alert_acknowledge(actor=signed_in_user(request), alert=alert)
                messages.success(request, _("Acknowledged. The alert will not escalate."))
            elif form.is_valid():
                services.alert_resolve(
                    actor=signed_in_user(request), alert=alert, note=form.cleaned_data["note"]
                )
                messages.success(request, _("Resolved."))
            else:
                raise ValidationError({"note": _("Say what was done, so others can follow up.")})
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return redirect("registry:alert_detail", pk=alert.pk)
    catalogue = selectors.active_catalogue_or_none()
    titles = {i.code: i.title for i in catalogue.indicators.all()} if catalogue else {}
    # Red flags are named under the version the alert's assessment was scored on.
    flagged_on = alert.assessment.catalogue if alert.assessment is not None else catalogue
    flags = {
        r.get("rule"): flagged_on.red_flags_named(",".join(r.get("flags", [])))
        for r in alert.reasons
        if r.get("rule") == Alert.Rule.RED_FLAG and flagged_on is not None
    }
    return render(
        request,
        "registry/alert_detail.html",
        {
            "alert": alert,
            "form": form,
            "titles": titles,
            "red_flags": flags.get(Alert.Rule.RED_FLAG, []),
            "rule_labels": dict(Alert.Rule.choices),
            "named": _visible_people(request, [alert.person_id]),
        },
    )


# ------------------------------------------------------------------------------------------- catalogue


def _require_system_admin(request: HttpRequest) -> None:
    if not request.user.is_superuser:
        raise Http404


@login_required
def catalogue_list(request: HttpRequest) -> HttpResponse:
    """Catalogue versions: the active one, drafts to edit, retired ones kept for old assessments."""
    _require_system_admin(request)
    if request.method == "POST":
        try:
            catalogue = Catalogue.objects.get(pk=request.POST.get("catalogue", ""))
        except (Catalogue.DoesNotExist, ValueError):
            raise Http404 from None
        try:
            if request.POST.get("action") == "copy":
                draft = services.catalogue_copy(
                    actor=request.user, source=catalogue, name=request.POST.get("name", "")
                )
                messages.success(
                    request, _("Draft version %(v)d made. Edit it, then activate it.") % {"v": draft.version}
                )
                return redirect("registry:catalogue_detail", version=draft.version)
            if request.POST.get("action") == "activate":
                services.catalogue_activate(actor=request.user, catalogue=catalogue)
                messages.success(
                    request, _("Version %(v)d is now used for new assessments.") % {"v": catalogue.version}
                )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("registry:catalogue_list")
    return render(request, "registry/catalogue_list.html", {"catalogues": Catalogue.objects.all()})


@login_required
def catalogue_detail(request: HttpRequest, version: int) -> HttpResponse:
    """A catalogue version's indicators; in a draft, each can be edited."""
    _require_system_admin(request)
    catalogue = Catalogue.objects.filter(version=version).first()
    if catalogue is None:
        raise Http404
    if request.GET.get("format") == "json":
        response = HttpResponse(
            json.dumps(services.catalogue_as_data(catalogue), ensure_ascii=False, indent=1),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="catalogue-v{catalogue.version}.json"'
        return response
    editable = catalogue.status == Catalogue.Status.DRAFT
    parameters_form = ParametersForm(
        request.POST if request.method == "POST" and "parameters" in request.POST else None,
        initial=ParametersForm.initial_from(catalogue.parameters),
    )
    if request.method == "POST" and "parameters" in request.POST:
        if parameters_form.is_valid():
            try:
                services.catalogue_update_parameters(
                    actor=request.user,
                    catalogue=catalogue,
                    # (what the form does not edit, such as the red flags, is kept)
                    parameters={**catalogue.parameters, **parameters_form.parameters()},
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Scoring rules saved."))
                return redirect("registry:catalogue_detail", version=catalogue.version)
    elif request.method == "POST":
        indicator = catalogue.indicators.filter(pk=request.POST.get("indicator", "")).first()
        if indicator is None:
            raise Http404
        language = request.POST.get("language", "en")
        label = dict(indicator.label)
        label[language] = request.POST.get("label", "").strip() or label.get(language, "")
        rubric = {k: dict(v) for k, v in indicator.rubric.items()}
        for value in ("1", "2", "3"):
            text = request.POST.get(f"rubric_{value}", "").strip()
            if text:
                rubric.setdefault(value, {})[language] = text
        try:
            services.indicator_update(
                actor=request.user,
                indicator=indicator,
                label=label,
                rubric=rubric,
                weight=float(request.POST.get("weight") or indicator.weight),
                active=request.POST.get("active") == "on",
            )
        except (ValidationError, ValueError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("%(code)s saved.") % {"code": indicator.code})
        return redirect("registry:catalogue_detail", version=catalogue.version)
    return render(
        request,
        "registry/catalogue_detail.html",
        {
            "catalogue": catalogue,
            "indicators": catalogue.indicators.all(),
            "editable": editable,
            "form": parameters_form,
        },
    )


@login_required
@require_POST
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    """Acknowledge from the inbox in one tap."""
    alert = selectors.get_alert_for_user(request.user, pk, Action.CHANGE)
    try:
        services.alert_acknowledge(actor=signed_in_user(request), alert=alert)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    return redirect(target or "registry:alert_list")
