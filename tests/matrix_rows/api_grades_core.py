"""The gradebook set-up and results over the API: everybody signed in reads the scales and
managers create them; staff of the course (tutors too) read items, categories, settings and
results, teachers and managers change them; a partner system with `grades:read` reads (its
learners only) and one without the scope may not (403); a partner of another institution is
told the course does not exist, as is a student of another course."""

import itertools
from decimal import Decimal

from app.core.actors import SYSTEM
from app.grades.models import GradeCategory, GradeItem, ItemSource
from app.grades.service import results, scales
from app.grades.setup_schemas import ScaleCreate
from tests.test_permission_matrix import World, register

C = "/api/v1/courses/{course_id}"
_codes = itertools.count(1)
READ = "401 | 403 404 200 200 | 200 200 | 200 403 | 404 404"
CREATE = "401 | 403 404 403 201 | 201 201 | 403 403 | 404 404"
CHANGE = "401 | 403 404 403 200 | 200 200 | 403 403 | 404 404"
DELETE = "401 | 403 404 403 204 | 204 204 | 403 403 | 404 404"
EVERYONE = "401 | 200 200 200 200 | 200 200 | 200 200 | 200 200"


def _levels() -> list[dict[str, object]]:
    return [
        {"label": "fail", "value": "0", "min_percent": "0"},
        {"label": "pass", "value": "1", "min_percent": "50", "passing": True},
    ]


def _new_scale(w: World) -> dict[str, object]:
    return {"json": {"code": f"matrix-{next(_codes)}", "name": "Pass/fail", "levels": _levels()}}


def _scale(w: World) -> dict[str, object]:
    data = ScaleCreate.model_validate(
        {"code": f"matrix-{next(_codes)}", "name": "Pass/fail", "levels": _levels()}
    )
    return {"scale_id": scales.create_scale(w.db, SYSTEM, data).id}


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


register("get", "/api/v1/scales", EVERYONE, lambda w: {})
register(
    "post", "/api/v1/scales", "401 | 403 403 403 403 | 201 201 | 403 403 | 403 201", _new_scale
)
register("get", "/api/v1/scales/{scale_id}", EVERYONE, _scale)
register("get", C + "/grade-items", READ, lambda w: {})
register("post", C + "/grade-items", CREATE, lambda w: {"json": {"title": "Oral"}})
register(
    "patch", "/api/v1/grade-items/{item_id}", CHANGE,
    lambda w: {"item_id": _item(w), "json": {"weight": "2"}},
)  # fmt: skip
register("delete", "/api/v1/grade-items/{item_id}", DELETE, lambda w: {"item_id": _item(w)})
register("get", C + "/grade-categories", READ, lambda w: {})
register("post", C + "/grade-categories", CREATE, lambda w: {"json": {"title": "Exams"}})
register(
    "patch", "/api/v1/grade-categories/{category_id}", CHANGE,
    lambda w: {"category_id": _category(w), "json": {"weight": "2"}},
)  # fmt: skip
register(
    "delete", "/api/v1/grade-categories/{category_id}", DELETE,
    lambda w: {"category_id": _category(w)},
)  # fmt: skip
register("get", C + "/gradebook", READ, lambda w: {})
register("patch", C + "/gradebook", CHANGE, lambda w: {"json": {"pass_percent": "50"}})
register("get", C + "/results", READ, lambda w: {})
register("get", C + "/grades", READ, lambda w: {})
