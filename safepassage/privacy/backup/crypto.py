"""The backup file's encryption: AES-256-GCM over 1 MiB chunks (the STREAM construction), so a backup of
any size is written and read without holding it in memory.

A file is a 49-byte header, then the chunks. The header names the format version, how the key is made (a
32-byte `BACKUP_KEY`, or a passphrase through scrypt, with its cost), a random salt and the chunk size, and
ends with a key check (a GCM tag over the header) so a wrong key is told apart from a damaged file. Each
chunk is sealed under a key made for this file alone (HKDF or scrypt over the salt), with its number and a
last-chunk flag in the nonce and the header as associated data: a chunk changed, moved, dropped or cut off
at the end, or a header changed, is refused.
"""

from __future__ import annotations

import base64
import binascii
import os
import struct
from dataclasses import dataclass
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from safepassage.core.env import Env, EnvError

MAGIC = b"SPBACKUP"
VERSION = 1
KDF_KEY = 1
KDF_SCRYPT = 2
CHUNK = 1 << 20
TAG = 16
# scrypt cost: 2**17 × 8 × 128 bytes = 128 MiB of memory and about a second, per backup (not per chunk)
SCRYPT_LOG2_N = 17
SCRYPT_R = 8
SCRYPT_P = 1
_HEAD = struct.Struct(">8sBBBBB16sI")  # magic, version, kdf, log2 n, r, p, salt, chunk size
HEADER_SIZE = _HEAD.size + TAG
MIN_PASSPHRASE = 16


class BackupError(Exception):
    """A backup cannot be made or read; the message says why, in words for the person running it."""


class KeyProblem(BackupError):
    """The backup key or passphrase is missing, unusable or does not open this file; names the setting."""

    def __init__(self, setting: str, reason: str) -> None:
        super().__init__(f"{setting}: {reason}")
        self.setting = setting


@dataclass(frozen=True)
class Secret:
    """What opens backups: a 32-byte key, or a passphrase; `setting` is where it came from."""

    key: bytes | None
    passphrase: bytes | None
    setting: str


def secret_from(env: Env | None = None, *, passphrase_file: str | None = None) -> Secret:
    """The backup key from `--passphrase-file`, `BACKUP_KEY` (base64; `BACKUP_KEY_FILE`) or
    `BACKUP_PASSPHRASE` (`BACKUP_PASSPHRASE_FILE`). Never the database's or anything's else key."""
    env = env or Env()
    if passphrase_file:
        try:
            with open(passphrase_file, "rb") as handle:
                phrase = handle.read().strip()
        except OSError as exc:
            reason = f"cannot read {passphrase_file!r} ({exc.strerror})"
            raise KeyProblem("--passphrase-file", reason) from exc
        if not phrase:
            raise KeyProblem("--passphrase-file", f"{passphrase_file!r} is empty")
        return Secret(None, phrase, "--passphrase-file")
    try:
        raw_key = env.text("BACKUP_KEY").strip()
        phrase_text = env.text("BACKUP_PASSPHRASE").strip()
    except EnvError as exc:
        raise KeyProblem(exc.name, str(exc).split(": ", 1)[-1]) from exc
    if raw_key and phrase_text:
        raise KeyProblem("BACKUP_KEY", "set BACKUP_KEY or BACKUP_PASSPHRASE, not both")
    if raw_key:
        try:
            key = base64.b64decode(raw_key, validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if len(key) != 32:
            raise KeyProblem(
                "BACKUP_KEY",
                "must be 32 random bytes in base64 (make one with: openssl rand -base64 32)",
            )
        others = {item.strip() for item in env.text("ENCRYPTION_KEYS").split(",") if item.strip()}
        if raw_key in others:
            raise KeyProblem("BACKUP_KEY", "must not be one of ENCRYPTION_KEYS: keep the two apart")
        return Secret(key, None, "BACKUP_KEY")
    if phrase_text:
        return Secret(None, phrase_text.encode("utf-8"), "BACKUP_PASSPHRASE")
    raise KeyProblem("BACKUP_KEY", "not set: set BACKUP_KEY (or BACKUP_PASSPHRASE, or use --passphrase-file)")


def _file_key(secret: Secret, kdf: int, log2_n: int, r: int, p: int, salt: bytes) -> bytes:
    if kdf == KDF_KEY:
        if secret.key is None:
            raise KeyProblem("BACKUP_KEY", "this backup was made with BACKUP_KEY; set it to restore")
        info = b"SafePassage backup v1"
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(secret.key)
    if secret.passphrase is None:
        raise KeyProblem(
            "BACKUP_PASSPHRASE", "this backup was made with a passphrase; set it or use --passphrase-file"
        )
    if not (10 <= log2_n <= 22 and 1 <= r <= 32 and 1 <= p <= 16):
        raise BackupError("this is not a SafePassage backup, or its header was damaged")
    return Scrypt(salt=salt, length=32, n=2**log2_n, r=r, p=p).derive(secret.passphrase)


def _nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


_KEY_CHECK_NONCE = b"\xff" * 12


class EncryptingWriter:
    """A write-only file object: what is written goes out sealed, chunk by chunk, to `sink`."""

    def __init__(self, sink: IO[bytes], secret: Secret) -> None:
        if secret.key is None and len(secret.passphrase or b"") < MIN_PASSPHRASE:
            raise KeyProblem(secret.setting, f"must be at least {MIN_PASSPHRASE} characters long")
        salt = os.urandom(16)
        kdf = KDF_KEY if secret.key is not None else KDF_SCRYPT
        head = _HEAD.pack(MAGIC, VERSION, kdf, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P, salt, CHUNK)
        self._aead = AESGCM(_file_key(secret, kdf, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P, salt))
        self._header = head + self._aead.encrypt(_KEY_CHECK_NONCE, b"", head)
        self._sink = sink
        self._sink.write(self._header)
        self._buffer = bytearray()
        self._counter = 0
        self.closed = False

    def write(self, data: bytes) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK:  # a full chunk is sealed only once more is known to follow
            self._seal(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _seal(self, plain: bytes, *, last: bool) -> None:
        self._sink.write(self._aead.encrypt(_nonce(self._counter, last), plain, self._header))
        self._counter += 1

    def close(self) -> None:
        """Seal what is left as the last chunk (the sink stays open)."""
        if not self.closed:
            self._seal(bytes(self._buffer), last=True)
            self._buffer.clear()
            self.closed = True


class DecryptingReader:
    """A read-only file object over a sealed backup: gives clear text only from chunks proven unchanged."""

    def __init__(self, source: IO[bytes], secret: Secret) -> None:
        header = source.read(HEADER_SIZE)
        if len(header) < HEADER_SIZE or not header.startswith(MAGIC):
            raise BackupError("this is not a SafePassage backup (or it was cut off at the start)")
        _magic, version, kdf, log2_n, r, p, salt, chunk = _HEAD.unpack(header[: _HEAD.size])
        if version != VERSION:
            raise BackupError(f"this backup's format ({version}) is not one this SafePassage reads")
        if kdf not in (KDF_KEY, KDF_SCRYPT) or not 0 < chunk <= 64 * CHUNK:
            raise BackupError("this is not a SafePassage backup, or its header was damaged")
        self.kdf = kdf
        self._aead = AESGCM(_file_key(secret, kdf, log2_n, r, p, salt))
        head = header[: _HEAD.size]
        try:
            self._aead.decrypt(_KEY_CHECK_NONCE, header[_HEAD.size :], head)
        except InvalidTag:
            setting = secret.setting
            raise KeyProblem(
                setting, "does not open this backup (a different key or passphrase, or a changed header)"
            ) from None
        self._header = header
        self._source = source
        self._sealed = chunk + TAG
        self._counter = 0
        self._pending = self._read_sealed()
        self._plain = b""
        self._pos = 0
        self._done = False

    def _read_sealed(self) -> bytes:
        parts = bytearray()
        while len(parts) < self._sealed:
            part = self._source.read(self._sealed - len(parts))
            if not part:
                break
            parts += part
        return bytes(parts)

    def _next(self) -> None:
        sealed = self._pending
        following = self._read_sealed() if len(sealed) == self._sealed else b""
        last = not following
        if len(sealed) < TAG:
            raise BackupError("this backup was cut off (it ends before its last part)")
        try:
            self._plain = self._aead.decrypt(_nonce(self._counter, last), sealed, self._header)
            self._pos = 0
        except InvalidTag:
            where = HEADER_SIZE + self._counter * self._sealed
            raise BackupError(
                f"this backup was changed or damaged, or cut off (at byte {where}); it cannot be used"
            ) from None
        self._counter += 1
        self._pending = following
        self._done = last

    def read(self, size: int = -1) -> bytes:
        out = bytearray()
        while size < 0 or len(out) < size:
            left = len(self._plain) - self._pos
            if not left:
                if self._done:
                    break
                self._next()
                continue
            take = left if size < 0 else min(size - len(out), left)
            out += self._plain[self._pos : self._pos + take]
            self._pos += take
        return bytes(out)
