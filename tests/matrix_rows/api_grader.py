"""The grader table's API operations: staff of the course and managers read the table and
override grades; its students, outsiders and partner systems are told it does not exist (404);
a learner's own grades are the learner's only."""

from tests.grades.grader_matrix import manual_item, override_of, victim_grade
from tests.test_permission_matrix import World, register

C = "/api/v1/courses/{course_id}"
STAFF = "401 | 404 404 200 200 | 200 200 | 404 404 | 404 404"


def _override(w: World) -> dict[str, object]:
    grade = victim_grade(w.db, w.course.id, w.victim_id)
    return {"grade_id": grade.id, "json": override_of(grade)}


def _removal(w: World) -> dict[str, object]:
    grade = victim_grade(w.db, w.course.id, w.victim_id, overridden=True)
    return {"grade_id": grade.id, "json": {"version": grade.version, "reason": "Re-marked"}}


def _new_grade(w: World) -> dict[str, object]:
    item = manual_item(w.db, w.course.id)
    body = {"version": 0, "points": "11", "reason": "Oral exam"}
    return {"item_id": item.id, "user_id": w.victim_id, "json": body}


register("get", C + "/grader", STAFF, lambda w: {})
register("get", C + "/grader.csv", STAFF, lambda w: {})
register("put", "/api/v1/grades/{grade_id}", STAFF, _override)
register("put", "/api/v1/grade-items/{item_id}/grades/{user_id}", STAFF, _new_grade)
register("post", "/api/v1/grades/{grade_id}/override-removal", STAFF, _removal)
register(
    "get",
    "/api/v1/grades/{grade_id}/history",
    STAFF,
    lambda w: {"grade_id": victim_grade(w.db, w.course.id, w.victim_id).id},
)
register(
    "get", C + "/my-grades", "401 | 200 404 404 404 | 404 404 | 404 404 | 404 404", lambda w: {}
)
