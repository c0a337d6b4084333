"""The grader table's pages: staff of the course and managers only (its students and outsiders
are told it does not exist, as for the participants list); a learner's own grades page is the
course's students'."""

from tests.grades.grader_matrix import manual_item, override_of, victim_grade, worksheet
from tests.test_page_permission_matrix import LOGIN, World, answers, page

READ = answers(LOGIN, 404, 404, 200, 200, 404)
WRITE = answers(LOGIN, 404, 404, 303, 303, 404)


def _grade(w: World) -> dict[str, object]:
    return {"grade_id": victim_grade(w.db, w.course.id, w.victim_id).id}


def _override(w: World) -> dict[str, object]:
    grade = victim_grade(w.db, w.course.id, w.victim_id)
    return {"grade_id": grade.id, "data": {k: str(v) for k, v in override_of(grade).items()}}


def _removal(w: World) -> dict[str, object]:
    grade = victim_grade(w.db, w.course.id, w.victim_id, overridden=True)
    return {"grade_id": grade.id, "data": {"version": str(grade.version), "reason": "Re-marked"}}


def _slot(w: World) -> dict[str, object]:
    return {"item_id": manual_item(w.db, w.course.id).id, "user_id": w.victim_id}


def _new_grade(w: World) -> dict[str, object]:
    return {**_slot(w), "data": {"version": "0", "points": "11", "reason": "Oral exam"}}


def _upload(w: World) -> dict[str, object]:
    text = worksheet(w.db, w.course.id, "victim@example.org")
    return {"files": {"file": ("marks.csv", text.encode())}}


def _apply(w: World) -> dict[str, object]:
    return {"data": {"worksheet": worksheet(w.db, w.course.id, "victim@example.org")}}


page("GET", "/courses/{code}/grades", READ)
page("GET", "/courses/{code}/grades.csv", READ)
page("GET", "/grades/{grade_id}/edit", READ, _grade)
page("POST", "/grades/{grade_id}/edit", WRITE, _override)
page("GET", "/courses/{code}/grades/{item_id}/{user_id}/edit", READ, _slot)
page("POST", "/courses/{code}/grades/{item_id}/{user_id}/edit", WRITE, _new_grade)
page("POST", "/grades/{grade_id}/override-removal", WRITE, _removal)
page("GET", "/grades/{grade_id}/history", READ, _grade)
page("GET", "/courses/{code}/my-grades", answers(LOGIN, 404, 200, 404, 404, 404))
page("GET", "/courses/{code}/grades/import", READ)
page("POST", "/courses/{code}/grades/import", answers(LOGIN, 404, 404, 200, 200, 404), _upload)
page("POST", "/courses/{code}/grades/import/apply", WRITE, _apply)
