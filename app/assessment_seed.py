"""The assessment part of the seed (quizzes, assignments, rubrics, the MBA jury), loaded by
`app.seed.load_seed` after the courses and sessions, always through the domains' services.
Loaded once: a quiz that has its questions, an assignment whose settings were changed, a
rubric, a group or a jury member that exists is left as it is."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.service import find_user_by_email
from app.assignments.jury_models import JuryMember
from app.assignments.jury_schemas import JuryMemberCreate
from app.assignments.marking_schemas import RubricUpdate
from app.assignments.models import Assignment
from app.assignments.schemas import AssignmentSettings
from app.assignments.service import examiners, rubrics
from app.assignments.service import settings as assignment_settings
from app.core.actors import SYSTEM
from app.core.config import Settings
from app.core.db import utcnow
from app.courses.models import Course, Module
from app.enrolment import cohorts
from app.enrolment.models import Group
from app.grades.service.scales import scale_by_code
from app.quizzes.attempt_models import QuizSlot
from app.quizzes.models import QuestionCategory
from app.quizzes.quiz_schemas import QuizSettings, SlotAdd
from app.quizzes.service import quizzes, slots, transfer
from app.webinars.timezones import to_utc

DATE_FIELDS = {"opens": "opens_at", "due": "due_at", "cutoff": "cutoff_at",
               "grading_due": "grading_due_at", "closes": "closes_at"}  # fmt: skip


@dataclass
class AssessmentReport:
    questions: int = 0
    quizzes: int = 0
    assignments: int = 0
    rubrics: int = 0
    groups: int = 0
    jury_members: int = 0


def _read(seed_dir: Path) -> dict[str, Any]:
    path = seed_dir / "assessment.yaml"
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
    return loaded


def load_assessment(session: Session, settings: Settings, seed_dir: Path) -> AssessmentReport:
    """The quizzes and assignments of `assessment.yaml` whose course has been imported."""
    report = AssessmentReport()
    content = _read(seed_dir)
    for entry in content.get("quizzes", []):
        module = _module(session, entry)
        if module is not None:
            _load_quiz(session, seed_dir, entry, module, report)
    for entry in content.get("assignments", []):
        module = _module(session, entry)
        if module is not None:
            _load_assignment(session, settings, entry, module, report)
    return report


def seat_juries(session: Session, settings: Settings, seed_dir: Path) -> int:
    """Jury members whose account exists now (the demo accounts are made after the seed is
    loaded) join their jury; returns how many joined."""
    report = AssessmentReport()
    for entry in _read(seed_dir).get("assignments", []):
        module = _module(session, entry)
        if module is not None and "jury" in entry:
            assignment = assignment_settings.assignment_of(session, module)
            _load_jury(session, settings, assignment, entry["jury"], report)
    return report.jury_members


def _module(session: Session, entry: dict[str, Any]) -> Module | None:
    return session.scalar(
        select(Module)
        .join(Course, Course.id == Module.course_id)
        .where(Course.code == entry["course"], Module.key == entry["module"])
    )


def _course_start(session: Session, course_id: int) -> date:
    """The course's start date, or the Monday after loading (as the seed's sessions are)."""
    starts_on = session.scalar(select(Course.starts_on).where(Course.id == course_id))
    if starts_on is not None:
        return starts_on
    today = utcnow().date()
    return today + timedelta(days=7 - today.weekday())


def _moment(spec: dict[str, Any], start: date) -> datetime:
    """`week` 1 is the course's first week, `weekday` 1 its Monday; `time` in `time_zone`."""
    day = start + timedelta(weeks=spec["week"] - 1, days=spec.get("weekday", 1) - 1)
    local = datetime.combine(day, time.fromisoformat(spec.get("time", "00:00")))
    return to_utc(local, spec.get("time_zone", "UTC"))


def _dates(session: Session, course_id: int, entry: dict[str, Any]) -> dict[str, datetime]:
    start = _course_start(session, course_id)
    return {DATE_FIELDS[name]: _moment(spec, start)
            for name, spec in entry.get("dates", {}).items()}  # fmt: skip


def _category(session: Session, course_id: int, path: str) -> QuestionCategory | None:
    """The bank's category at `path` ("Week 1/Health systems"), if it exists."""
    category = None
    for name in path.split("/"):
        parent = QuestionCategory.parent_id.is_(None) if category is None else (
            QuestionCategory.parent_id == category.id)  # fmt: skip
        category = session.scalar(
            select(QuestionCategory).where(
                QuestionCategory.course_id == course_id,
                parent,
                QuestionCategory.name == name.strip(),
            )
        )
        if category is None:
            return None
    return category


def _load_quiz(
    session: Session, seed_dir: Path, entry: dict[str, Any], module: Module,
    report: AssessmentReport,
) -> None:  # fmt: skip
    """Import the GIFT files, then set the quiz and its slots unless it has slots already."""
    folder = seed_dir / "courses" / entry["course"]
    for name in entry.get("questions", []):
        gift = (folder / name).read_bytes()
        categories = [line.split(":", 1)[1].strip() for line in gift.decode().splitlines()
                      if line.startswith("$CATEGORY:")]  # fmt: skip
        if categories and all(_category(session, module.course_id, c) for c in categories):
            continue
        imported = transfer.import_questions(
            session, SYSTEM, module.course_id, gift, "gift", apply=True
        )
        report.questions += len(imported.drafts)
    quiz = quizzes.quiz_of_module(session, SYSTEM, module.id).quiz
    if session.scalar(select(QuizSlot.id).where(QuizSlot.quiz_id == quiz.id).limit(1)):
        return
    wanted = {**entry.get("settings", {}), **_dates(session, module.course_id, entry)}
    quizzes.update_quiz(session, SYSTEM, module.id, QuizSettings.model_validate(wanted))
    for slot in entry.get("slots", []):
        category = _category(session, module.course_id, slot["random"])
        if category is None:
            continue
        slots.add_slots(
            session, SYSTEM, quiz.id, SlotAdd(category_id=category.id, count=slot["count"])
        )
    report.quizzes += 1


def _load_assignment(
    session: Session, settings: Settings, entry: dict[str, Any], module: Module,
    report: AssessmentReport,
) -> None:  # fmt: skip
    assignment = assignment_settings.assignment_of(session, module)
    wanted = _assignment_settings(session, entry, module)
    if _current_settings(assignment) == AssignmentSettings().model_dump():
        assignment_settings.update_settings(session, SYSTEM, module.id, wanted)
        report.assignments += 1
    if "rubric" in entry and rubrics.rubric_of(session, assignment.id) is None:
        data = RubricUpdate.model_validate(entry["rubric"])
        rubrics.define_rubric(session, SYSTEM, assignment.id, data)
        report.rubrics += 1
    existing = set(session.scalars(select(Group.name).where(Group.course_id == module.course_id)))
    for name in entry.get("groups", []):
        if name not in existing:
            cohorts.create_group(session, SYSTEM, module.course_id, name)
            report.groups += 1
    if "jury" in entry:
        _load_jury(session, settings, assignment, entry["jury"], report)


def _assignment_settings(
    session: Session, entry: dict[str, Any], module: Module
) -> AssignmentSettings:
    data = dict(entry.get("settings", {}))
    code = data.pop("scale", None)
    if code is not None:
        scale = scale_by_code(session, code)
        data["scale_id"] = scale.id if scale is not None else None
    return AssignmentSettings.model_validate({**data, **_dates(session, module.course_id, entry)})


def _current_settings(assignment: Assignment) -> dict[str, Any]:
    return {name: getattr(assignment, name) for name in AssignmentSettings.model_fields}


def _load_jury(
    session: Session, settings: Settings, assignment: Assignment, jury: dict[str, Any],
    report: AssessmentReport,
) -> None:  # fmt: skip
    """The chair and the members whose accounts exist and who are not on the jury yet."""
    seated = set(session.scalars(select(JuryMember.user_id).where(
        JuryMember.assignment_id == assignment.id)))  # fmt: skip
    wanted = [(jury["chair"], True)] + [(email, False) for email in jury.get("members", [])]
    for email, chair in wanted:
        user = find_user_by_email(session, email)
        if user is None or user.id in seated:
            continue
        data = JuryMemberCreate(email=user.email, display_name=user.display_name, chair=chair)
        examiners.add_member(session, SYSTEM, settings, assignment.id, data)
        report.jury_members += 1
