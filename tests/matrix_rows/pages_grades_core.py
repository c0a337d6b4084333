"""The gradebook set-up page and its forms: the course's teachers and managers; its students
may not (403); outsiders and another institution's manager are told the course's gradebook
does not exist (404)."""

from decimal import Decimal

from sqlalchemy import update

from app.grades.models import GradeCategory, GradeItem, ItemSource
from app.grades.service import results
from tests.test_page_permission_matrix import LOGIN, World, answers, page

READ = answers(LOGIN, 404, 403, 200, 200, 404)
WRITE = answers(LOGIN, 404, 403, 303, 303, 404)
S = "/courses/{code}/gradebook"


def _item(w: World) -> int:
    item = GradeItem(
        course_id=w.course.id, source=ItemSource.MANUAL, title="Oral", max_points=Decimal(20)
    )
    w.db.add(item)
    w.db.flush()
    return item.id


def _category(w: World) -> int:
    root = results.root_category(w.db, w.course.id)
    category = GradeCategory(course_id=w.course.id, parent_id=root.id, title="Essays")
    w.db.add(category)
    w.db.flush()
    return category.id


def _unlocked(w: World) -> dict[str, object]:
    """The course unlocked again, so that each caller's lock is a fresh one."""
    root = results.root_category(w.db, w.course.id)
    root.locked_at = None
    w.db.execute(update(GradeItem).where(GradeItem.course_id == w.course.id).values(locked_at=None))
    w.db.flush()
    return {"data": {"locked": "on"}}


page("GET", S + "/setup", READ)
page("POST", S + "/setup", WRITE, lambda w: {"data": {"aggregation": "mean", "drop_lowest": "0"}})
page("POST", S + "/lock", WRITE, _unlocked)
page("POST", S + "/categories", WRITE, lambda w: {"data": {"title": "Exams"}})
page(
    "POST", S + "/categories/{category_id}", WRITE,
    lambda w: {"category_id": _category(w), "data": {"title": "Essays", "weight": "2"}},
)  # fmt: skip
page(
    "POST", S + "/categories/{category_id}/delete", WRITE,
    lambda w: {"category_id": _category(w)},
)  # fmt: skip
page("POST", S + "/items", WRITE, lambda w: {"data": {"title": "Oral", "max_points": "20"}})
page(
    "POST", S + "/items/{item_id}", WRITE,
    lambda w: {"item_id": _item(w), "data": {"title": "Oral", "weight": "2"}},
)  # fmt: skip
page("POST", S + "/items/{item_id}/delete", WRITE, lambda w: {"item_id": _item(w)})
page("POST", S + "/attendance", WRITE)
