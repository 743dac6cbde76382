"""The message layer: a JSON body signed by this installation (JWS, ES256) inside a JWE encrypted to the peer
(ECDH-ES+A256KW, A256GCM), both made and opened by joserfc.

The signed claims name the sender (`iss`, its signing key's thumbprint), the receiver (`aud`), the message id
(`jti`), when it was made and when it expires (`iat`, `exp`), its type and the transfer it belongs to. Opening
checks, in this order: it decrypts with our key; the signer is a registered peer; the signature is that
peer's; the peer is active (not deactivated here); it is addressed to us; it has not expired. Each failure is
a `Refused` with a reason code; the replay check (the message id already taken) is the service's, against the
inbox."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from joserfc import jwe, jws
from joserfc.errors import JoseError

from safepassage.exchange import keys
from safepassage.exchange.models import Peer

SIGNING_ALG = "ES256"
JWE_ALG = "ECDH-ES+A256KW"
JWE_ENC = "A256GCM"
TYP = "safepassage-exchange+jws"
# a message made a little ahead of our clock (the two servers' clocks differ) is taken; further ahead, not
CLOCK_SKEW = timedelta(minutes=5)

REASONS = {
    "not_decrypting": _("It does not open with this installation's encryption key."),
    "malformed": _("It is not a SafePassage exchange message."),
    "unknown_peer": _("It is signed by an installation that is not a registered peer."),
    "bad_signature": _("Its signature is not the peer's: it was changed or forged."),
    "wrong_recipient": _("It is addressed to another installation."),
    "expired": _("It expired before it arrived."),
    "replayed": _("This message was received already."),
    "peer_inactive": _(
        "It comes from an installation that was deactivated here: nothing from it is taken until a "
        "coordinator reactivates it."
    ),
}


class Refused(Exception):
    """A message refused, with its reason code (REASONS) and what is known of it (never its content)."""

    def __init__(self, reason: str, *, peer: Peer | None = None, message_id: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.peer = peer
        self.message_id = message_id

    @property
    def text(self) -> str:
        return str(REASONS[self.reason])


@dataclass(frozen=True)
class Opened:
    peer: Peer
    message_id: str
    type: str
    transfer: str
    body: dict[str, Any]
    issued_at: datetime
    expires_at: datetime


def seal(
    peer: Peer,
    *,
    type: str,
    transfer: str,
    body: dict[str, Any],
    message_id: str | None = None,
    now: datetime | None = None,
    lifetime: timedelta | None = None,
) -> str:
    """Sign the body as this installation and encrypt it to `peer`: the compact JWE text to send."""
    pairs = keys.load()
    now = now or timezone.now()
    lifetime = lifetime if lifetime is not None else timedelta(days=settings.EXCHANGE_MESSAGE_DAYS)
    claims = {
        "iss": pairs.signing_id,
        "aud": peer.key_id,
        "jti": message_id or str(uuid.uuid4()),
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "typ": type,
        "transfer": transfer,
        "from": settings.EXCHANGE_NAME,
        "body": body,
    }
    payload = json.dumps(claims, ensure_ascii=False, sort_keys=True).encode("utf-8")
    signed = jws.serialize_compact(
        {"alg": SIGNING_ALG, "kid": pairs.signing_id, "typ": TYP}, payload, pairs.signing
    )
    recipient = keys.import_public(peer.encryption_key, "encryption key")
    header = {"alg": JWE_ALG, "enc": JWE_ENC, "cty": "JWS", "kid": recipient.thumbprint()}
    return str(jwe.encrypt_compact(header, signed.encode("ascii"), recipient))


def open_message(token: str, *, now: datetime | None = None) -> Opened:
    """Decrypt, find the peer, verify its signature and the claims; `Refused` with the reason otherwise."""
    try:
        pairs = keys.load()
    except ImproperlyConfigured:  # no keys made yet: nothing sent here can be opened
        raise Refused("not_decrypting") from None
    now = now or timezone.now()
    try:
        inner = jwe.decrypt_compact(token.strip(), pairs.encryption).plaintext
    except (JoseError, ValueError, TypeError):
        raise Refused("not_decrypting") from None
    if inner is None:
        raise Refused("malformed")
    try:
        header = jws.extract_compact(inner).headers()
    except (JoseError, ValueError, TypeError):
        raise Refused("malformed") from None
    kid = str(header.get("kid", ""))
    peer = Peer.objects.filter(key_id=kid).first() if kid else None
    if peer is None:
        raise Refused("unknown_peer")
    try:
        verified = jws.deserialize_compact(
            inner, keys.import_public(peer.signing_key, "signing key"), algorithms=[SIGNING_ALG]
        )
        claims = json.loads(verified.payload)
    except (JoseError, ValueError, TypeError):
        raise Refused("bad_signature", peer=peer) from None
    message_id = str(claims.get("jti", ""))
    if not peer.active:  # its signature is checked first, so the refusal is truly its own
        raise Refused("peer_inactive", peer=peer, message_id=message_id)
    try:
        uuid.UUID(message_id)
        issued = datetime.fromtimestamp(int(claims["iat"]), tz=UTC)
        expires = datetime.fromtimestamp(int(claims["exp"]), tz=UTC)
        body = claims["body"]
        if not isinstance(body, dict) or claims.get("iss") != kid:
            raise ValueError("claims")
    except (KeyError, ValueError, TypeError):
        raise Refused("malformed", peer=peer) from None
    if claims.get("aud") != pairs.signing_id:
        raise Refused("wrong_recipient", peer=peer, message_id=message_id)
    if expires <= now or issued > now + CLOCK_SKEW:
        raise Refused("expired", peer=peer, message_id=message_id)
    return Opened(
        peer=peer,
        message_id=message_id,
        type=str(claims.get("typ", "")),
        transfer=str(claims.get("transfer", "")),
        body=body,
        issued_at=issued,
        expires_at=expires,
    )
