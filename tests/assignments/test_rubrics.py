"""Rubrics and marking guides: Moodle's formula, criteria locked once used, a guide's points,
and the rubric form without JavaScript."""

from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.assignments.marking_models import Criterion
from app.assignments.models import Assignment, GradingMethod
from tests.accounts.factories import page_csrf
from tests.assignments.factories import make_submission
from tests.assignments.marking_setup import Class, klass_fixture  # noqa: F401


def _rubric(lowest: int = 0) -> dict[str, object]:
    levels = [{"points": str(p), "definition": f"{p} points"} for p in range(lowest, 5)]
    return {
        "lock_zero_points": lowest == 0,
        "criteria": [
            {"description": d, "levels": levels} for d in ("Argument", "Sources", "Style")
        ],
    }


def _define(client: TestClient, klass: Class, assignment: Assignment, body: dict[str, object]):
    return client.put(f"/api/v1/assignments/{assignment.id}/rubric",
                      headers=klass.headers(klass.teacher), json=body)  # fmt: skip


def _choose(rubric: dict[str, object], points: list[int]) -> list[dict[str, int]]:
    chosen = []
    for criterion, wanted in zip(rubric["criteria"], points, strict=True):
        level = next(lv for lv in criterion["levels"] if Decimal(lv["points"]) == wanted)
        chosen.append({"criterion_id": criterion["id"], "level_id": level["id"]})
    return chosen


def test_chosen_levels_4_2_3_of_12_give_15_out_of_20(client: TestClient, klass: Class):
    assignment = klass.assignment(grading_method=GradingMethod.RUBRIC, max_points=Decimal(20))
    attempt = make_submission(klass.db, assignment, user=klass.students[0])
    rubric = _define(client, klass, assignment, _rubric()).json()

    marked = client.put(
        f"/api/v1/submissions/{attempt.id}/marking", headers=klass.headers(klass.tutor),
        json={"version": 0, "criteria": _choose(rubric, [4, 2, 3])},
    )  # fmt: skip

    assert marked.status_code == 200, marked.text
    assert Decimal(marked.json()["points"]) == Decimal(15)
    assert len(marked.json()["criteria"]) == 3


def test_without_locked_zero_the_minimum_is_taken_off(client: TestClient, klass: Class):
    assignment = klass.assignment(grading_method=GradingMethod.RUBRIC, max_points=Decimal(20))
    attempt = make_submission(klass.db, assignment, user=klass.students[0])
    rubric = _define(client, klass, assignment, _rubric(lowest=1)).json()

    marked = client.put(
        f"/api/v1/submissions/{attempt.id}/marking", headers=klass.headers(klass.tutor),
        json={"version": 0, "criteria": _choose(rubric, [4, 2, 3])},
    )  # fmt: skip

    assert Decimal(marked.json()["points"]) == Decimal("13.33")  # (9 − 3) / (12 − 3) × 20


def test_every_criterion_needs_a_level(client: TestClient, klass: Class):
    assignment = klass.assignment(grading_method=GradingMethod.RUBRIC)
    attempt = make_submission(klass.db, assignment, user=klass.students[0])
    rubric = _define(client, klass, assignment, _rubric()).json()

    refused = client.put(
        f"/api/v1/submissions/{attempt.id}/marking", headers=klass.headers(klass.tutor),
        json={"version": 0, "criteria": _choose(rubric, [4, 2, 3])[:2]},
    )  # fmt: skip

    assert refused.status_code == 422
    assert refused.json()["code"] == "invalid"


def test_criteria_used_by_a_marking_can_no_longer_change(client: TestClient, klass: Class):
    assignment = klass.assignment(grading_method=GradingMethod.RUBRIC)
    attempt = make_submission(klass.db, assignment, user=klass.students[0])
    rubric = _define(client, klass, assignment, _rubric()).json()
    client.put(f"/api/v1/submissions/{attempt.id}/marking", headers=klass.headers(klass.tutor),
               json={"version": 0, "criteria": _choose(rubric, [1, 1, 1])})  # fmt: skip

    again = _define(client, klass, assignment, _rubric(lowest=1))

    assert again.status_code == 409
    assert again.json()["code"] == "rubric_in_use"
    read = client.get(f"/api/v1/assignments/{assignment.id}/rubric",
                      headers=klass.headers(klass.tutor)).json()  # fmt: skip
    assert read["in_use"] is True
    assert Decimal(read["criteria"][0]["levels"][0]["points"]) == 0


def test_a_marking_guide_scales_the_points_given(client: TestClient, klass: Class):
    assignment = klass.assignment(grading_method=GradingMethod.GUIDE, max_points=Decimal(20))
    attempt = make_submission(klass.db, assignment, user=klass.students[0])
    guide = _define(client, klass, assignment, {"criteria": [
        {"description": "Analysis", "max_points": "10"},
        {"description": "Presentation", "max_points": "5"},
    ]}).json()  # fmt: skip
    first, second = (c["id"] for c in guide["criteria"])

    marked = client.put(
        f"/api/v1/submissions/{attempt.id}/marking", headers=klass.headers(klass.tutor),
        json={"version": 0, "criteria": [
            {"criterion_id": first, "points": "8", "comment": "Sharp"},
            {"criterion_id": second, "points": "4"},
        ]},
    )  # fmt: skip
    over = client.put(
        f"/api/v1/submissions/{attempt.id}/marking", headers=klass.headers(klass.tutor),
        json={"version": 1, "criteria": [
            {"criterion_id": first, "points": "11"}, {"criterion_id": second, "points": "4"},
        ]},
    )  # fmt: skip

    assert Decimal(marked.json()["points"]) == Decimal(16)  # 12 / 15 × 20
    assert over.status_code == 422


def test_a_teacher_defines_a_rubric_on_the_page_and_marks_with_radios(
    client: TestClient, klass: Class
):
    assignment = klass.assignment(grading_method=GradingMethod.RUBRIC, max_points=Decimal(20))
    attempt = make_submission(klass.db, assignment, user=klass.students[0])
    klass.sign_in(client, klass.teacher)
    page = f"/assignments/{assignment.id}/rubric"
    fields = {"csrf_token": page_csrf(client, page), "lock_zero_points": "1"}
    for i, name in enumerate(("Argument", "Sources", "Style")):
        fields[f"c{i}-description"] = name
        for j in range(5):
            fields[f"c{i}-l{j}-points"] = str(j)
            fields[f"c{i}-l{j}-definition"] = f"Level {j}"

    saved = client.post(page, data=fields, follow_redirects=False)
    criteria = list(klass.db.scalars(select(Criterion).order_by(Criterion.position)))
    form = client.get(f"/submissions/{attempt.id}/mark")

    assert saved.status_code == 303
    assert [c.description for c in criteria] == ["Argument", "Sources", "Style"]
    assert form.text.count('type="radio"') == 15


def test_a_refused_rubric_form_writes_nothing(client: TestClient, klass: Class):
    assignment = klass.assignment(grading_method=GradingMethod.RUBRIC)
    klass.sign_in(client, klass.teacher)
    page = f"/assignments/{assignment.id}/rubric"
    fields = {"csrf_token": page_csrf(client, page), "c0-description": "Only one level",
              "c0-l0-points": "1", "c0-l0-definition": "Some"}  # fmt: skip

    refused = client.post(page, data=fields)

    assert refused.status_code == 400
    assert "at least two levels" in refused.text
    assert klass.db.scalar(select(func.count()).select_from(Criterion)) == 0
