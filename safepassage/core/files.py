"""Private files sealed on disk (attachments, imported files): written through SealedWriter, read back through
a seekable SealedReader (spreadsheets are zip files, read by seeking), never as clear text on disk.

A sealed file is FILE_MAGIC, the sealing key's id, then the clear bytes in chunks of FILE_CHUNK, each sealed
with AES-GCM under its own nonce, its length first; the last chunk is sealed as the last, so a file cut short
is refused rather than read as a shorter file. Files stored before encryption was turned on (no FILE_MAGIC)
are read as they are.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.utils.translation import gettext as _

from safepassage.core import crypto

LEN_BYTES = 4
OVERHEAD = LEN_BYTES + crypto.NONCE_BYTES + 16  # per chunk: length, nonce, tag
HEADER = len(crypto.FILE_MAGIC) + crypto.KID_CHARS


class SealedWriter(io.RawIOBase):
    """Writes clear bytes sealed into `target` (an open binary file) chunk by chunk; close() ends it."""

    def __init__(self, target: IO[bytes]) -> None:
        super().__init__()
        self.target = target
        self.kid = crypto.keyring().primary_id
        self.cipher = crypto._ciphers()[self.kid]
        self.buffer = bytearray()
        self.size = 0
        target.write(crypto.FILE_MAGIC + self.kid.encode("ascii"))

    def writable(self) -> bool:
        return True

    def _chunk(self, data: bytes, last: bool) -> None:
        nonce = os.urandom(crypto.NONCE_BYTES)
        sealed = self.cipher.encrypt(nonce, data, b"last" if last else b"more")
        self.target.write(len(sealed).to_bytes(LEN_BYTES, "big") + nonce + sealed)

    def write(self, data: Any) -> int:
        view = bytes(data)
        self.buffer.extend(view)
        self.size += len(view)
        # keep at least one byte back: the chunk that turns out to be the last is sealed as such by close()
        while len(self.buffer) > crypto.FILE_CHUNK:
            self._chunk(bytes(self.buffer[: crypto.FILE_CHUNK]), last=False)
            del self.buffer[: crypto.FILE_CHUNK]
        return len(view)

    def close(self) -> None:
        if not self.closed:
            self._chunk(bytes(self.buffer), last=True)
            self.buffer.clear()
            self.target.close()
        super().close()


class SealedReader(io.RawIOBase):
    """The clear bytes of a sealed file, seekable (chunks are all FILE_CHUNK long but the last)."""

    def __init__(self, source: IO[bytes]) -> None:
        super().__init__()
        self.source = source
        source.seek(0)
        head = source.read(HEADER)
        if not head.startswith(crypto.FILE_MAGIC):
            raise crypto.DecryptionError("not a sealed file")
        self.kid = head[len(crypto.FILE_MAGIC) :].decode("ascii", "replace")
        cipher = crypto._ciphers().get(self.kid)
        if cipher is None:
            raise crypto.DecryptionError(
                f"file sealed under key {self.kid}, which is not among ENCRYPTION_KEYS"
            )
        self.cipher = cipher
        total = source.seek(0, io.SEEK_END)
        record = crypto.FILE_CHUNK + OVERHEAD
        self.chunks = max(-(-(total - HEADER) // record), 1)
        # every chunk but the last is whole: the last one's own length must end the file exactly
        last = HEADER + (self.chunks - 1) * record
        source.seek(last)
        size = int.from_bytes(source.read(LEN_BYTES), "big")
        if total - HEADER < OVERHEAD or last + LEN_BYTES + crypto.NONCE_BYTES + size != total:
            raise crypto.DecryptionError("a sealed file is cut short")
        self.length = (
            (self.chunks - 1) * crypto.FILE_CHUNK + size - (OVERHEAD - LEN_BYTES - crypto.NONCE_BYTES)
        )
        self.position = 0
        self.cached: tuple[int, bytes] | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def _load(self, index: int) -> bytes:
        if self.cached is not None and self.cached[0] == index:
            return self.cached[1]
        self.source.seek(HEADER + index * (crypto.FILE_CHUNK + OVERHEAD))
        size = int.from_bytes(self.source.read(LEN_BYTES), "big")
        nonce = self.source.read(crypto.NONCE_BYTES)
        body = self.source.read(size)
        last = index == self.chunks - 1
        try:
            data = self.cipher.decrypt(nonce, body, b"last" if last else b"more")
        except Exception:
            raise crypto.DecryptionError(
                "a sealed file does not open: changed, damaged or cut short"
            ) from None
        self.cached = (index, data)
        return data

    def readinto(self, buffer: Any) -> int:
        if self.position >= self.length:
            return 0
        index, offset = divmod(self.position, crypto.FILE_CHUNK)
        data = self._load(index)[offset : offset + len(buffer)]
        buffer[: len(data)] = data
        self.position += len(data)
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.length}[whence]
        self.position = max(base + offset, 0)
        return self.position

    def tell(self) -> int:
        return self.position

    def close(self) -> None:
        if not self.closed:
            self.source.close()
        super().close()


def is_sealed_file(path: Path) -> bool:
    with path.open("rb") as handle:
        return crypto.is_sealed_bytes(handle.read(len(crypto.FILE_MAGIC)))


def file_key_id(path: Path) -> str | None:
    """The id of the key a private file is sealed under; None for a clear file."""
    with path.open("rb") as handle:
        head = handle.read(HEADER)
    if not crypto.is_sealed_bytes(head):
        return None
    return head[len(crypto.FILE_MAGIC) :].decode("ascii", "replace")


def open_private(path: Path) -> IO[bytes]:
    """A private file's clear bytes, buffered and seekable (a file stored before encryption: as it is)."""
    handle = path.open("rb")
    if not crypto.is_sealed_bytes(handle.read(len(crypto.FILE_MAGIC))):
        handle.seek(0)
        return handle
    return io.BufferedReader(SealedReader(handle), buffer_size=1 << 16)


def clear_size(path: Path) -> int:
    """How many clear bytes a private file holds."""
    if not is_sealed_file(path):
        return path.stat().st_size
    with SealedReader(path.open("rb")) as reader:
        return reader.length


def write_private(path: Path) -> SealedWriter:
    """A new private file (mode 0600) written sealed; close it to finish the file."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return SealedWriter(os.fdopen(fd, "wb"))


def reseal_file(path: Path) -> bool:
    """Re-seal a private file under the newest key (`keys rotate`); a clear one is sealed. False when the
    file already was under the newest key. Written beside it and renamed over it: never half a file."""
    if file_key_id(path) == crypto.keyring().primary_id:
        return False
    temporary = path.with_name(f".{path.name}.rotating")
    temporary.unlink(missing_ok=True)
    with open_private(path) as source, write_private(temporary) as out:
        while chunk := source.read(crypto.FILE_CHUNK):
            out.write(chunk)
    os.replace(temporary, path)
    return True


class SealedStorage(FileSystemStorage):
    """The default storage (attachments under MEDIA_ROOT): what is saved is sealed, what is opened clear."""

    def _save(self, name: str, content: Any) -> str:
        name = self.get_available_name(name)
        full = Path(self.path(name))
        full.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if hasattr(content, "seek"):
            content.seek(0)
        with write_private(full) as out:
            for chunk in content.chunks() if hasattr(content, "chunks") else [content.read()]:
                out.write(chunk)
        return str(name).replace("\\", "/")

    def _open(self, name: str, mode: str = "rb") -> File:
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("private files are written through save(), sealed")
        return File(open_private(Path(self.path(name))), name)

    def size(self, name: str) -> int:
        return clear_size(Path(self.path(name)))


# Attachments kept with a record (an observation of a workplace, a village's findings): photos and PDFs.
ATTACHMENT_TYPES = {"image/jpeg", "image/png", "image/webp", "application/pdf"}
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
_SIGNATURES = {
    "image/jpeg": b"\xff\xd8",
    "image/png": b"\x89PNG",
    "application/pdf": b"%PDF",
    "image/webp": b"RIFF",
}


def check_attachment(upload: Any) -> str:
    """An uploaded attachment's content type, once it is a photo (JPEG, PNG, WebP) or a PDF of at most
    10 MB whose first bytes match its type; else a ValidationError on "file"."""
    content_type = getattr(upload, "content_type", "") or ""
    if content_type not in ATTACHMENT_TYPES:
        raise ValidationError({"file": _("Attach a photo (JPEG, PNG, WebP) or a PDF.")})
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError({"file": _("The file is larger than 10 MB.")})
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(_SIGNATURES[content_type]):
        raise ValidationError({"file": _("The file's content does not match its type.")})
    return content_type
