"""Forms for signing in, passwords, tokens and managing members."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from safepassage.core.roles import Role


class LoginForm(AuthenticationForm):
    """Sign-in with one answer for a wrong password, an unknown name and an account that must wait (so a
    stranger learns nothing), and a plain message when this network has sent too many wrong passwords."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The username or password is not right, or there were several wrong tries: check them, wait a "
            "minute and try again."
        ),
        "too_many": _(
            "Too many wrong passwords have been sent from this network. Wait %(minutes)d minutes and try "
            "again."
        ),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            self.user_cache = authenticate(self.request, username=username, password=password)
            if self.user_cache is None:
                if self.address_refused():
                    raise self.too_many_error()
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    def address_refused(self) -> bool:
        """True when the client's address is over its limit (answered 429, not like a wrong password)."""
        return getattr(self.request, "sign_in_refused", "") == "address"

    def too_many_error(self) -> ValidationError:
        """The message for an address over its limit."""
        return ValidationError(
            self.error_messages["too_many"],
            code="too_many",
            params={"minutes": settings.LOGIN_ADDRESS_MINUTES},
        )


class TokenForm(forms.Form):
    """Name a new API token so it can be recognised and revoked later."""

    name = forms.CharField(
        label=_("What is this token for?"),
        max_length=100,
        help_text=_('For example: "KoboToolbox import" or "district dashboard".'),
    )


class MemberCreateForm(forms.Form):
    """Add a person to the agency with a role and, for volunteers, their villages."""

    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("Given name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Family name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    area_codes = forms.CharField(
        label=_("Areas covered"),
        required=False,
        help_text=_(
            "Official area codes separated by commas. Required for volunteers; "
            "leave empty to cover all of the agency's areas."
        ),
    )


class MembershipForm(forms.Form):
    """Change a member's role, areas, or access."""

    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    area_codes = forms.CharField(
        label=_("Areas covered"), required=False, help_text=_("Official area codes separated by commas.")
    )
    active = forms.BooleanField(label=_("Can sign in for this agency"), required=False)


def parse_codes(value: str) -> list[str]:
    """Area codes typed as a comma- or space-separated list."""
    return [code.strip() for code in value.replace(",", " ").split() if code.strip()]
