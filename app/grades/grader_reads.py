"""The grader table, a grade's history and a learner's own grades as API answers."""

from app.grades.grader_schemas import (
    GradeChangeRead,
    GraderCellRead,
    GraderItemRead,
    GraderRead,
    GraderRowRead,
    MyGradeRead,
    MyGradesRead,
)
from app.grades.service.grader import GraderRow, GraderTable
from app.grades.service.learner_view import MyGrades
from app.grades.service.overrides import GradeHistory


def grader_read(table: GraderTable) -> GraderRead:
    items = [
        GraderItemRead(
            id=item.id,
            title=item.title,
            source=item.source,
            max_points=item.max_points,
            category_id=item.category_id,
            locked=item.locked_at is not None,
        )
        for item in table.items
    ]
    return GraderRead(
        course_id=table.course.id,
        group_id=table.group_id,
        items=items,
        rows=[_row(table, row) for row in table.rows],
    )


def _row(table: GraderTable, row: GraderRow) -> GraderRowRead:
    cells = []
    for item in table.items:
        grade = row.grades.get(item.id)
        cells.append(
            GraderCellRead(
                item_id=item.id,
                grade_id=grade.id if grade else None,
                final_points=grade.final_points if grade else None,
                overridden=grade is not None and grade.override_points is not None,
                released=grade is not None and grade.released_at is not None,
                version=grade.version if grade else 0,
            )
        )
    return GraderRowRead(
        user_id=row.learner.id,
        display_name=row.learner.display_name,
        email=row.learner.email,
        cells=cells,
        total=row.total.points,
        total_max=row.total.max_points,
    )


def history_read(history: GradeHistory) -> list[GradeChangeRead]:
    return [
        GradeChangeRead(
            kind=change.kind,
            from_points=change.from_points,
            to_points=change.to_points,
            reason=change.reason,
            changed_by_id=change.changed_by_id,
            changed_by_name=who.display_name if who else None,
            changed_at=change.changed_at,
        )
        for change, who in history.changes
    ]


def my_grades_read(mine: MyGrades) -> MyGradesRead:
    grades = [
        MyGradeRead(
            item_id=entry.item.id,
            title=entry.item.title,
            max_points=entry.item.max_points,
            points=entry.grade.final_points,
            feedback_html=entry.grade.feedback_html,
            released_at=entry.grade.released_at,
        )
        for entry in mine.grades
        if entry.grade.released_at is not None
    ]
    result = mine.result
    return MyGradesRead(
        course_id=mine.course.id,
        grades=grades,
        total=result.points if result else None,
        max_total=result.max_points if result else None,
        passed=result.passed if result else None,
    )
