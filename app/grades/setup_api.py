"""Grading scales and the gradebook's set-up over the API: categories, items and the course
total's settings (pass mark, display, lock)."""

from fastapi import APIRouter, Response, status

from app.accounts.deps import SignedInApiActor
from app.core.db import SessionDep
from app.core.inputs import Id
from app.core.routes import DeferredRoute
from app.grades.models import GradeCategory
from app.grades.service import items, scales, setup
from app.grades.setup_schemas import (
    CategoryCreate,
    CategoryRead,
    CategoryUpdate,
    CourseSettingsRead,
    CourseSettingsUpdate,
    ItemCreate,
    ItemRead,
    ItemUpdate,
    ScaleCreate,
    ScaleRead,
)

router = APIRouter(tags=["gradebook"], route_class=DeferredRoute)


@router.get("/scales", response_model=list[ScaleRead])
def list_scales(session: SessionDep, actor: SignedInApiActor) -> list[ScaleRead]:
    """The grading scales: shared ones (French 0–20, Russian 5-point, acquis/en cours/non
    acquis, letters) and your institution's, each with its levels from the lowest."""
    return [ScaleRead.model_validate(s) for s in scales.list_scales(session, actor)]


@router.post("/scales", response_model=ScaleRead, status_code=201)
def create_scale(body: ScaleCreate, session: SessionDep, actor: SignedInApiActor) -> ScaleRead:
    """Add a scale (managers). A percentage reads as the highest level whose `min_percent` it
    reaches; the lowest level starts at 0. `out_of` shows points on the scale (14.5/20)."""
    return ScaleRead.model_validate(scales.create_scale(session, actor, body))


@router.get("/scales/{scale_id}", response_model=ScaleRead)
def read_scale(scale_id: Id, session: SessionDep, actor: SignedInApiActor) -> ScaleRead:
    """One grading scale with its levels."""
    return ScaleRead.model_validate(scales.get_scale(session, actor, scale_id))


@router.get("/courses/{course_id}/grade-items", response_model=list[ItemRead])
def list_items(course_id: Id, session: SessionDep, actor: SignedInApiActor) -> list[ItemRead]:
    """The course's grade items in order: assignments, quizzes, attendance and manual items
    (staff of the course, managers, partner systems with `grades:read`)."""
    book = setup.gradebook(session, actor, course_id)
    return [ItemRead.model_validate(i) for i in book.items]


@router.post("/courses/{course_id}/grade-items", response_model=ItemRead, status_code=201)
def create_item(
    course_id: Id, body: ItemCreate, session: SessionDep, actor: SignedInApiActor
) -> ItemRead:
    """Add a manual item, or an attendance item (`source: attendance`, `max_points` = the
    hours required) graded at once from the learners' attended hours (teachers, managers)."""
    return ItemRead.model_validate(items.create_item(session, actor, course_id, body))


@router.patch("/grade-items/{item_id}", response_model=ItemRead)
def update_item(
    item_id: Id, body: ItemUpdate, session: SessionDep, actor: SignedInApiActor
) -> ItemRead:
    """Change an item's category, weight, pass mark, display, hidden-until date or lock
    (`locked: true`). A locked item answers 409 `grade_item_locked` to every change; only a
    manager unlocks it (`locked: false` alone)."""
    return ItemRead.model_validate(items.update_item(session, actor, item_id, body))


@router.delete("/grade-items/{item_id}", status_code=204)
def delete_item(item_id: Id, session: SessionDep, actor: SignedInApiActor) -> Response:
    """Remove a manual or attendance item and its grades; an assignment's or a quiz's item
    answers 409 `grade_item_owned`."""
    items.delete_item(session, actor, item_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _category_read(category: GradeCategory) -> CategoryRead:
    return CategoryRead.model_validate(category)


@router.get("/courses/{course_id}/grade-categories", response_model=list[CategoryRead])
def list_categories(
    course_id: Id, session: SessionDep, actor: SignedInApiActor
) -> list[CategoryRead]:
    """The course's categories, its root (the course total, `parent_id` null) first."""
    return [_category_read(c) for c in setup.gradebook(session, actor, course_id).categories]


@router.post("/courses/{course_id}/grade-categories", response_model=CategoryRead, status_code=201)
def create_category(
    course_id: Id, body: CategoryCreate, session: SessionDep, actor: SignedInApiActor
) -> CategoryRead:
    """Add a category with its aggregation (weighted mean, mean, natural, highest), weight in
    its parent, lowest grades dropped and whether empty grades are left out (teachers)."""
    return _category_read(setup.create_category(session, actor, course_id, body))


@router.patch("/grade-categories/{category_id}", response_model=CategoryRead)
def update_category(
    category_id: Id, body: CategoryUpdate, session: SessionDep, actor: SignedInApiActor
) -> CategoryRead:
    """Change a category or move it (`parent_id`); results are recomputed."""
    return _category_read(setup.update_category(session, actor, category_id, body))


@router.delete("/grade-categories/{category_id}", status_code=204)
def delete_category(category_id: Id, session: SessionDep, actor: SignedInApiActor) -> Response:
    """Remove a category; its items and sub-categories move to its parent. The course's root
    category answers 409."""
    setup.delete_category(session, actor, category_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _settings_read(book: setup.Gradebook) -> CourseSettingsRead:
    root = book.root
    return CourseSettingsRead(
        category=_category_read(root),
        pass_percent=root.pass_percent,
        display=book.display,
        scale_id=root.scale_id,
        locked_at=root.locked_at,
    )


@router.get("/courses/{course_id}/gradebook", response_model=CourseSettingsRead)
def read_settings(
    course_id: Id, session: SessionDep, actor: SignedInApiActor
) -> CourseSettingsRead:
    """The course total's settings: aggregation, pass mark (a percentage), display, scale and
    lock."""
    return _settings_read(setup.gradebook(session, actor, course_id))


@router.patch("/courses/{course_id}/gradebook", response_model=CourseSettingsRead)
def update_settings(
    course_id: Id, body: CourseSettingsUpdate, session: SessionDep, actor: SignedInApiActor
) -> CourseSettingsRead:
    """Change the course total's settings; `locked: true` locks the course and every item
    after the jury deliberates (then every change answers 409 `grade_item_locked`)."""
    setup.update_course_settings(session, actor, course_id, body)
    return _settings_read(setup.gradebook(session, actor, course_id))
