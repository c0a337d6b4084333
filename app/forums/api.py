"""Forums over the API, for people's own tokens (apps, scripts): read and write discussions as
the portal does. Partner systems take no part in discussions."""

from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import StreamingResponse

from app.accounts.deps import SettingsDep, SignedInApiActor
from app.core.db import SessionDep
from app.core.inputs import Id
from app.core.pagination import Page
from app.core.routes import DeferredRoute
from app.forums.responses import file_response
from app.forums.schemas import (
    Following,
    ForumCreate,
    ForumRead,
    ForumSummary,
    ForumUpdate,
    PostCreate,
    PostRead,
    PostUpdate,
    ReportCreate,
    ReportRead,
    SearchHit,
    ThreadCreate,
    ThreadRead,
    ThreadSummary,
    ThreadUpdate,
)
from app.forums.service import (
    access,
    attachments,
    course_forums,
    files,
    following,
    posts,
    reading,
    threads,
)
from app.forums.service.posts import PostRow

router = APIRouter(tags=["forums"], route_class=DeferredRoute)
Cursor = Annotated[str | None, Query(max_length=200)]
Limit = Annotated[int, Query(ge=1, le=100)]


def post_read(row: PostRow) -> PostRead:
    post = row.post
    return PostRead(
        id=post.id, thread_id=post.thread_id, parent_id=post.parent_id,
        author_id=post.author_id, author_name=row.author_name, body_html=post.body_html,
        created_at=post.created_at, edited_at=post.edited_at,
        deleted=post.deleted_at is not None, files=list(row.files),
    )  # fmt: skip


@router.get("/courses/{course_id}/forums", response_model=list[ForumSummary])
def list_course_forums(course_id: Id, session: SessionDep, actor: SignedInApiActor) -> object:
    """The course's forums the caller may open, and its programmes' (the welcome space), each
    with the number of posts the caller has not read."""
    return [
        ForumSummary(
            **ForumRead.model_validate(entry.access.forum).model_dump(), unread=entry.unread
        )
        for entry in course_forums.course_forums(session, actor, course_id)
    ]


@router.get("/courses/{course_id}/forum-search", response_model=list[SearchHit])
def search_course_forums(
    course_id: Id,
    session: SessionDep,
    actor: SignedInApiActor,
    q: Annotated[str, Query(min_length=2, max_length=200)],
) -> object:
    """The latest 50 posts holding the words, in the course's forums as the caller sees them."""
    return [SearchHit(**hit.__dict__) for hit in course_forums.search(session, actor, course_id, q)]


@router.post("/programmes/{programme_id}/forums", response_model=ForumRead, status_code=201)
def create_programme_forum(
    programme_id: Id, data: ForumCreate, session: SessionDep, actor: SignedInApiActor
) -> object:
    """Open a forum every course of the programme shares (the welcome space): managers."""
    return access.create_programme_forum(session, actor, programme_id, data).forum


@router.get("/modules/{module_id}/forum", response_model=ForumRead)
def read_module_forum(module_id: Id, session: SessionDep, actor: SignedInApiActor) -> object:
    """The forum a forum module stands for."""
    return access.forum_of_module(session, actor, module_id).forum


@router.get("/forums/{forum_id}", response_model=ForumRead)
def read_forum(forum_id: Id, session: SessionDep, actor: SignedInApiActor) -> object:
    """One forum: its kind (general, questions and answers, announcements) and groups."""
    return access.get_forum(session, actor, forum_id).forum


@router.patch("/forums/{forum_id}", response_model=ForumRead)
def update_forum(
    forum_id: Id, data: ForumUpdate, session: SessionDep, actor: SignedInApiActor
) -> object:
    """Change the forum's kind, title, introduction or separate groups (its teachers)."""
    return access.configure(session, actor, forum_id, data).forum


@router.post("/forums/{forum_id}/read", status_code=204)
def mark_forum_read(forum_id: Id, session: SessionDep, actor: SignedInApiActor) -> None:
    """Mark every post now in the forum as read by the caller."""
    reading.mark_forum_read(session, access.get_forum(session, actor, forum_id))


@router.get("/forums/{forum_id}/subscription", response_model=Following)
def read_following(forum_id: Id, session: SessionDep, actor: SignedInApiActor) -> Following:
    """Whether the caller follows the forum (is told of its new posts)."""
    forum = access.get_forum(session, actor, forum_id).forum
    return Following(following=following.follows(session, actor.user_id, forum.id))


@router.put("/forums/{forum_id}/subscription", response_model=Following)
def follow_forum(forum_id: Id, session: SessionDep, actor: SignedInApiActor) -> Following:
    """Follow the forum; an announcements forum, which everyone receives, is 403."""
    following.set_following(session, actor, forum_id, follow=True)
    return Following(following=True)


@router.delete("/forums/{forum_id}/subscription", status_code=204)
def unfollow_forum(forum_id: Id, session: SessionDep, actor: SignedInApiActor) -> None:
    """Stop following the forum: no more notifications of its posts."""
    following.set_following(session, actor, forum_id, follow=False)


@router.get("/forums/{forum_id}/threads", response_model=Page[ThreadSummary])
def list_threads(
    forum_id: Id,
    session: SessionDep,
    actor: SignedInApiActor,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[ThreadSummary]:
    """Discussions, pinned first then latest activity first, with replies and unread counts."""
    found = threads.list_threads(session, actor, forum_id, cursor, limit)
    items = [
        ThreadSummary(
            **ThreadRead.model_validate(row.thread).model_dump(),
            author_name=row.author_name,
            replies=row.replies,
            unread=row.unread,
        )
        for row in found.rows
    ]
    return Page[ThreadSummary](items=items, next_cursor=found.next_cursor)


@router.post("/forums/{forum_id}/threads", response_model=ThreadRead, status_code=201)
def start_thread(
    forum_id: Id, data: ThreadCreate, session: SessionDep, actor: SignedInApiActor
) -> object:
    """Start a discussion with its opening post (Markdown). In announcements and questions
    and answers, the course's staff only."""
    return threads.start_thread(session, actor, forum_id, data)


@router.get("/forum-threads/{thread_id}", response_model=ThreadRead)
def read_thread(thread_id: Id, session: SessionDep, actor: SignedInApiActor) -> object:
    """One discussion: its title, its group (separate groups), whether it is pinned or
    locked, and when it was last posted in."""
    return threads.visible_thread(session, actor, thread_id)[1]


@router.patch("/forum-threads/{thread_id}", response_model=ThreadRead)
def moderate_thread(
    thread_id: Id, data: ThreadUpdate, session: SessionDep, actor: SignedInApiActor
) -> object:
    """Pin or lock a discussion (the forum's moderators)."""
    return threads.moderate_thread(session, actor, thread_id, data)


@router.get("/forum-threads/{thread_id}/posts", response_model=Page[PostRead])
def list_posts(
    thread_id: Id,
    session: SessionDep,
    actor: SignedInApiActor,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[PostRead]:
    """The posts the caller may see, oldest first; reading them marks them read. In
    questions and answers, others' answers show once the caller has answered."""
    view = posts.read_thread(session, actor, thread_id, cursor, limit)
    return Page[PostRead](items=[post_read(row) for row in view.posts],
                          next_cursor=view.next_cursor)  # fmt: skip


@router.post("/forum-threads/{thread_id}/posts", response_model=PostRead, status_code=201)
def reply(thread_id: Id, data: PostCreate, session: SessionDep, actor: SignedInApiActor) -> object:
    """Reply in the discussion, to its opening post or to `parent_id`."""
    post = posts.reply(session, actor, thread_id, data)
    return post_read(PostRow(post, None, True, True, False))


@router.patch("/forum-posts/{post_id}", response_model=PostRead)
def edit_post(
    post_id: Id, data: PostUpdate, session: SessionDep, actor: SignedInApiActor
) -> object:
    """Change one's post within 30 minutes of writing it."""
    return post_read(PostRow(posts.edit_post(session, actor, post_id, data), None, True, True,
                             False))  # fmt: skip


@router.delete("/forum-posts/{post_id}", status_code=204)
def delete_post(post_id: Id, session: SessionDep, actor: SignedInApiActor) -> None:
    """Delete a post (its author within 30 minutes, a moderator at any time): a tombstone
    keeps its place in the discussion."""
    posts.delete_post(session, actor, post_id)


@router.post("/forum-posts/{post_id}/reports", response_model=ReportRead, status_code=201)
def report_post(
    post_id: Id, data: ReportCreate, session: SessionDep, actor: SignedInApiActor
) -> object:
    """Report a post to the forum's moderators, with the reason."""
    return posts.report_post(session, actor, post_id, data)


@router.post("/forum-posts/{post_id}/files", response_model=PostRead, status_code=201)
def add_post_file(
    post_id: Id, file: Annotated[UploadFile, File()], session: SessionDep,
    actor: SignedInApiActor, settings: SettingsDep,
) -> object:  # fmt: skip
    """Attach a file to one's post within 30 minutes of writing it (at most five, each within
    the upload size limit; its type is read from its bytes). A file of the same name is
    replaced."""
    post = files.add_files(session, actor, settings, post_id, [(file.file, file.filename or "")])
    names = attachments.file_names(session, [post.id]).get(post.id, [])
    return post_read(PostRow(post, None, True, True, False, tuple(names)))


@router.get("/forum-posts/{post_id}/files/{name}", response_class=StreamingResponse)
def post_file(
    post_id: Id, name: str, session: SessionDep, actor: SignedInApiActor, settings: SettingsDep
) -> StreamingResponse:
    """A file of a post, as an attachment, for whoever sees the post."""
    return file_response(settings, files.post_file(session, actor, post_id, name))


routers = [router]
