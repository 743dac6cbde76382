"""Encryption at rest: sensitive fields and private files sealed under keys kept outside the database.

Values are sealed with AES-256-GCM (the `cryptography` package's AESGCM, an authenticated cipher: a changed
byte is refused, never read as something else) under the first of `ENCRYPTION_KEYS`; the others are older
keys still read, so a key can be rotated (`safepassage keys rotate`). A sealed text names the key that sealed
it by a short key id, so rotation knows what is left to do and a missing key is named at start-up.

ID numbers also get a blind index: an HMAC-SHA256 of the normalised number under `BLIND_INDEX_KEY` (a key of
its own), which every look-up by number uses, since the sealed numbers cannot be compared.

Keys come from the settings (docs/configuration.md); see docs/operations.md, "Encryption at rest".
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from functools import cache, cached_property

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from safepassage.core.env import EnvError

PREFIX = "sp1$"  # a sealed text: PREFIX, key id, "$", base64url(nonce + ciphertext + tag)
FILE_MAGIC = b"SPENC1\n"  # a sealed file: FILE_MAGIC, key id (8 ASCII), then sealed chunks
KEY_BYTES = 32
NONCE_BYTES = 12
KID_CHARS = 8
FILE_CHUNK = 1 << 20  # files are sealed in chunks of this many bytes, each with its own nonce and tag


class DecryptionError(Exception):
    """A sealed value that no configured key opens (tampered with, or sealed under a key not given)."""


def parse_key(setting: str, text: str) -> bytes:
    """One key: 32 random bytes in base64 (standard or URL-safe alphabet, as `openssl rand -base64 32` or
    Fernet's generator write them)."""
    raw = text.strip()
    try:
        key = base64.b64decode(raw.replace("-", "+").replace("_", "/") + "=" * (-len(raw) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise EnvError(setting, "a key is not base64 text (make one with: openssl rand -base64 32)") from None
    if len(key) != KEY_BYTES:
        raise EnvError(
            setting, f"a key must be {KEY_BYTES} bytes in base64 (make one with: openssl rand -base64 32)"
        )
    return key


def parse_keys(setting: str, text: str) -> list[bytes]:
    """Keys separated by commas or new lines, the newest (the one that seals) first."""
    parts = [p for p in re.split(r"[\s,]+", text or "") if p]
    if not parts:
        raise EnvError(setting, "no key given")
    keys = [parse_key(setting, part) for part in parts]
    if len(set(keys)) != len(keys):
        raise EnvError(setting, "the same key is given twice")
    return keys


def key_id(key: bytes) -> str:
    """A short public name for a key (never the key): what sealed values and the key records carry."""
    return hashlib.sha256(b"safepassage key id\0" + key).hexdigest()[:KID_CHARS]


def new_key_text() -> str:
    return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")


@dataclass(frozen=True)
class Keyring:
    """The encryption keys (newest first) and the blind-index key."""

    keys: tuple[bytes, ...]
    blind_key: bytes

    @cached_property
    def primary_id(self) -> str:
        return key_id(self.keys[0])

    @cached_property
    def ids(self) -> tuple[str, ...]:
        return tuple(key_id(k) for k in self.keys)


@cache
def keyring() -> Keyring:
    from django.conf import settings

    keys = tuple(getattr(settings, "ENCRYPTION_KEYS", ()) or ())
    blind = getattr(settings, "BLIND_INDEX_KEY", b"")
    if not keys:
        raise EnvError("ENCRYPTION_KEYS", "not set")
    if not blind:
        raise EnvError("BLIND_INDEX_KEY", "not set")
    if blind in keys:
        raise EnvError("BLIND_INDEX_KEY", "must not be one of ENCRYPTION_KEYS")
    return Keyring(keys=keys, blind_key=blind)


@cache
def _ciphers() -> dict[str, AESGCM]:
    return {key_id(k): AESGCM(k) for k in keyring().keys}


def reset() -> None:
    """Forget the keys read (after the settings changed: tests, `keys rotate`)."""
    keyring.cache_clear()
    _ciphers.cache_clear()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def sealed_key_id(value: str) -> str:
    """The id of the key that sealed a value."""
    return value[len(PREFIX) : len(PREFIX) + KID_CHARS]


def seal(text: str) -> str:
    """Text sealed under the newest key; the empty text stays empty (an empty field says nothing)."""
    if text == "":
        return ""
    kid = keyring().primary_id
    nonce = os.urandom(NONCE_BYTES)
    sealed = _ciphers()[kid].encrypt(nonce, text.encode("utf-8"), None)
    return f"{PREFIX}{kid}${_b64(nonce + sealed)}"


def unseal(value: str) -> str:
    """The text of a sealed value. A value that is not sealed (written before encryption was turned on,
    and not yet converted by the migration) is returned as it is."""
    if not value.startswith(PREFIX):
        return value
    kid = sealed_key_id(value)
    cipher = _ciphers().get(kid)
    if cipher is None:
        raise DecryptionError(f"sealed under key {kid}, which is not among ENCRYPTION_KEYS")
    try:
        raw = _unb64(value[len(PREFIX) + KID_CHARS + 1 :])
        return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None).decode("utf-8")
    except (InvalidTag, ValueError, binascii.Error):
        raise DecryptionError(f"a value sealed under key {kid} does not open: changed or damaged") from None


def normalise_id_number(value: str) -> str:
    """An ID number as look-ups compare it: no spaces, dashes or dots, upper case (as the registry's
    clean_national_id writes a Thai number: its 13 digits)."""
    return re.sub(r"[\s\-./]", "", value or "").upper()


def blind_index(value: str) -> str:
    """The keyed hash every look-up by ID number uses; empty for no number."""
    normal = normalise_id_number(value)
    if not normal:
        return ""
    return hmac.digest(keyring().blind_key, normal.encode("utf-8"), "sha256").hex()[:32]


# Files ------------------------------------------------------------------------------------------------


def is_sealed_bytes(head: bytes) -> bool:
    """Whether a file's first bytes are those of a sealed file (core.files)."""
    return head.startswith(FILE_MAGIC)


# Start-up check ---------------------------------------------------------------------------------------

PROOF = "SafePassage key check"


def check_keys(*, record: bool = True) -> None:
    """Refuse to go on (EnvError naming the setting) when the database's sealed values were made with a key
    that is not given, or ID numbers indexed under another BLIND_INDEX_KEY; then (record=True) note the
    current keys. Nothing to check before the first migration."""
    from django.db import DatabaseError, transaction

    from safepassage.core.models import KeyRecord

    ring = keyring()
    try:
        rows = list(KeyRecord.objects.all())
    except DatabaseError:
        return  # not migrated yet
    for row in rows:
        if row.purpose == KeyRecord.Purpose.BLIND:
            if row.proof != blind_index(PROOF):
                raise EnvError(
                    "BLIND_INDEX_KEY",
                    "is not the key this database's ID numbers were indexed with (a wrong or missing key)",
                )
            continue
        if row.key_id not in ring.ids:
            raise EnvError(
                "ENCRYPTION_KEYS",
                f"this database holds values sealed under key {row.key_id}, which is not among the keys "
                f"given ({', '.join(ring.ids)}): a wrong or missing key",
            )
        try:
            opened = unseal(row.proof)
        except DecryptionError:
            opened = ""
        if opened != PROOF:
            raise EnvError("ENCRYPTION_KEYS", f"key {row.key_id} does not open this database's values")
    if record:
        with transaction.atomic():
            if not any(r.purpose == KeyRecord.Purpose.DATA and r.key_id == ring.primary_id for r in rows):
                KeyRecord.objects.get_or_create(
                    purpose=KeyRecord.Purpose.DATA, key_id=ring.primary_id, defaults={"proof": seal(PROOF)}
                )
            if not any(r.purpose == KeyRecord.Purpose.BLIND for r in rows):
                KeyRecord.objects.get_or_create(
                    purpose=KeyRecord.Purpose.BLIND,
                    key_id=key_id(ring.blind_key),
                    defaults={"proof": blind_index(PROOF)},
                )
