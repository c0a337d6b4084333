"""Recordings after a webinar: a link (the provider's playback, or any URL), an uploaded
file, or those the video service holds, fetched outside any write transaction."""

from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.actors import Actor
from app.core.config import Settings
from app.webinars import providers
from app.webinars.models import Recording
from app.webinars.service.access import editable_webinar, end_transaction_before_network
from app.webinars.service.materials import store_file


def add_recording_link(
    session: Session, actor: Actor, webinar_id: int, url: str, title: str
) -> Recording:
    webinar = editable_webinar(session, actor, webinar_id)
    recording = Recording(session_id=webinar.id, url=url, title=title, created_by_id=actor.user_id)
    session.add(recording)
    session.flush()
    return recording


def add_recording_file(
    session: Session, actor: Actor, settings: Settings, webinar_id: int, stream: IO[bytes],
    name: str, title: str = "",
) -> Recording:  # fmt: skip
    webinar = editable_webinar(session, actor, webinar_id)
    upload = store_file(session, settings, stream, name)
    recording = Recording(
        session_id=webinar.id, title=title or upload.name, name=upload.name,
        sha256=upload.stored.sha256, size=upload.stored.size,
        media_type=upload.stored.media_type, created_by_id=actor.user_id,
    )  # fmt: skip
    session.add(recording)
    session.flush()
    return recording


def fetch_provider_recordings(
    session: Session, actor: Actor, settings: Settings, webinar_id: int
) -> list[Recording]:
    """Ask the video service for this webinar's recordings and attach the new ones."""
    webinar = editable_webinar(session, actor, webinar_id)
    room = providers.Room(webinar.room_name, webinar.title)
    end_transaction_before_network(session)
    found = providers.provider_for(settings, webinar.provider).recordings(room)
    known = set(
        session.scalars(
            select(Recording.provider_record_id).where(Recording.session_id == webinar.id)
        )
    )
    added = [
        Recording(
            session_id=webinar.id, url=one.url, provider_record_id=one.record_id,
            title=webinar.title, created_by_id=actor.user_id,
        )
        for one in found
        if one.record_id not in known
    ]  # fmt: skip
    session.add_all(added)
    session.flush()
    return added
