"""The gradebook set-up page's category forms: add a category, change or move it, remove it
(its items and sub-categories move to its parent)."""

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from app.accounts.deps import CurrentUser, PortalActor, page_router
from app.core.db import SessionDep
from app.core.inputs import Id
from app.grades.models import GradeCategory
from app.grades.service import setup
from app.grades.service.setup_view import course_id_for
from app.grades.setup_pages import FormText, attempt_setup, blank
from app.grades.setup_schemas import CategoryCreate, CategoryUpdate

router = page_router()


def _category_form(
    title: str, parent_id: str, aggregation: str, weight: str, drop_lowest: str, empty: str
) -> dict[str, Any]:
    return {
        "title": title,
        "parent_id": blank(parent_id),
        "aggregation": aggregation,
        "weight": weight,
        "drop_lowest": drop_lowest,
        "exclude_empty": empty == "on",
    }


@router.post("/courses/{code}/gradebook/categories")
def add_category(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: str,
    title: FormText = "",
    parent_id: FormText = "",
    aggregation: FormText = "weighted_mean",
    weight: FormText = "1",
    drop_lowest: FormText = "0",
    exclude_empty: FormText = "",
) -> Response:
    course_id = course_id_for(session, actor, code)
    form = _category_form(title, parent_id, aggregation, weight, drop_lowest, exclude_empty)
    return attempt_setup(
        request,
        session,
        actor,
        code,
        {"category": form},
        lambda: setup.create_category(
            session, actor, course_id, CategoryCreate.model_validate(form)
        ),
        "categories",
    )


@router.post("/courses/{code}/gradebook/categories/{category_id}")
def edit_category(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: str,
    category_id: Id,
    title: FormText = "",
    parent_id: FormText = "",
    aggregation: FormText = "weighted_mean",
    weight: FormText = "1",
    drop_lowest: FormText = "0",
    exclude_empty: FormText = "",
) -> Response:
    setup.require_in_course(
        session, GradeCategory, category_id, course_id_for(session, actor, code)
    )
    form = _category_form(title, parent_id, aggregation, weight, drop_lowest, exclude_empty)
    if form["parent_id"] is None:
        del form["parent_id"]
    return attempt_setup(
        request,
        session,
        actor,
        code,
        {},
        lambda: setup.update_category(
            session, actor, category_id, CategoryUpdate.model_validate(form)
        ),
        f"category-{category_id}",
    )


@router.post("/courses/{code}/gradebook/categories/{category_id}/delete")
def delete_category(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: str,
    category_id: Id,
) -> Response:
    setup.require_in_course(
        session, GradeCategory, category_id, course_id_for(session, actor, code)
    )
    return attempt_setup(
        request,
        session,
        actor,
        code,
        {},
        lambda: setup.delete_category(session, actor, category_id),
        "categories",
    )
