"""The gradebook set-up page for teachers: the course total's settings and lock, categories
with their aggregation and weights, and items (manual or attendance) with their weight, pass
mark, display, hidden-until date and lock. Every form re-renders with its message when refused
and then writes nothing."""

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import Response

from app.accounts.deps import CurrentUser, PortalActor, page_router
from app.accounts.models import User
from app.core.actors import Actor
from app.core.db import SessionDep
from app.core.errors import Invalid
from app.core.forms import attempt_form
from app.core.i18n import N_
from app.core.inputs import Id
from app.core.web import render, see_other
from app.grades.models import Aggregation, Display, GradeItem, ItemSource
from app.grades.service import items, setup
from app.grades.service.setup_view import course_id_for, setup_view
from app.grades.setup_schemas import CourseSettingsUpdate, ItemCreate, ItemUpdate
from app.webinars.timezones import to_local, to_utc

router = page_router()
FormText = Annotated[str, Form(max_length=300)]
BAD_TIME = N_("Give a date and time such as 2026-12-01T09:00.")


def _page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    code: str,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    view = setup_view(session, actor, code)
    viewer = getattr(request.state, "viewer", None)
    zone = viewer.time_zone if viewer is not None else "UTC"
    context = {
        "local_input": lambda moment: to_local(moment, zone).strftime("%Y-%m-%dT%H:%M"),
        "plain": _plain,
        "view": view,
        "course": view.book.course,
        "aggregations": list(Aggregation),
        "displays": list(Display),
        "form": form or {},
        "errors": errors or {},
    }
    return render(request, "grades/setup.html", context, status=status)


@router.get("/courses/{code}/gradebook/setup")
def setup_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, code: str
) -> Response:
    return _page(request, session, actor, code)


def _plain(value: Decimal | None) -> str:
    """A number as a form field reads it back, whatever the reader's language (1.5, 20)."""
    return "" if value is None else f"{value.normalize():f}"


def blank(value: str) -> str | None:
    return value or None


def _local_time(value: str, user: User) -> datetime | None:
    """A datetime-local field, read in the reader's zone."""
    if not value:
        return None
    try:
        return to_utc(datetime.fromisoformat(value), user.time_zone)
    except ValueError as error:
        raise Invalid(BAD_TIME, field="hidden_until") from error


def attempt_setup(
    request: Request,
    session: SessionDep,
    actor: Actor,
    code: str,
    form: dict[str, Any],
    write: Callable[[], object],
    anchor: str,
) -> Response:
    with attempt_form(request, session) as attempt:
        write()
    if attempt.refused:
        return _page(request, session, actor, code, form, attempt.errors, status=400)
    return see_other(f"/courses/{code}/gradebook/setup?saved=1#{anchor}")


@router.post("/courses/{code}/gradebook/setup")
def save_course_settings(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: str,
    aggregation: FormText = "",
    pass_percent: FormText = "",
    display: FormText = "",
    scale_id: FormText = "",
    drop_lowest: FormText = "0",
    exclude_empty: FormText = "",
) -> Response:
    course_id = course_id_for(session, actor, code)
    form = {
        "aggregation": blank(aggregation),
        "pass_percent": blank(pass_percent),
        "display": blank(display),
        "scale_id": blank(scale_id),
        "drop_lowest": blank(drop_lowest),
        "exclude_empty": exclude_empty == "on",
    }
    form = {k: v for k, v in form.items() if v is not None or k in CourseSettingsUpdate.nullable}
    return attempt_setup(
        request,
        session,
        actor,
        code,
        form,
        lambda: setup.update_course_settings(
            session, actor, course_id, CourseSettingsUpdate.model_validate(form)
        ),
        "course",
    )


@router.post("/courses/{code}/gradebook/lock")
def lock_course(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: str,
    locked: FormText = "on",
) -> Response:
    course_id = course_id_for(session, actor, code)
    data = CourseSettingsUpdate(locked=locked == "on")
    return attempt_setup(
        request,
        session,
        actor,
        code,
        {},
        lambda: setup.update_course_settings(session, actor, course_id, data),
        "course",
    )


def _item_form(
    user: User, title: str, category_id: str, max_points: str, pass_points: str, weight: str,
    display: str, scale_id: str, hidden_until: str,
) -> dict[str, Any]:  # fmt: skip
    return {
        "title": title,
        "category_id": blank(category_id),
        "max_points": max_points,
        "pass_points": blank(pass_points),
        "weight": weight,
        "display": blank(display),
        "scale_id": blank(scale_id),
        "hidden_until": _local_time(hidden_until, user),
    }


@router.post("/courses/{code}/gradebook/items")
def add_item(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    user: CurrentUser,
    code: str,
    title: FormText = "",
    source: FormText = "manual",
    category_id: FormText = "",
    max_points: FormText = "100",
    pass_points: FormText = "",
    weight: FormText = "1",
    display: FormText = "",
    scale_id: FormText = "",
    hidden_until: FormText = "",
) -> Response:
    course_id = course_id_for(session, actor, code)
    raw = {"title": title, "source": source, "max_points": max_points, "pass_points": pass_points}
    raw |= {"weight": weight, "category_id": category_id, "hidden_until": hidden_until}

    def write() -> object:
        form = _item_form(
            user, title, category_id, max_points, pass_points, weight, display, scale_id,
            hidden_until,
        )  # fmt: skip
        data = ItemCreate.model_validate({**form, "source": source or ItemSource.MANUAL})
        return items.create_item(session, actor, course_id, data)

    return attempt_setup(request, session, actor, code, {"item": raw}, write, "items")


@router.post("/courses/{code}/gradebook/items/{item_id}")
def edit_item(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    user: CurrentUser,
    code: str,
    item_id: Id,
    title: FormText = "",
    category_id: FormText = "",
    max_points: FormText = "",
    pass_points: FormText = "",
    weight: FormText = "1",
    display: FormText = "",
    scale_id: FormText = "",
    hidden_until: FormText = "",
    locked: FormText = "",
) -> Response:
    setup.require_in_course(session, GradeItem, item_id, course_id_for(session, actor, code))

    def write() -> object:
        form = _item_form(
            user, title, category_id, max_points, pass_points, weight, display, scale_id,
            hidden_until,
        )  # fmt: skip
        if not max_points:
            del form["max_points"], form["pass_points"]
        if form["category_id"] is None:
            del form["category_id"]
        if locked == "on":
            form = {"locked": True}
        elif locked == "off":
            form = {"locked": False}
        return items.update_item(session, actor, item_id, ItemUpdate.model_validate(form))

    return attempt_setup(request, session, actor, code, {}, write, f"item-{item_id}")


@router.post("/courses/{code}/gradebook/items/{item_id}/delete")
def delete_item(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: str,
    item_id: Id,
) -> Response:
    setup.require_in_course(session, GradeItem, item_id, course_id_for(session, actor, code))
    return attempt_setup(
        request,
        session,
        actor,
        code,
        {},
        lambda: items.delete_item(session, actor, item_id),
        "items",
    )


@router.post("/courses/{code}/gradebook/attendance")
def refresh_attendance(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, code: str
) -> Response:
    course_id = course_id_for(session, actor, code)
    return attempt_setup(
        request,
        session,
        actor,
        code,
        {},
        lambda: setup.refresh_attendance_items(session, actor, course_id),
        "items",
    )
