"""The offline marking worksheet: a CSV of every learner (or group) with their grade and
feedback, marked in a spreadsheet and uploaded back. The upload is previewed first; applying
it saves each changed line as a marking (never released), and one refused line refuses the
whole sheet, so nothing is written. Anonymous assignments list participants, not names."""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assignments.marking_schemas import EmptyAttempt, MarkingUpdate
from app.assignments.models import Assignment, GradingMethod
from app.assignments.service import marking
from app.assignments.service.marking_list import Row, submission_list
from app.core.actors import Actor
from app.core.config import Settings
from app.core.errors import Conflict, DomainError, Invalid
from app.core.i18n import N_
from app.core.spreadsheets import csv_text
from app.grades.models import ScaleLevel

HEADER = ("identifier", "name", "status", "grade", "feedback", "version")
MAX_LINES = 5000
TOO_LONG = N_("The worksheet has too many lines.")
NOT_VALID = N_("This grade or feedback is not valid.")


class WorksheetRefused(Invalid):
    code = "worksheet_refused"
    title = N_("Some lines of the worksheet are not valid; nothing was saved.")

    def __init__(self, problems: list["Problem"]) -> None:
        super().__init__(field="file")
        self.problems = problems


@dataclass(frozen=True)
class Problem:
    line: int
    identifier: str
    message: str


@dataclass(frozen=True)
class Change:
    line: int
    identifier: str
    grade: str
    feedback: str


@dataclass
class Outcome:
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def identifier(row: Row) -> str:
    if row.group_id is not None:
        return f"group-{row.group_id}"
    if row.participant is not None:
        return f"participant-{row.participant}"
    return f"user-{row.user_id}"


def _grade_text(row: Row, labels: dict[int, str]) -> str:
    if row.marking is None or row.marking.points is None:
        return ""
    if row.marking.scale_level_id is not None:
        return labels.get(row.marking.scale_level_id, "")
    return str(row.marking.points)


def _line(row: Row, labels: dict[int, str]) -> tuple[object, ...]:
    found = row.marking
    return (
        identifier(row), row.name or f"Participant {row.participant}", row.status,
        _grade_text(row, labels), found.feedback_markdown if found else "",
        found.version if found else 0,
    )  # fmt: skip


def export_worksheet(session: Session, actor: Actor, assignment_id: int) -> tuple[str, str]:
    """The CSV text and a file name that names no one (the assignment's id only)."""
    found = submission_list(session, actor, assignment_id)
    labels = _labels(session, found.access.assignment)
    rows = [_line(r, labels) for r in found.rows]
    return csv_text(HEADER, rows), f"marking-worksheet-{assignment_id}.csv"


def _labels(session: Session, assignment: Assignment) -> dict[int, str]:
    if assignment.scale_id is None:
        return {}
    levels = session.scalars(select(ScaleLevel).where(ScaleLevel.scale_id == assignment.scale_id))
    return {level.id: level.label for level in levels}


def _lines(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None or not {"identifier", "grade", "feedback"} <= set(
        reader.fieldnames
    ):
        raise Invalid(N_("The file is not a marking worksheet of this assignment."), field="file")
    lines: list[dict[str, str]] = []
    for line in reader:
        if len(lines) >= MAX_LINES:
            raise Invalid(TOO_LONG, field="file")
        lines.append({k: (v or "").strip() for k, v in line.items() if isinstance(k, str)})
    return lines


def _unquote(value: str) -> str:
    """A cell the export neutralised (a leading apostrophe) reads back as it was."""
    return value[1:] if value.startswith("'") else value


def _update(
    assignment: Assignment, row: Row, line: dict[str, str], labels: dict[int, str]
) -> MarkingUpdate:
    grade = _unquote(line.get("grade", ""))
    found = row.marking
    data: dict[str, object] = {
        "version": line.get("version") or (found.version if found else 0),
        "feedback": _unquote(line.get("feedback", "")),
    }
    if found is not None and found.penalty_override_reason:
        data |= {"penalty_points": found.penalty_points,
                 "penalty_override_reason": found.penalty_override_reason}  # fmt: skip
    if assignment.scale_id is not None:
        by_label = {label.casefold(): level_id for level_id, label in labels.items()}
        if grade and grade.casefold() not in by_label:
            raise Invalid(N_("Choose one of the scale's levels."), field="grade")
        data["scale_level_id"] = by_label.get(grade.casefold()) if grade else None
    else:
        try:
            data["points"] = Decimal(grade.replace(",", ".")) if grade else None
        except InvalidOperation:
            raise Invalid(N_("Enter a number."), field="grade") from None
    return MarkingUpdate.model_validate(data)


def _changed(row: Row, line: dict[str, str], labels: dict[int, str]) -> bool:
    grade, feedback = _unquote(line.get("grade", "")), _unquote(line.get("feedback", ""))
    found = row.marking
    current = _grade_text(row, labels)
    same_grade = grade == current or (
        grade and current and _number(grade) is not None and _number(grade) == _number(current)
    )
    return not same_grade or feedback != (found.feedback_markdown if found else "")


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None


def _apply_line(
    session: Session, actor: Actor, settings: Settings, assignment: Assignment, row: Row,
    line: dict[str, str], labels: dict[int, str],
) -> None:  # fmt: skip
    if assignment.grading_method is not GradingMethod.SIMPLE:
        raise Conflict(N_("This assignment is graded with its criteria: mark it on its page."))
    data = _update(assignment, row, line, labels)
    submission = row.submission
    if submission is None:
        wanted = {"group_id": row.group_id} if row.group_id else (
            {"participant": row.participant} if row.participant else {"user_id": row.user_id}
        )  # fmt: skip
        submission = marking.start_empty_attempt(
            session, actor, assignment.id, EmptyAttempt.model_validate(wanted)
        )
    marking.save_marking(session, actor, settings, submission.id, data)


def upload_worksheet(
    session: Session, actor: Actor, settings: Settings, assignment_id: int, text: str,
    *, apply: bool,
) -> Outcome:  # fmt: skip
    """Check every line (and, with `apply`, save the changed ones). Without `apply`, or with
    any refused line, nothing stays written; with `apply` and a refused line, WorksheetRefused."""
    found = submission_list(session, actor, assignment_id)
    assignment = found.access.assignment
    labels = _labels(session, assignment)
    by_identifier = {identifier(r): r for r in found.rows}
    outcome = Outcome()
    trial = session.begin_nested()
    for number, line in enumerate(_lines(text), start=2):
        key = line.get("identifier", "")
        row = by_identifier.get(key)
        if row is None:
            outcome.problems.append(Problem(number, key, N_("No such learner or group.")))
            continue
        if not _changed(row, line, labels):
            continue
        try:
            with session.begin_nested():
                _apply_line(session, actor, settings, assignment, row, line, labels)
        except (ValidationError, DomainError) as refused:
            message = refused.detail if isinstance(refused, DomainError) else NOT_VALID
            outcome.problems.append(Problem(number, key, message))
            continue
        outcome.changes.append(Change(number, key, line.get("grade", ""), line.get("feedback", "")))
    if apply and not outcome.problems:
        trial.commit()
    else:
        trial.rollback()
    if apply and outcome.problems:
        raise WorksheetRefused(outcome.problems)
    return outcome
