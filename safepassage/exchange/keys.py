"""This installation's two key pairs for exchange: one signs what it sends (ES256), one opens what is sent to
it (ECDH-ES+A256KW with A256GCM). joserfc makes and uses them; nothing here is a cryptographic primitive.

The private keys live in EXCHANGE_KEYS_FILE (DATA_DIR/exchange_keys.json by default, 0600, made once by
`safepassage exchange keys`), outside the database like the other keys (docs/operations.md). Peers know this
installation by the public parts and check them over the phone by their fingerprints (RFC 7638 thumbprints,
read out in groups of four)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from joserfc import jwk
from joserfc.errors import JoseError

CURVE = "P-256"


@dataclass(frozen=True)
class KeyPairs:
    signing: jwk.ECKey
    encryption: jwk.ECKey

    @property
    def signing_id(self) -> str:
        """This installation's name among peers: the signing key's thumbprint."""
        return str(self.signing.thumbprint())

    @property
    def encryption_id(self) -> str:
        return str(self.encryption.thumbprint())

    def public(self) -> dict[str, Any]:
        """What a peer registers: both public keys (no private part) and the name."""
        return {
            "name": settings.EXCHANGE_NAME,
            "signing_key": public_jwk(self.signing),
            "encryption_key": public_jwk(self.encryption),
        }


def public_jwk(key: jwk.ECKey) -> dict[str, Any]:
    return {k: v for k, v in key.as_dict(private=False).items() if k in ("kty", "crv", "x", "y")}


def path() -> Path:
    return Path(settings.EXCHANGE_KEYS_FILE)


def fingerprint(thumbprint: str) -> str:
    """A thumbprint as read out over the phone: groups of four characters."""
    return " ".join(thumbprint[i : i + 4] for i in range(0, len(thumbprint), 4))


def import_public(data: Any, what: str) -> jwk.ECKey:
    """A peer's public key (a JWK as JSON text or a dict); refused when private, not P-256 or malformed."""
    try:
        raw = json.loads(data) if isinstance(data, str) else dict(data)
        if "d" in raw:
            raise ValueError("this is a private key: give only the public part")
        key = jwk.import_key(raw, "EC")
        if key.as_dict(private=False).get("crv") != CURVE:
            raise ValueError(f"the key must be on the {CURVE} curve")
        return key
    except (ValueError, TypeError, KeyError, JoseError) as exc:
        raise ValueError(f"{what}: {exc}") from None


def create() -> bool:
    """Make the two key pairs once into EXCHANGE_KEYS_FILE (0600); False when they exist already."""
    target = path()
    if target.exists():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "signing": jwk.ECKey.generate_key(CURVE, private=True).as_dict(private=True),
        "encryption": jwk.ECKey.generate_key(CURVE, private=True).as_dict(private=True),
    }
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
    load.cache_clear()
    return True


@cache
def load() -> KeyPairs:
    """The key pairs from EXCHANGE_KEYS_FILE; a missing or broken file stops with the setting named."""
    target = path()
    try:
        if target.stat().st_mode & 0o077:
            raise ImproperlyConfigured(
                f"EXCHANGE_KEYS_FILE: {target} can be read by other accounts: chmod 600 {target}"
            )
        data = json.loads(target.read_text(encoding="utf-8"))
        return KeyPairs(
            signing=jwk.import_key(data["signing"], "EC"), encryption=jwk.import_key(data["encryption"], "EC")
        )
    except FileNotFoundError:
        raise ImproperlyConfigured(
            f"EXCHANGE_KEYS_FILE: {target} does not exist; make the keys with: safepassage exchange keys"
        ) from None
    except (ValueError, KeyError, TypeError, JoseError) as exc:
        raise ImproperlyConfigured(f"EXCHANGE_KEYS_FILE: {target} cannot be read: {exc}") from None


def own_signing_id() -> str:
    """This installation's signing key thumbprint, or "" while it has no keys yet."""
    try:
        return load().signing_id
    except ImproperlyConfigured:
        return ""


def reset() -> None:
    load.cache_clear()
