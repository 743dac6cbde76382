"""Pages of the second factor: the step after the password, setting one up at first sign-in, passkeys,
recovery codes, trusted phones, and an administrator's reset of a member's factors."""

from __future__ import annotations

import json
from typing import Any

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from safepassage.accounts import passkeys, second_factor, selectors
from safepassage.accounts.models import ApiToken, Passkey, TrustedBrowser
from safepassage.accounts.services import token_revoke
from safepassage.core.roles import Action


class CodeForm(forms.Form):
    """The code typed after the password."""

    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=64,
        required=False,
        help_text=gettext_lazy("The 6 numbers in your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "none"}
        ),
    )
    trust = forms.BooleanField(required=False)


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("web:dashboard")


def _passed(request: HttpRequest, response: HttpResponse, *, trust: bool) -> HttpResponse:
    if trust:
        second_factor.browser_trust(
            actor=selectors.signed_in_user(request), request=request, response=response
        )
    return response


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """After the password: a code from the app (or a recovery code), or the passkey button."""
    user = selectors.signed_in_user(request)
    if second_factor.session_verified(request.user):
        return redirect(_next(request))
    if not second_factor.has_factor(user):
        return redirect(reverse("accounts:second_factor_setup") + "?" + request.GET.urlencode())
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        problem = second_factor.code_problem(code)
        waiting = second_factor.must_wait(user)
        device = None if problem else second_factor.code_check(user=user, code=code)
        if device is not None:
            second_factor.session_pass(request, device)
            if second_factor.method_of(device) == "recovery":
                messages.warning(request, _("You used a recovery code. Each one works only once."))
            return _passed(request, redirect(_next(request)), trust=form.cleaned_data["trust"])
        form.add_error("code", problem or second_factor.wrong_code_message(waiting=waiting))
    factors = second_factor.factors_of(user)
    return render(
        request,
        "accounts/second_factor.html",
        {
            "form": form,
            "next": _next(request),
            "trust_days": settings.TRUSTED_BROWSER_DAYS,
            "has_totp": factors.totp is not None,
            "has_passkey": bool(factors.passkeys),
        },
        status=400 if form.errors else 200,
    )


def _qr_svg(device: Any) -> str:
    """The otpauth:// link as an SVG data URI, drawn here (segno), never by another site."""
    return str(segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2))


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: at first sign-in, or later to move to a new phone (after passing)."""
    user = selectors.signed_in_user(request)
    if second_factor.has_factor(user) and not second_factor.session_verified(request.user):
        return redirect(reverse("accounts:second_factor") + "?" + request.GET.urlencode())
    device = second_factor.totp_pending(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = second_factor.totp_confirm(actor=user, user=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error.message_dict.get("code", error.messages))
        else:
            device.refresh_from_db()
            second_factor.session_pass(request, device)
            messages.success(request, _("Your authenticator app is set up."))
            if codes:
                return render(
                    request, "accounts/recovery_codes.html", {"codes": codes, "next": _next(request)}
                )
            return redirect("accounts:profile")
    secret = second_factor.totp_secret(device)
    return render(
        request,
        "accounts/second_factor_setup.html",
        {
            "form": form,
            "qr": _qr_svg(device),
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
            "next": _next(request),
            "first": not second_factor.has_factor(user),
        },
        status=400 if form.errors else 200,
    )


@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """How many recovery codes are left, and new ones (shown once) on request."""
    user = selectors.signed_in_user(request)
    if request.method == "POST":
        try:
            codes = second_factor.recovery_codes_create(actor=user, user=user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("accounts:profile")
        return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _next(request)})
    left = second_factor.factors_of(user).recovery_left
    return render(request, "accounts/recovery_codes.html", {"left": left, "next": _next(request)})


def _json_error(error: ValidationError) -> JsonResponse:
    messages_ = (
        error.message_dict.get("passkey", error.messages) if hasattr(error, "error_dict") else error.messages
    )
    return JsonResponse(
        {"detail": " ".join(messages_), "errors": [{"field": "passkey", "message": m} for m in messages_]},
        status=400,
    )


@login_required
@require_POST
def passkey_sign_in_options(request: HttpRequest) -> HttpResponse:
    """The challenge for signing in with one of my passkeys."""
    user = selectors.signed_in_user(request)
    return HttpResponse(passkeys.sign_in_options(request, user), content_type="application/json")


@login_required
@require_POST
def passkey_sign_in(request: HttpRequest) -> HttpResponse:
    """Check the passkey's answer; on success this session has passed the second factor."""
    user = selectors.signed_in_user(request)
    try:
        body = json.loads(request.body or b"null")
        passkeys.passkey_check(
            request=request,
            user=user,
            answer=(body or {}).get("credential") if isinstance(body, dict) else body,
        )
    except ValueError:
        return _json_error(ValidationError({"passkey": _("The answer from the passkey could not be read.")}))
    except ValidationError as error:
        return _json_error(error)
    response = JsonResponse({"redirect": _next(request)})
    return _passed(request, response, trust=isinstance(body, dict) and body.get("trust") is True)


@login_required
@require_POST
def passkey_add_options(request: HttpRequest) -> HttpResponse:
    """The challenge for adding a passkey (at first sign-in, or later after passing the second factor)."""
    user = selectors.signed_in_user(request)
    if not passkeys.may_add_passkey(request, user):
        raise PermissionDenied
    return HttpResponse(passkeys.registration_options(request, user), content_type="application/json")


@login_required
@require_POST
def passkey_add(request: HttpRequest) -> HttpResponse:
    """Keep the new passkey; a first one also passes the second factor for this session."""
    user = selectors.signed_in_user(request)
    if not passkeys.may_add_passkey(request, user):
        raise PermissionDenied
    first = not second_factor.has_factor(user)
    try:
        body = json.loads(request.body or b"null")
        if not isinstance(body, dict):
            raise ValueError
        passkey = passkeys.passkey_add(
            actor=user, request=request, answer=body.get("credential"), name=str(body.get("name") or "")
        )
    except ValueError:
        return _json_error(ValidationError({"passkey": _("The answer from the passkey could not be read.")}))
    except ValidationError as error:
        return _json_error(error)
    if first:
        second_factor.session_pass(request, passkey)
        messages.success(
            request, _("Your passkey is set up. Now make your recovery codes and keep them safe.")
        )
        return JsonResponse({"redirect": reverse("accounts:recovery_codes") + "?next=" + _next(request)})
    messages.success(request, _("Your passkey is set up."))
    return JsonResponse({"redirect": reverse("accounts:profile")})


@login_required
@require_POST
def passkey_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove one of my passkeys."""
    user = selectors.signed_in_user(request)
    passkey = get_object_or_404(Passkey, pk=pk, user=user)
    try:
        second_factor.passkey_remove(actor=user, passkey=passkey)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The passkey is removed."))
    return redirect("accounts:profile")


@login_required
@require_POST
def trusted_forget(request: HttpRequest, pk: int) -> HttpResponse:
    """Stop trusting one of my phones or computers."""
    user = selectors.signed_in_user(request)
    browser = get_object_or_404(TrustedBrowser, pk=pk, user=user)
    second_factor.trusted_forget(actor=user, browser=browser)
    messages.success(request, _("That phone will be asked for the second factor again."))
    return redirect("accounts:profile")


@login_required
@require_POST
def member_factors_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """An administrator clears a member's second factors (a lost phone)."""
    membership = selectors.get_membership_for_user(request.user, pk, Action.CHANGE)
    try:
        second_factor.factors_reset(
            actor=selectors.signed_in_user(request), user=membership.user, agency=membership.agency
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(
        request, _("Done. The person will set up a new second factor the next time they sign in.")
    )
    return redirect("accounts:member_detail", pk=membership.pk)


@login_required
@require_POST
def member_token_revoke(request: HttpRequest, pk: int, token_pk: int) -> HttpResponse:
    """An administrator revokes one of a member's API tokens."""
    membership = selectors.get_membership_for_user(request.user, pk, Action.CHANGE)
    token = get_object_or_404(ApiToken, pk=token_pk, user=membership.user)
    try:
        token_revoke(actor=selectors.signed_in_user(request), token=token, agency=membership.agency)
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(request, _("The token has been revoked. Anything using it will stop working."))
    return redirect("accounts:member_detail", pk=membership.pk)
