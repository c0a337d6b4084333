"""Files of a webinar: materials (slides, reading) and the files behind uploaded recordings,
kept in the course content storage by their SHA-256."""

from dataclasses import dataclass
from enum import StrEnum
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.actors import Actor
from app.core.config import Settings
from app.core.errors import NotFound
from app.core.i18n import N_
from app.core.storage import StoredFile, safe_file_name, save_for_transaction, storage_for
from app.webinars.models import Material, Recording
from app.webinars.service.access import editable_webinar, visible_webinar


class FileKind(StrEnum):
    MATERIALS = "materials"
    RECORDINGS = "recordings"


@dataclass(frozen=True)
class NamedFile:
    name: str
    stored: StoredFile


@dataclass(frozen=True)
class DownloadableFile:
    name: str
    sha256: str
    size: int
    media_type: str


def store_file(session: Session, settings: Settings, stream: IO[bytes], name: str) -> NamedFile:
    """Stored now, and removed again if the transaction rolls back."""
    file_name = safe_file_name(name)
    storage = storage_for(settings)
    stored = save_for_transaction(session, storage, stream, file_name, settings.max_upload_bytes)
    return NamedFile(file_name, stored)


def add_material(
    session: Session, actor: Actor, settings: Settings, webinar_id: int, stream: IO[bytes],
    name: str,
) -> Material:  # fmt: skip
    """A file for the webinar (slides, reading); one of the same name is replaced."""
    webinar = editable_webinar(session, actor, webinar_id)
    upload = store_file(session, settings, stream, name)
    material = session.scalar(
        select(Material).where(Material.session_id == webinar.id, Material.name == upload.name)
    ) or Material(session_id=webinar.id, name=upload.name)
    material.sha256, material.size = upload.stored.sha256, upload.stored.size
    material.media_type = upload.stored.media_type
    session.add(material)
    session.flush()
    return material


def stored_file(
    session: Session, actor: Actor, webinar_id: int, kind: FileKind, file_id: int
) -> DownloadableFile:
    """A material or an uploaded recording, for the course's participants."""
    webinar = visible_webinar(session, actor, webinar_id).webinar
    found: Material | Recording | None = (
        session.get(Material, file_id)
        if kind is FileKind.MATERIALS
        else session.get(Recording, file_id)
    )
    if found is None or found.session_id != webinar.id or not found.sha256 or not found.name:
        raise NotFound(N_("No such file."))
    media_type = found.media_type or "application/octet-stream"
    return DownloadableFile(found.name, found.sha256, found.size or 0, media_type)
