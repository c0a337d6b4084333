"""Forums, threads and posts over the API: input and output apart, so no input sets an author,
a date or a moderator's mark."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.core.inputs import Id, Patch, StrictInput
from app.forums.models import ForumKind

TITLE = Field(min_length=1, max_length=300)
BODY = Field(min_length=1, max_length=20_000, description="Markdown; shown sanitised")


class ForumCreate(StrictInput):
    title: str = TITLE
    kind: ForumKind = ForumKind.GENERAL
    intro_markdown: str = Field(default="", max_length=20_000)


class ForumUpdate(Patch):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    kind: ForumKind | None = None
    intro_markdown: str | None = Field(default=None, max_length=20_000)
    separate_groups: bool | None = None


class ForumRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    course_id: int | None
    module_id: int | None
    programme_id: int | None
    kind: ForumKind
    title: str
    intro_html: str
    separate_groups: bool


class ForumSummary(ForumRead):
    unread: int = Field(description="Posts the caller has not read yet")


class ThreadCreate(StrictInput):
    title: str = TITLE
    body_markdown: str = BODY
    group_id: Id | None = Field(
        default=None,
        description="In a forum of separate groups: the group it is for. Staff may leave it "
        "out (a thread for everyone); a learner's thread is their group's.",
    )


class ThreadUpdate(Patch):
    pinned: bool | None = None
    locked: bool | None = None


class ThreadRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    forum_id: int
    group_id: int | None
    author_id: int | None
    title: str
    pinned: bool
    locked: bool
    created_at: datetime
    last_post_at: datetime


class ThreadSummary(ThreadRead):
    author_name: str | None
    replies: int
    unread: int


class PostCreate(StrictInput):
    body_markdown: str = BODY
    parent_id: Id | None = Field(default=None, description="The post this one answers")


class PostUpdate(StrictInput):
    body_markdown: str = BODY


class PostRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    thread_id: int
    parent_id: int | None
    author_id: int | None
    author_name: str | None = None
    body_html: str = Field(description="Empty once the post is deleted")
    created_at: datetime
    edited_at: datetime | None
    deleted: bool
    files: list[str] = Field(
        default_factory=list, description="Names of the attached files, at …/files/{name}"
    )


class ReportCreate(StrictInput):
    reason: str = Field(min_length=1, max_length=1000)


class ReportRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    post_id: int
    created_at: datetime


class SearchHit(BaseModel):
    forum_id: int
    thread_id: int
    post_id: int
    thread_title: str
    author_name: str | None
    excerpt: str
    created_at: datetime


class Following(BaseModel):
    following: bool
