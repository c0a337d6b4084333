"""Content storage behind one interface: content-addressed by SHA-256, streamed, size-limited,
type checked by content. Local directory by default; S3-compatible by configuration."""

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Protocol

import filetype

from app.core.config import Settings
from app.core.errors import Invalid
from app.core.i18n import N_

CHUNK = 64 * 1024
# Never accepted, whatever the name says: programs and scripts.
REFUSED_TYPES = frozenset(
    {
        "application/x-executable",
        "application/x-msdownload",
        "application/x-elf",
        "application/x-mach-binary",
        "application/x-sh",
        "application/vnd.microsoft.portable-executable",
    }
)
# Shown in the browser when asked; anything else (HTML, SVG, unknown) is only downloaded.
INLINE_TYPES = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "video/mp4",
        "video/webm",
        "audio/mpeg",
        "audio/ogg",
        "text/plain",
    }
)
TEXT_EXTENSIONS = {
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".csv": "text/csv",
    ".html": "text/html",
    ".htm": "text/html",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".yaml": "application/x-yaml",
}
# Zip-based office documents are detected as their own types by `filetype`.
ZIP_BASED = {".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".epub", ".zip"}


class FileTooLarge(Invalid):
    code = "file_too_large"
    title = N_("The file is larger than allowed.")


class FileTypeRefused(Invalid):
    code = "file_type_refused"
    title = N_("This type of file is not accepted, or its content does not match its name.")


class UnsafeFileName(Invalid):
    code = "unsafe_file_name"
    title = N_("The file name is not acceptable.")


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    media_type: str


def safe_file_name(name: str) -> str:
    """A plain file name: no folders, no `..`, no control characters, not hidden."""
    candidate = PurePosixPath(name.replace("\\", "/")).name
    if (
        not candidate
        or candidate != name.replace("\\", "/").split("/")[-1]
        or "/" in name
        or "\\" in name
        or candidate.startswith(".")
        or any(ord(ch) < 32 for ch in candidate)
        or len(candidate) > 255
    ):
        raise UnsafeFileName(f"Not a plain file name: {name!r}.", field="file")
    return candidate


def sniff_media_type(head: bytes, name: str) -> str:
    """The type the content shows, checked against the name's extension."""
    extension = PurePosixPath(name).suffix.lower()
    kind = filetype.guess(head)
    if kind is not None:
        detected = str(kind.mime)
        if detected in REFUSED_TYPES:
            raise FileTypeRefused(field="file")
        claimed = filetype.get_type(ext=extension.lstrip(".")) if extension else None
        if claimed is not None and claimed.mime != detected and extension not in ZIP_BASED:
            raise FileTypeRefused(
                f"{name!r} contains {detected}, not what its name says.", field="file"
            )
        return detected
    if head.startswith((b"#!", b"MZ", b"\x7fELF")):
        raise FileTypeRefused(field="file")
    if extension and filetype.get_type(ext=extension.lstrip(".")) is not None:
        # The name promises a binary format (.pdf, .png, .mp4…) that the content is not.
        raise FileTypeRefused(f"{name!r} does not contain what its name says.", field="file")
    if _looks_like_text(head):
        return TEXT_EXTENSIONS.get(extension, "text/plain")
    if extension in TEXT_EXTENSIONS:
        raise FileTypeRefused(f"{name!r} does not contain what its name says.", field="file")
    return "application/octet-stream"


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        return exc.start >= len(head) - 3
    return True


class Storage(Protocol):
    def save(self, stream: IO[bytes], name: str, limit: int) -> StoredFile: ...

    def open(self, sha256: str) -> Iterator[bytes]: ...

    def exists(self, sha256: str) -> bool: ...


def _spool(stream: IO[bytes], name: str, limit: int, directory: Path) -> tuple[Path, StoredFile]:
    """Copy a stream to a temporary file chunk by chunk, hashing and counting as it goes."""
    directory.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    head = b""
    handle, temp_name = tempfile.mkstemp(dir=directory, prefix=".upload-")
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise FileTooLarge(f"{name!r} is larger than {limit} bytes.", field="file")
                if len(head) < 8192:
                    head += chunk[: 8192 - len(head)]
                digest.update(chunk)
                out.write(chunk)
        media_type = sniff_media_type(head, name)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp, StoredFile(digest.hexdigest(), size, media_type)


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def save(self, stream: IO[bytes], name: str, limit: int) -> StoredFile:
        temp, stored = _spool(stream, name, limit, self.root / "tmp")
        target = self._path(stored.sha256)
        if target.exists():
            temp.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(temp, target)
        return stored

    def open(self, sha256: str) -> Iterator[bytes]:
        with self._path(sha256).open("rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).exists()


class S3Storage:
    """An S3-compatible bucket (AWS, MinIO, Ceph…). Needs `pip install boto3`; credentials come
    from the usual AWS variables. Objects are keyed by SHA-256 like the local store."""

    def __init__(self, settings: Settings) -> None:
        import boto3

        self.bucket = settings.s3_bucket
        self.client = boto3.client(
            "s3", endpoint_url=settings.s3_endpoint_url, region_name=settings.s3_region
        )
        self.spool_dir = settings.storage_dir / "tmp"

    def save(self, stream: IO[bytes], name: str, limit: int) -> StoredFile:
        temp, stored = _spool(stream, name, limit, self.spool_dir)
        try:
            if not self.exists(stored.sha256):
                self.client.upload_file(
                    str(temp), self.bucket, stored.sha256, {"ContentType": stored.media_type}
                )
        finally:
            temp.unlink(missing_ok=True)
        return stored

    def open(self, sha256: str) -> Iterator[bytes]:
        body = self.client.get_object(Bucket=self.bucket, Key=sha256)["Body"]
        yield from body.iter_chunks(CHUNK)

    def exists(self, sha256: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=sha256)
        except Exception:  # botocore's ClientError: absent or not readable
            return False
        return True


def storage_for(settings: Settings) -> Storage:
    if settings.storage_backend == "s3":
        return S3Storage(settings)
    return LocalStorage(settings.storage_dir)
