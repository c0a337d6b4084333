"""The question bank's categories page: the tree, with a form to add one and, for each, to
rename or move it and to delete it when empty."""

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.accounts.deps import CurrentUser, PortalActor, page_router
from app.core.actors import Actor
from app.core.db import SessionDep
from app.core.errors import Conflict, Invalid
from app.core.forms import attempt_form
from app.core.inputs import Id
from app.core.web import render, see_other
from app.quizzes.bank_schemas import CategoryCreate, CategoryUpdate
from app.quizzes.service import categories

router = page_router()
Name = Annotated[str, Form(max_length=200)]
Description = Annotated[str, Form(max_length=2000)]
Parent = Annotated[str, Form(max_length=12)]


def _parent(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 10 else None


def _page(
    request: Request,
    session: Session,
    actor: Actor,
    code: str,
    errors: dict[str, str] | None = None,
    failed: int | None = None,
) -> Response:
    bank, tree = categories.categories_page(session, actor, code)
    context = {"course": bank.course, "tree": tree, "errors": errors or {}, "failed": failed}
    return render(request, "quizzes/bank_categories.html", context, 400 if errors else 200)


@router.get("/courses/{code}/question-categories")
def category_list(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, code: str
) -> Response:
    return _page(request, session, actor, code)


@router.post("/courses/{code}/question-categories")
def add_category(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, code: str,
    name: Name = "", description: Description = "", parent_id: Parent = "",
) -> Response:  # fmt: skip
    with attempt_form(request, session) as attempt:
        bank, _ = categories.categories_page(session, actor, code, write=True)
        data = CategoryCreate(name=name, description=description, parent_id=_parent(parent_id))
        categories.create_category(session, actor, bank.course.id, data)
    if attempt.refused:
        return _page(request, session, actor, code, attempt.errors)
    return see_other(f"/courses/{code}/question-categories")


@router.post("/question-categories/{category_id}")
def change_category(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    category_id: Id, name: Name = "", description: Description = "", parent_id: Parent = "",
) -> Response:  # fmt: skip
    code = categories.course_code_of(session, actor, category_id)
    with attempt_form(request, session) as attempt:
        data = CategoryUpdate(name=name, description=description, parent_id=_parent(parent_id))
        categories.update_category(session, actor, category_id, data)
    if attempt.refused:
        return _page(request, session, actor, code, attempt.errors, category_id)
    return see_other(f"/courses/{code}/question-categories")


@router.post("/question-categories/{category_id}/delete")
def delete_category(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, category_id: Id
) -> Response:
    code = categories.course_code_of(session, actor, category_id)
    with attempt_form(request, session, (Conflict, Invalid)) as attempt:
        categories.delete_category(session, actor, category_id)
    if attempt.refused:
        return _page(request, session, actor, code, attempt.errors, category_id)
    return see_other(f"/courses/{code}/question-categories")
