"""Content storage behind one interface: content-addressed by SHA-256, streamed, size-limited,
type checked by content. Local directory by default; S3-compatible by configuration.

Files and rows live in different places, so they can disagree: content saved by a transaction
that then rolls back is removed again (`save_for_transaction`), and `collect_garbage` (the
`agora storage gc` command) removes whatever no row references, e.g. after a crash."""

import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import IO, Any, Protocol

import filetype
from sqlalchemy import Column, Engine, event, select, union
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, SessionTransaction

from app.core.config import Settings
from app.core.db import Base, sqlite_writes_expected
from app.core.errors import Invalid
from app.core.i18n import N_

log = logging.getLogger("agora.storage")

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
    # This save wrote the content: it was not in the storage before.
    created: bool = False


# `mapped_column(..., info=STORAGE_KEY)` marks a column whose values are storage keys, so that
# garbage collection and rollback clean-up know every reference without importing a domain.
STORAGE_KEY: dict[str, Any] = {"storage_key": True}


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
    """Saving content that is already stored refreshes its modification time: an upload in
    flight thus protects its content from garbage collection and from others' clean-up."""

    def save(self, stream: IO[bytes], name: str, limit: int) -> StoredFile: ...

    def open(self, sha256: str, first: int = 0, length: int | None = None) -> Iterator[bytes]:
        """The content's bytes from `first`, `length` of them (all that follow if None)."""
        ...

    def exists(self, sha256: str) -> bool: ...

    def modified_at(self, sha256: str) -> datetime | None: ...

    def inventory(self) -> Iterator[tuple[str, datetime]]: ...

    def delete(self, sha256: str) -> None: ...


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
            os.utime(target)
            return stored
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(temp, target)
        return StoredFile(stored.sha256, stored.size, stored.media_type, created=True)

    def open(self, sha256: str, first: int = 0, length: int | None = None) -> Iterator[bytes]:
        left = length
        with self._path(sha256).open("rb") as handle:
            handle.seek(first)
            while left is None or left > 0:
                chunk = handle.read(CHUNK if left is None else min(CHUNK, left))
                if not chunk:
                    return
                if left is not None:
                    left -= len(chunk)
                yield chunk

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).exists()

    def modified_at(self, sha256: str) -> datetime | None:
        try:
            return datetime.fromtimestamp(self._path(sha256).stat().st_mtime, UTC)
        except FileNotFoundError:
            return None

    def inventory(self) -> Iterator[tuple[str, datetime]]:
        for path in self.root.glob("??/??/*"):
            if path.is_file() and path.parent.parent.name == path.name[:2]:
                yield path.name, datetime.fromtimestamp(path.stat().st_mtime, UTC)

    def delete(self, sha256: str) -> None:
        self._path(sha256).unlink(missing_ok=True)


class S3Storage:
    """An S3-compatible bucket (AWS, MinIO, Ceph…). Needs `pip install boto3`; credentials come
    from the usual AWS variables. Objects are keyed by SHA-256 like the local store."""

    def __init__(self, settings: Settings) -> None:
        self.bucket = settings.s3_bucket
        self.client = _s3_client(settings.s3_endpoint_url, settings.s3_region)
        self.spool_dir = settings.storage_dir / "tmp"

    def save(self, stream: IO[bytes], name: str, limit: int) -> StoredFile:
        temp, stored = _spool(stream, name, limit, self.spool_dir)
        try:
            if self.exists(stored.sha256):
                self._touch(stored)
                return stored
            self.client.upload_file(
                str(temp), self.bucket, stored.sha256, {"ContentType": stored.media_type}
            )
        finally:
            temp.unlink(missing_ok=True)
        return StoredFile(stored.sha256, stored.size, stored.media_type, created=True)

    def _touch(self, stored: StoredFile) -> None:
        # S3 has no utime: copying an object onto itself renews its LastModified.
        self.client.copy_object(
            Bucket=self.bucket,
            Key=stored.sha256,
            CopySource={"Bucket": self.bucket, "Key": stored.sha256},
            MetadataDirective="REPLACE",
            ContentType=stored.media_type,
        )

    def modified_at(self, sha256: str) -> datetime | None:
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=sha256)
        except Exception:  # botocore's ClientError: absent or not readable
            return None
        modified = head["LastModified"]
        return modified if isinstance(modified, datetime) else None

    def inventory(self) -> Iterator[tuple[str, datetime]]:
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            for item in page.get("Contents", []):
                yield item["Key"], item["LastModified"]

    def delete(self, sha256: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=sha256)

    def open(self, sha256: str, first: int = 0, length: int | None = None) -> Iterator[bytes]:
        if length == 0:
            return
        last = "" if length is None else str(first + length - 1)
        wanted = {"Range": f"bytes={first}-{last}"} if first or length is not None else {}
        body = self.client.get_object(Bucket=self.bucket, Key=sha256, **wanted)["Body"]
        yield from body.iter_chunks(CHUNK)

    def exists(self, sha256: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=sha256)
        except Exception:  # botocore's ClientError: absent or not readable
            return False
        return True


@lru_cache(maxsize=4)
def _s3_client(endpoint_url: str | None, region: str | None) -> Any:
    """One client per process (making one takes a tenth of a second; they are thread-safe)."""
    import boto3

    return boto3.client("s3", endpoint_url=endpoint_url, region_name=region)


def storage_for(settings: Settings) -> Storage:
    if settings.storage_backend == "s3":
        return S3Storage(settings)
    return LocalStorage(settings.storage_dir)


def storage_key_columns() -> list[Column[Any]]:
    """Every column that holds storage keys (marked `info=STORAGE_KEY` by its model)."""
    return [
        column
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if column.info.get("storage_key")
    ]


def _referencing(keys: Iterable[str]) -> Any:
    wanted = list(keys)
    return union(*(select(column).where(column.in_(wanted)) for column in storage_key_columns()))


# Under these keys `session.info` lists the content the session's transaction stored for the
# first time, and what of it a rolled-back savepoint undid (checked when the transaction ends:
# SQL cannot be sent from inside a savepoint's rollback).
_WRITTEN = "agora.storage.written"
_UNDONE = "agora.storage.undone"


@dataclass(frozen=True)
class _Written:
    storage: Storage
    sha256: str
    modified_at: datetime | None
    transaction: SessionTransaction | None


def save_for_transaction(
    session: Session, storage: Storage, stream: IO[bytes], name: str, limit: int
) -> StoredFile:
    """Save content that rows of this transaction will reference. Should the transaction (or
    the savepoint around the save) roll back, the content is removed again, unless a
    committed row references it or someone saved it since."""
    stored = storage.save(stream, name, limit)
    if stored.created:
        transaction = session.get_nested_transaction() or session.get_transaction()
        written = _Written(storage, stored.sha256, storage.modified_at(stored.sha256), transaction)
        session.info.setdefault(_WRITTEN, []).append(written)
    return stored


@event.listens_for(Session, "after_soft_rollback")
def _forget_undone(session: Session, previous_transaction: SessionTransaction) -> None:
    written: list[_Written] = session.info.get(_WRITTEN, [])
    if previous_transaction.nested:
        undone = [w for w in written if _undone_by(w.transaction, previous_transaction)]
        session.info[_WRITTEN] = [w for w in written if w not in undone]
        session.info.setdefault(_UNDONE, []).extend(undone)
        return
    _remove_unreferenced(session, [*session.info.pop(_UNDONE, []), *written])
    session.info.pop(_WRITTEN, None)


@event.listens_for(Session, "after_commit")
def _keep_written(session: Session) -> None:
    # Fired for savepoints too: what they saved stays at stake until the outermost commits.
    if session.get_nested_transaction() is None:
        session.info.pop(_WRITTEN, None)
        _remove_unreferenced(session, session.info.pop(_UNDONE, []))


def _undone_by(transaction: SessionTransaction | None, rolled_back: SessionTransaction) -> bool:
    """Whether rolling back `rolled_back` undoes what was done in `transaction`."""
    current = transaction
    while current is not None:
        if current is rolled_back:
            return True
        current = current.parent
    return False


def _remove_unreferenced(session: Session, undone: list[_Written]) -> None:
    """Delete what rolled back, unless a committed row references it or it was saved again
    since (by a transaction that may yet commit a reference)."""
    if not undone:
        return
    try:
        referenced = _still_referenced(session, {w.sha256 for w in undone})
    except SQLAlchemyError:
        # The database is what failed: leave the files to `agora storage gc`.
        log.warning("rolled back; %d stored file(s) left for storage gc", len(undone))
        return
    for item in undone:
        unchanged = item.storage.modified_at(item.sha256) == item.modified_at
        if item.sha256 not in referenced and unchanged:
            item.storage.delete(item.sha256)


def _still_referenced(session: Session, keys: set[str]) -> set[str]:
    """The keys that committed rows reference, read on a connection of its own (the
    session's transaction has just ended)."""
    statement = _referencing(keys)
    bind = session.get_bind()
    reset = sqlite_writes_expected.set(False)
    try:
        if isinstance(bind, Engine):
            with bind.connect() as connection:
                return set(connection.execute(statement).scalars())
        return set(bind.execute(statement).scalars())
    finally:
        sqlite_writes_expected.reset(reset)


def collect_garbage(
    session: Session, storage: Storage, older_than: timedelta, *, dry_run: bool = False
) -> list[str]:
    """Delete stored content that no row references and that nobody saved within
    `older_than` (an upload still in flight is not yet referenced). The keys, sorted."""
    referenced: set[str] = set()
    for column in storage_key_columns():
        referenced.update(session.scalars(select(column).where(column.is_not(None)).distinct()))
    cutoff = datetime.now(UTC) - older_than
    orphans = sorted(
        key for key, at in storage.inventory() if key not in referenced and at < cutoff
    )
    removed = []
    for key in orphans:
        modified_at = storage.modified_at(key)  # again: saved since the listing?
        if modified_at is None or modified_at >= cutoff:
            continue
        if not dry_run:
            storage.delete(key)
        removed.append(key)
    return removed
