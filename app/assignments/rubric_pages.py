"""The rubric (or marking guide) page of an assignment: its criteria and levels, editable
without JavaScript (a blank criterion and blank levels to fill in, a description emptied to
remove one) until a marking uses them; a copy from another assignment of the course."""

from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.deps import CurrentUser, PortalActor, page_router
from app.assignments import policy
from app.assignments.marking_models import Rubric
from app.assignments.marking_pages import Fields, form_fields
from app.assignments.marking_schemas import RubricUpdate
from app.assignments.models import Assignment
from app.assignments.service import rubrics
from app.assignments.service.settings import assignment_by_id
from app.core.actors import Actor
from app.core.db import SessionDep
from app.core.forms import attempt_form
from app.core.inputs import Id
from app.core.web import render, see_other
from app.courses.models import Course, Module

router = page_router()
BLANK_LEVELS = 2  # blank level rows under each criterion
MAX_ROWS = 50


def _shown(rubric: Rubric | None) -> Fields:
    form: Fields = {"lock_zero_points": rubric.lock_zero_points if rubric else True}
    for i, criterion in enumerate(rubric.criteria if rubric else []):
        form[f"c{i}-description"] = criterion.description
        form[f"c{i}-max_points"] = criterion.max_points or ""
        for j, level in enumerate(criterion.levels):
            form[f"c{i}-l{j}-points"] = level.points
            form[f"c{i}-l{j}-definition"] = level.definition
    return form


def _others(session: Session, assignment: Assignment) -> list[tuple[int, str]]:
    """Other assignments of the course with criteria, graded the same way, to copy from."""
    rows = session.execute(
        select(Assignment.id, Module.title)
        .join(Module, Module.id == Assignment.module_id)
        .join(Rubric, Rubric.assignment_id == Assignment.id)
        .where(
            Assignment.course_id == assignment.course_id,
            Assignment.id != assignment.id,
            Assignment.grading_method == assignment.grading_method,
        )
        .order_by(Module.title)
    )
    return [(row[0], row[1]) for row in rows]


def _page(
    request: Request, session: Session, actor: Actor, assignment_id: int,
    form: Fields | None = None, errors: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    assignment, rubric = rubrics.read_rubric(session, actor, assignment_id)
    access = assignment_by_id(session, actor, assignment_id)
    count = max(len(rubric.criteria) if rubric else 0, _count(form or {}))
    locked = rubric is not None and rubrics.in_use(session, rubric)
    context = {
        "assignment": assignment, "module": access.module, "rubric": rubric,
        "course": session.get_one(Course, assignment.course_id),
        "form": form if form is not None else _shown(rubric), "errors": errors or {},
        "rows": range(count + (0 if locked else 1)), "levels": _level_rows(form, rubric),
        "locked": locked, "can_edit": policy.can_define_rubric(actor, access.roles),
        "others": _others(session, assignment),
    }  # fmt: skip
    return render(request, "assignments/rubric.html", context, 400 if errors else 200)


def _count(form: Fields) -> int:
    indexes = [_index(k) for k in form if k.startswith("c") and k.endswith("-description")]
    return max((i + 1 for i in indexes if i is not None), default=0)


def _index(key: str) -> int | None:
    head = key.split("-")[0][1:]
    return int(head) if head.isdigit() and len(head) < 4 else None


def _level_rows(form: Fields | None, rubric: Rubric | None) -> dict[int, range]:
    known = {i: len(c.levels) for i, c in enumerate(rubric.criteria)} if rubric else {}
    rows: dict[int, range] = {}
    for i in range(MAX_ROWS):
        posted = [k for k in (form or {}) if k.startswith(f"c{i}-l") and k.endswith("-definition")]
        rows[i] = range(max(known.get(i, 0), len(posted)) + BLANK_LEVELS)
    return rows


def rubric_input(fields: Fields) -> dict[str, Any]:
    """The form's criteria as a `RubricUpdate` reads them; a criterion without a description
    and a level without a definition and points are left out."""
    criteria = []
    for i in range(min(_count(fields), MAX_ROWS)):
        description = str(fields.get(f"c{i}-description", "")).strip()
        if not description:
            continue
        levels = []
        for j in range(20 + BLANK_LEVELS):
            points = str(fields.get(f"c{i}-l{j}-points", "")).strip()
            definition = str(fields.get(f"c{i}-l{j}-definition", "")).strip()
            if points or definition:
                levels.append({"points": points, "definition": definition})
        maximum = str(fields.get(f"c{i}-max_points", "")).strip()
        criteria.append(
            {"description": description, "max_points": maximum or None, "levels": levels}
        )
    return {"lock_zero_points": fields.get("lock_zero_points") == "1", "criteria": criteria}


@router.get("/assignments/{assignment_id}/rubric")
def rubric_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    assignment_id: Id,
) -> Response:  # fmt: skip
    return _page(request, session, actor, assignment_id)


@router.post("/assignments/{assignment_id}/rubric")
def define_rubric(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    assignment_id: Id, fields: Annotated[Fields, Depends(form_fields)],
) -> Response:  # fmt: skip
    with attempt_form(request, session) as attempt:
        data = RubricUpdate.model_validate(rubric_input(fields))
        rubrics.define_rubric(session, actor, assignment_id, data)
    if attempt.refused:
        shown: Fields = {k: v for k, v in fields.items() if isinstance(v, str)}
        shown["lock_zero_points"] = fields.get("lock_zero_points") == "1"
        return _page(request, session, actor, assignment_id, shown, {"form": attempt.message})
    return see_other(f"/assignments/{assignment_id}/rubric?saved=1")


@router.post("/assignments/{assignment_id}/rubric/copy")
def copy_rubric(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    assignment_id: Id, from_assignment_id: Annotated[Id, Form()],
) -> Response:  # fmt: skip
    with attempt_form(request, session) as attempt:
        rubrics.copy_rubric(session, actor, assignment_id, from_assignment_id)
    if attempt.refused:
        return _page(request, session, actor, assignment_id, None, {"form": attempt.message})
    return see_other(f"/assignments/{assignment_id}/rubric?saved=1")
