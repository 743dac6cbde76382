"""Sign-in, own account and API tokens, and the agency administrator's team pages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safepassage.accounts import second_factor, selectors, services
from safepassage.accounts.forms import LoginForm, MemberCreateForm, MembershipForm, TokenForm, parse_codes
from safepassage.accounts.models import Agency, SecondFactor
from safepassage.core.access import viewer_for
from safepassage.core.roles import Action, Role


class LoginView(auth_views.LoginView):
    """The sign-in page; after signing in, the owner is told when someone had been guessing their password."""

    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        failures = getattr(self.request, "sign_in_failures_before", 0)
        if failures >= settings.LOGIN_ALERT_FAILURES:
            messages.warning(
                self.request,
                _(
                    "Someone typed a wrong password for your account %(count)d times since you last signed "
                    "in. If it was not you, change your password now and tell your agency administrator."
                )
                % {"count": failures},
            )
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        if form.address_refused():
            response.status_code = 429
        return response


def _form_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """My account: password and API tokens."""
    return render(
        request,
        "accounts/profile.html",
        {
            "tokens": selectors.token_list(user=request.user)[:50],
            "token_form": TokenForm(),
            "factors": second_factor.factors_of(selectors.signed_in_user(request)),
        },
    )


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """Change one's own password."""
    user = selectors.signed_in_user(request)
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(actor=user, user=user, new_password=form.cleaned_data["new_password1"])
        except ValidationError as error:
            form.add_error("new_password1", error)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password has been changed."))
            return redirect("accounts:profile")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Issue an API token and show it once."""
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the token a name."))
        return redirect("accounts:profile")
    user = selectors.signed_in_user(request)  # the second-factor gate has passed: the only way here
    token, raw = services.token_issue(
        actor=user, user=user, name=form.cleaned_data["name"], second_factor=SecondFactor.SESSION
    )
    return render(request, "accounts/token_created.html", {"token": token, "raw": raw})


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of one's own tokens."""
    token = selectors.get_token_for_user(request.user, pk)
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token has been revoked. Anything using it will stop working."))
    return redirect("accounts:profile")


def _admin_agencies(request: HttpRequest) -> list[Agency]:
    viewer = viewer_for(request.user)
    ids = [g.agency_id for g in viewer.grants if g.role == Role.ADMIN]
    if not ids:
        raise Http404
    return list(Agency.objects.filter(pk__in=ids))


@login_required
def team(request: HttpRequest) -> HttpResponse:
    """The members of the agencies I administer."""
    agencies = _admin_agencies(request)
    query = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    members = selectors.member_list(
        viewer=request.user, query=query, role=role if role in Role.values else ""
    )
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/team.html",
        {
            "page": page,
            "agencies": agencies,
            "query": query,
            "role": role,
            "roles": Role.choices,
        },
    )


def _areas_from_codes(codes: list[str]) -> list[Any]:
    from django.apps import apps

    area_model = apps.get_model("geo", "Area")  # accounts sits below geo: look the model up, not import it
    found = {a.code: a for a in area_model.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationError(
            {"area_codes": _("Unknown area codes: %(codes)s") % {"codes": ", ".join(missing)}}
        )
    return [found[c] for c in codes]


@login_required
def member_create(request: HttpRequest) -> HttpResponse:
    """Add a person to my agency; their first password is shown once to hand over."""
    agencies = _admin_agencies(request)
    agency = agencies[0]
    if "agency" in request.GET or "agency" in request.POST:
        chosen = request.POST.get("agency") or request.GET.get("agency")
        agency = next((a for a in agencies if str(a.pk) == chosen), agency)
    form = MemberCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            areas = _areas_from_codes(parse_codes(data["area_codes"]))
            user, password = services.user_create(
                actor=request.user,
                agency=agency,
                username=data["username"],
                role=data["role"],
                areas=areas,
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            return render(
                request,
                "accounts/member_created.html",
                {"new_user": user, "password": password, "agency": agency},
            )
    return render(
        request, "accounts/member_form.html", {"form": form, "agency": agency, "agencies": agencies}
    )


@login_required
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One member of my agency: role, areas, access, lock."""
    membership = selectors.get_membership_for_user(request.user, pk, Action.CHANGE)
    initial = {
        "role": membership.role,
        "active": membership.active,
        "area_codes": ", ".join(membership.areas.values_list("code", flat=True)),
    }
    form = MembershipForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            areas = _areas_from_codes(parse_codes(data["area_codes"]))
            services.membership_update(
                actor=request.user,
                membership=membership,
                role=data["role"],
                areas=areas,
                active=data["active"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("accounts:member_detail", pk=membership.pk)
    return render(
        request,
        "accounts/member_detail.html",
        {
            "membership": membership,
            "form": form,
            "member": membership.user,
            "factors": second_factor.factors_of(membership.user),
            "member_tokens": second_factor.member_tokens(membership.user),
        },
    )


@login_required
@require_POST
def member_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    """Let a member sign in again at once, without waiting out the delays after wrong passwords."""
    membership = selectors.get_membership_for_user(request.user, pk, Action.CHANGE)
    try:
        services.user_unlock(
            actor=selectors.signed_in_user(request), user=membership.user, agency=membership.agency
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(request, _("The wrong passwords are forgotten. The person can sign in again now."))
    return redirect("accounts:member_detail", pk=membership.pk)
