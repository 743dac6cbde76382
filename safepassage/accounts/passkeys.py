"""Passkeys (WebAuthn): a phone's screen lock or a security key as the second factor, through py_webauthn.

Each ceremony is two steps: the server hands the browser options with a fresh challenge (kept in the session,
used once), the browser answers, and the server checks the answer with the library. A malformed or wrong
answer is a ValidationError naming "passkey", never a 500.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from safepassage.accounts.models import Passkey, SecondFactor, User
from safepassage.accounts.second_factor import audit_factor, has_factor, require_self, session_pass
from safepassage.accounts.services import tokens_revoke

REGISTER_KEY = "passkey_register_challenge"
SIGN_IN_KEY = "passkey_sign_in_challenge"
_BAD_INPUT = (WebAuthnException, ValueError, TypeError, KeyError, AttributeError, IndexError)


def _relying_party(request: HttpRequest) -> tuple[str, str]:
    """The site's id (its host name, without port) and origin, as the browser sees them."""
    host = request.get_host()
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return name.strip("[]"), f"{request.scheme}://{host}"


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    result = []
    for passkey in Passkey.objects.filter(user=user, confirmed=True):
        transports = [AuthenticatorTransport(t) for t in passkey.transports.split(",") if t in _TRANSPORTS]
        result.append(
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(passkey.credential_id), transports=transports)
        )
    return result


_TRANSPORTS = {t.value for t in AuthenticatorTransport}


def _challenge(request: HttpRequest, key: str) -> bytes:
    stored = request.session.pop(key, None)
    if not stored:
        raise ValidationError({"passkey": _("This page was open too long. Try again.")})
    return base64url_to_bytes(stored)


def _parse(body: Any) -> Any:
    if isinstance(body, (bytes, str)):
        try:
            body = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise ValidationError({"passkey": _("The answer from the passkey could not be read.")}) from None
    if not isinstance(body, dict):
        raise ValidationError({"passkey": _("The answer from the passkey could not be read.")})
    return body


def registration_options(request: HttpRequest, user: User) -> str:
    """Options (JSON) for navigator.credentials.create(): a passkey kept on the phone, tied to this site."""
    rp_id, _origin = _relying_party(request)
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name="SafePassage",
        user_name=user.get_username(),
        user_id=str(user.pk).encode(),
        user_display_name=user.get_full_name() or user.get_username(),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=_descriptors(user),
    )
    request.session[REGISTER_KEY] = bytes_to_base64url(options.challenge)
    return str(options_to_json(options))


@transaction.atomic
def passkey_add(*, actor: User, request: HttpRequest, answer: Any, name: str = "") -> Passkey:
    """Check the browser's answer to registration_options and keep the new passkey (audited; the person's
    API tokens are revoked, as for every change of factor)."""
    require_self(actor, actor)
    data = _parse(answer)
    rp_id, origin = _relying_party(request)
    challenge = _challenge(request, REGISTER_KEY)
    try:
        verified = verify_registration_response(
            credential=data, expected_challenge=challenge, expected_rp_id=rp_id, expected_origin=origin
        )
    except _BAD_INPUT:
        raise ValidationError({"passkey": _("This passkey could not be checked. Try again.")}) from None
    credential_id = bytes_to_base64url(verified.credential_id)
    if Passkey.objects.filter(credential_id=credential_id).exists():
        raise ValidationError({"passkey": _("This passkey is already set up.")})
    transports = data.get("response", {}).get("transports") or []
    passkey = Passkey.objects.create(
        user=actor,
        name=(name.strip() or _("Passkey"))[:64],
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=",".join(t for t in transports if isinstance(t, str) and t in _TRANSPORTS)[:200],
    )
    audit_factor(actor, "accounts.second_factor.add", actor, kind=SecondFactor.PASSKEY, device=passkey.pk)
    tokens_revoke(user=actor, reason="second_factor_change")
    return passkey


def sign_in_options(request: HttpRequest, user: User) -> str:
    """Options (JSON) for navigator.credentials.get(), limited to this person's passkeys."""
    rp_id, _origin = _relying_party(request)
    options = generate_authentication_options(
        rp_id=rp_id,
        allow_credentials=_descriptors(user),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    request.session[SIGN_IN_KEY] = bytes_to_base64url(options.challenge)
    return str(options_to_json(options))


def passkey_check(*, request: HttpRequest, user: User, answer: Any) -> Passkey:
    """Check the browser's answer to sign_in_options; on success this session has passed the second
    factor. Audited either way; a wrong or malformed answer raises ValidationError."""
    data = _parse(answer)
    rp_id, origin = _relying_party(request)
    challenge = _challenge(request, SIGN_IN_KEY)
    with transaction.atomic():
        raw_id = data.get("rawId") or data.get("id")
        passkey = (
            Passkey.objects.select_for_update()
            .filter(user=user, confirmed=True, credential_id=raw_id)
            .first()
            if isinstance(raw_id, str)
            else None
        )
        problem = _("This passkey is not set up for your account.") if passkey is None else ""
        if passkey is not None:
            try:
                verified = verify_authentication_response(
                    credential=data,
                    expected_challenge=challenge,
                    expected_rp_id=rp_id,
                    expected_origin=origin,
                    credential_public_key=bytes(passkey.public_key),
                    credential_current_sign_count=passkey.sign_count,
                )
            except _BAD_INPUT:
                problem = _("This passkey could not be checked. Try again.")
            else:
                passkey.sign_count = verified.new_sign_count
                passkey.set_last_used_timestamp(commit=False)
                passkey.save(update_fields=["sign_count", "last_used_at"])
        audit_factor(
            user,
            "auth.second_factor_failed" if problem else "auth.second_factor",
            user,
            method=SecondFactor.PASSKEY,
        )
    if problem or passkey is None:
        raise ValidationError({"passkey": problem})
    session_pass(request, passkey)
    return passkey


def may_add_passkey(request: HttpRequest, user: User) -> bool:
    """A first factor may be set up right after the password; another one only after passing the second
    factor (so a stolen password cannot add its own passkey)."""
    from safepassage.accounts.second_factor import session_verified

    return session_verified(request.user) or not has_factor(user)
