"""The forum pages: a course's forums and search, a forum's discussions, a discussion's posts,
and the forms to post, edit, delete, report and moderate. Every rule is the service's; these
routes parse forms and render. Everything works without JavaScript."""

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import File, Form, Query, Request, UploadFile
from fastapi.responses import Response, StreamingResponse

from app.accounts.deps import CurrentUser, PortalActor, SettingsDep, page_router
from app.core.db import SessionDep
from app.core.forms import attempt_form
from app.core.inputs import Id
from app.core.web import render, see_other
from app.courses.models import Course
from app.courses.service.courses import find_course
from app.forums import policy
from app.forums.models import ForumKind
from app.forums.responses import file_response
from app.forums.schemas import (
    ForumCreate,
    ForumUpdate,
    PostCreate,
    PostUpdate,
    ReportCreate,
    ThreadCreate,
    ThreadUpdate,
)
from app.forums.service import access, course_forums, following, posts, reading, threads
from app.forums.service import files as post_files
from app.forums.service.access import KIND_NAMES
from app.forums.service.attachments import Upload

router = page_router()
FormField = Annotated[str, Form()]
# A browser sends a form with no file chosen with one empty file part: no upload.
Uploads = Annotated[list[UploadFile] | None, File()]


def _uploads(files: list[UploadFile] | None) -> list[Upload]:
    return [(file.file, file.filename) for file in files or [] if file.filename]


Cursor = Annotated[str | None, Query(max_length=200)]


@router.get("/courses/{code}/forums")
def course_forums_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, code: str,
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:  # fmt: skip
    course = find_course(session, actor, code).course
    context: dict[str, Any] = {"course": course, "q": q, "hits": None, "errors": {}}
    status = 200
    if q:
        with attempt_form(request, session) as attempt:
            context["hits"] = course_forums.search(session, actor, course.id, q)
        context["errors"], status = attempt.errors, 400 if attempt.refused else 200
    return _course_forums_page(request, session, actor, course, context, status)


def _course_forums_page(
    request: Request, session: SessionDep, actor: PortalActor, course: Course,
    context: dict[str, Any], status: int = 200,
) -> Response:  # fmt: skip
    context["forums"] = course_forums.course_forums(session, actor, course.id)
    context["programmes"] = course_forums.programmes_to_open_forums(session, actor, course.id)
    context["kind_names"] = KIND_NAMES
    context["kinds"] = list(ForumKind)
    return render(request, "forums/course_forums.html", context, status)


@router.post("/courses/{code}/forums/programme")
def open_programme_forum(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, code: str,
    programme_id: FormField = "", title: FormField = "", kind: FormField = "general",
) -> Response:  # fmt: skip
    course = find_course(session, actor, code).course
    typed = {"title": title, "kind": kind}
    with attempt_form(request, session) as attempt:
        chosen = course_forums.programme_for_forum(session, actor, course.id, programme_id)
        made = access.create_programme_forum(
            session, actor, chosen, ForumCreate.model_validate(typed)
        )
    if attempt.refused:
        context: dict[str, Any] = {"course": course, "q": "", "hits": None,
                                   "errors": attempt.errors, "form": typed}  # fmt: skip
        return _course_forums_page(request, session, actor, course, context, 400)
    return see_other(f"/forums/{made.forum.id}")


def _forum_page(
    request: Request, session: SessionDep, actor: PortalActor, forum_id: int,
    cursor: str | None = None, *, form: Mapping[str, object] | None = None,
    errors: dict[str, str] | None = None, status: int = 200,
) -> Response:  # fmt: skip
    listing = threads.list_threads(session, actor, forum_id, cursor)
    forum = listing.access.forum
    context = {
        "listing": listing, "forum": forum, "kind_names": KIND_NAMES,
        "groups": access.groups_to_choose(session, listing.access),
        "kinds": list(ForumKind), "form": form or {}, "errors": errors or {},
        "following": following.follows(session, actor.user_id, forum.id),
        "can_follow": policy.can_follow(actor, forum),
    }  # fmt: skip
    return render(request, "forums/forum.html", context, status)


@router.get("/forums/{forum_id}")
def forum_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    forum_id: Id, cursor: Cursor = None,
) -> Response:  # fmt: skip
    return _forum_page(request, session, actor, forum_id, cursor)


@router.post("/forums/{forum_id}/threads")
def start_thread(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    settings: SettingsDep, forum_id: Id, title: FormField = "", body_markdown: FormField = "",
    group_id: FormField = "", files: Uploads = None,
) -> Response:  # fmt: skip
    typed = {"title": title, "body_markdown": body_markdown, "group_id": group_id or None}
    with attempt_form(request, session) as attempt:
        thread = post_files.start_thread_with_files(
            session, actor, settings, forum_id, ThreadCreate.model_validate(typed), _uploads(files)
        )
    if attempt.refused:
        return _forum_page(request, session, actor, forum_id, form=typed, errors=attempt.errors,
                           status=400)  # fmt: skip
    return see_other(f"/forums/threads/{thread.id}")


@router.post("/forums/{forum_id}/read")
def mark_forum_read(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, forum_id: Id
) -> Response:
    reading.mark_forum_read(session, access.get_forum(session, actor, forum_id))
    return see_other(f"/forums/{forum_id}")


@router.post("/forums/{forum_id}/following")
def set_following(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, forum_id: Id,
    follow: FormField = "1",
) -> Response:  # fmt: skip
    following.set_following(session, actor, forum_id, follow=follow == "1")
    return see_other(f"/forums/{forum_id}")


@router.post("/forums/{forum_id}/settings")
def configure_forum(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    forum_id: Id, title: FormField = "", kind: FormField = "", intro_markdown: FormField = "",
    separate_groups: FormField = "",
) -> Response:  # fmt: skip
    typed = {"title": title, "kind": kind, "intro_markdown": intro_markdown,
             "separate_groups": separate_groups == "1"}  # fmt: skip
    with attempt_form(request, session) as attempt:
        access.configure(session, actor, forum_id, ForumUpdate.model_validate(typed))
    if attempt.refused:
        return _forum_page(request, session, actor, forum_id, form=typed, errors=attempt.errors,
                           status=400)  # fmt: skip
    return see_other(f"/forums/{forum_id}?saved=1")


@router.get("/forums/{forum_id}/reports")
def reports_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, forum_id: Id
) -> Response:
    forum = access.get_forum(session, actor, forum_id)
    context = {"forum": forum.forum, "reports": posts.open_reports(session, forum)}
    return render(request, "forums/reports.html", context)


@router.post("/forums/reports/{report_id}/resolve")
def resolve_report(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, report_id: Id
) -> Response:
    report = posts.resolve_report(session, actor, report_id)
    return see_other(f"/forums/{report.forum_id}/reports")


def _thread_page(
    request: Request, session: SessionDep, actor: PortalActor, thread_id: int,
    cursor: str | None = None, *, form: Mapping[str, object] | None = None,
    errors: dict[str, str] | None = None, status: int = 200,
) -> Response:  # fmt: skip
    view = posts.read_thread(session, actor, thread_id, cursor)
    context = {"view": view, "forum": view.access.forum, "thread": view.thread,
               "form": form or {}, "errors": errors or {}}  # fmt: skip
    return render(request, "forums/thread.html", context, status)


@router.get("/forums/threads/{thread_id}")
def thread_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    thread_id: Id, cursor: Cursor = None,
) -> Response:  # fmt: skip
    return _thread_page(request, session, actor, thread_id, cursor)


@router.post("/forums/threads/{thread_id}/replies")
def reply(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    settings: SettingsDep, thread_id: Id, body_markdown: FormField = "",
    parent_id: FormField = "", files: Uploads = None,
) -> Response:  # fmt: skip
    typed = {"body_markdown": body_markdown, "parent_id": parent_id or None}
    with attempt_form(request, session) as attempt:
        post = post_files.reply_with_files(
            session, actor, settings, thread_id, PostCreate.model_validate(typed), _uploads(files)
        )
    if attempt.refused:
        return _thread_page(request, session, actor, thread_id, form=typed, errors=attempt.errors,
                            status=400)  # fmt: skip
    return see_other(posts.address_of(session, post))


@router.post("/forums/threads/{thread_id}/moderation")
def moderate(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, thread_id: Id,
    pinned: FormField = "", locked: FormField = "",
) -> Response:  # fmt: skip
    # Each button sends one of the two; the one left out keeps its value.
    sent = {name: value == "1" for name, value in (("pinned", pinned), ("locked", locked)) if value}
    change = ThreadUpdate.model_validate(sent)
    threads.moderate_thread(session, actor, thread_id, change)
    return see_other(f"/forums/threads/{thread_id}")


@router.get("/forums/posts/{post_id}/edit")
def edit_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, post_id: Id
) -> Response:
    post = posts.editable_post(session, actor, post_id)
    return _edit_page(request, post, {"body_markdown": post.body_markdown}, {})


def _edit_page(
    request: Request, post: object, form: Mapping[str, object], errors: dict[str, str],
    status: int = 200,
) -> Response:  # fmt: skip
    return render(request, "forums/edit.html", {"post": post, "form": form, "errors": errors},
                  status)  # fmt: skip


@router.post("/forums/posts/{post_id}/edit")
def edit(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, post_id: Id,
    settings: SettingsDep, body_markdown: FormField = "", files: Uploads = None,
) -> Response:  # fmt: skip
    typed = {"body_markdown": body_markdown}
    with attempt_form(request, session) as attempt:
        post = post_files.edit_with_files(
            session, actor, settings, post_id, PostUpdate.model_validate(typed), _uploads(files)
        )
    if attempt.refused:
        _, shown = posts.visible_post(session, actor, post_id)
        return _edit_page(request, shown, typed, attempt.errors, 400)
    return see_other(posts.address_of(session, post))


@router.post("/forums/posts/{post_id}/delete")
def delete(session: SessionDep, actor: PortalActor, _user: CurrentUser, post_id: Id) -> Response:
    post = posts.delete_post(session, actor, post_id)
    return see_other(posts.address_of(session, post))


@router.get("/forums/posts/{post_id}/report")
def report_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, post_id: Id
) -> Response:
    _, post = posts.reportable_post(session, actor, post_id)
    return render(request, "forums/report.html", {"post": post, "form": {}, "errors": {}})


@router.post("/forums/posts/{post_id}/report")
def report(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, post_id: Id,
    reason: FormField = "",
) -> Response:  # fmt: skip
    typed = {"reason": reason}
    with attempt_form(request, session) as attempt:
        made = posts.report_post(session, actor, post_id, ReportCreate.model_validate(typed))
    if attempt.refused:
        _, post = posts.visible_post(session, actor, post_id)
        context = {"post": post, "form": typed, "errors": attempt.errors}
        return render(request, "forums/report.html", context, 400)
    _, post = posts.visible_post(session, actor, made.post_id)
    return see_other(posts.address_of(session, post, "reported=1"))


@router.get("/forums/posts/{post_id}/files/{name}")
def post_file(
    session: SessionDep, actor: PortalActor, settings: SettingsDep, _user: CurrentUser,
    post_id: Id, name: str,
) -> StreamingResponse:  # fmt: skip
    return file_response(settings, post_files.post_file(session, actor, post_id, name))


routers = [router]
