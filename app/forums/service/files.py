"""Files attached to posts: added by the post's author while it may still be edited, read by
whoever sees the post (served as attachments); a deleted post loses its files."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.core.actors import Actor
from app.core.config import Settings
from app.core.errors import NotFound
from app.core.i18n import N_
from app.forums.models import ForumPost, ForumPostFile, ForumThread
from app.forums.schemas import PostCreate, PostUpdate, ThreadCreate
from app.forums.service import posts, threads
from app.forums.service.attachments import Upload, attach
from app.forums.service.posts import editable_post, visible_post


def add_files(
    session: Session, actor: Actor, settings: Settings, post_id: int, uploads: Sequence[Upload]
) -> ForumPost:
    """Attach files to one's post within its edit window (a new post's, just written, too)."""
    post = editable_post(session, actor, post_id)
    attach(session, settings, post, uploads)
    return post


def start_thread_with_files(
    session: Session, actor: Actor, settings: Settings, forum_id: int, data: ThreadCreate,
    uploads: Sequence[Upload],
) -> ForumThread:  # fmt: skip
    """A new discussion whose opening post carries the files sent with it (the portal's form
    sends both at once; a refused file refuses the discussion)."""
    thread = threads.start_thread(session, actor, forum_id, data)
    add_files(session, actor, settings, threads.opening_post_id(session, thread.id), uploads)
    return thread


def reply_with_files(
    session: Session, actor: Actor, settings: Settings, thread_id: int, data: PostCreate,
    uploads: Sequence[Upload],
) -> ForumPost:  # fmt: skip
    """A reply with the files sent with it."""
    post = posts.reply(session, actor, thread_id, data)
    return add_files(session, actor, settings, post.id, uploads)


def edit_with_files(
    session: Session, actor: Actor, settings: Settings, post_id: int, data: PostUpdate,
    uploads: Sequence[Upload],
) -> ForumPost:  # fmt: skip
    """An edit of one's post, with more files, within the edit window."""
    posts.edit_post(session, actor, post_id, data)
    return add_files(session, actor, settings, post_id, uploads)


def post_file(session: Session, actor: Actor, post_id: int, name: str) -> ForumPostFile:
    """A file of a post its reader may see."""
    _, post = visible_post(session, actor, post_id)
    found = session.scalar(
        select(ForumPostFile)
        .where(ForumPostFile.post_id == post.id, ForumPostFile.name == name)
        .options(joinedload(ForumPostFile.content))
    )
    if found is None or post.deleted_at is not None:
        raise NotFound(N_("No such file."))
    return found
