"""Storing and listing the files of posts, for the services that check who may: at most
five a post, each size-limited and its type read from its bytes as every upload."""

from collections.abc import Sequence
from typing import IO

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.errors import Invalid
from app.core.i18n import N_
from app.courses.service.content import drop_unused_contents, store_upload
from app.forums.models import ForumPost, ForumPostFile

MAX_FILES = 5
Upload = tuple[IO[bytes], str]  # the stream and the name the person gave


class TooManyFiles(Invalid):
    code = "too_many_files"
    title = N_("A post takes at most five files.")


def attach(
    session: Session, settings: Settings, post: ForumPost, uploads: Sequence[Upload]
) -> None:
    """Store the uploads with the post (callers have checked it is the author's to change); a
    file of the same name replaces the earlier one."""
    if not uploads:
        return
    existing = {f.name: f for f in session.scalars(
        select(ForumPostFile).where(ForumPostFile.post_id == post.id)
    )}  # fmt: skip
    for stream, name in uploads:
        content, file_name = store_upload(session, settings, stream, name)
        if file_name in existing:
            existing[file_name].content_file_id = content.id
            continue
        if len(existing) >= MAX_FILES:
            raise TooManyFiles(field="files")
        added = ForumPostFile(post_id=post.id, content_file_id=content.id, name=file_name,
                              position=len(existing))  # fmt: skip
        session.add(added)
        existing[file_name] = added
    session.flush()


def file_names(session: Session, post_ids: Sequence[int]) -> dict[int, list[str]]:
    """The names of each post's files, in the order they were added (one statement)."""
    names: dict[int, list[str]] = {}
    if not post_ids:
        return names
    rows = session.execute(
        select(ForumPostFile.post_id, ForumPostFile.name)
        .where(ForumPostFile.post_id.in_(post_ids))
        .order_by(ForumPostFile.post_id, ForumPostFile.position)
    )
    for post_id, name in rows:
        names.setdefault(post_id, []).append(name)
    return names


def drop_files(session: Session, post: ForumPost) -> None:
    """A deleted post keeps no file."""
    contents = list(session.scalars(
        select(ForumPostFile.content_file_id).where(ForumPostFile.post_id == post.id)
    ))  # fmt: skip
    session.execute(delete(ForumPostFile).where(ForumPostFile.post_id == post.id))
    drop_unused_contents(session, contents)
