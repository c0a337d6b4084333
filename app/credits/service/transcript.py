"""What a signed document says, as plain JSON values (numbers as strings, so a credit is
exactly what the ledger holds): the entries in force grouped by awarding institution with the
grading tables their bands come from (Transcript of Records), the same for one programme with
its title, level and credits (Diploma Supplement), or the hours, dates and outcomes of a
completed course that awards no credit (certificate). Callers have checked the policy."""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.accounts.models import Institution
from app.courses.models import Course, CourseCompletion, Programme, ProgrammeCourse
from app.credits.models import CreditEntry, GradingTable
from app.credits.service import progress
from app.credits.service.ledger import in_force
from app.enrolment.models import ProgrammeEnrolment
from app.membership.models import Enrolment, EnrolmentStatus
from app.webinars.service.hours import course_hours

Json = dict[str, Any]


def _text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.normalize():f}"


def institution_json(institution: Institution | None) -> Json | None:
    if institution is None:
        return None
    return {"code": institution.code, "name": institution.name, "country": institution.country}


def _entry_json(entry: CreditEntry) -> Json:
    band = None
    if entry.band_from is not None and entry.band_to is not None:
        band = {
            "table_id": entry.grading_table_id,
            "from": _text(entry.band_from),
            "to": _text(entry.band_to),
        }
    return {
        "unit_code": entry.unit_code,
        "unit_title": entry.unit_title,
        "credits": _text(entry.credits),
        "grade": entry.grade,
        "scale": entry.scale_code,
        "term": entry.term,
        "awarded_on": entry.awarded_on.isoformat(),
        "source": entry.source.value,
        "band": band,
    }


def _table_json(table: GradingTable) -> Json:
    return {
        "id": table.id,
        "isced_code": table.isced_code,
        "eqf_level": table.eqf_level,
        "scale": table.scale_code,
        "source": table.source.value,
        "period_from": table.period_from.isoformat(),
        "period_to": table.period_to.isoformat(),
        "total": table.total,
        "rows": [
            {
                "grade": row.grade,
                "count": row.count,
                "percent": _text(row.percent),
                "cumulative": _text(row.cumulative),
            }
            for row in table.rows
        ],
    }


def _records(session: Session, entries: list[CreditEntry]) -> Json:
    """Entries grouped by awarding institution (in order of first award), the total, and the
    grading tables the entries' bands were read from. Three queries."""
    ids = {e.institution_id for e in entries if e.institution_id is not None}
    institutions = {
        i.id: i for i in session.scalars(select(Institution).where(Institution.id.in_(ids)))
    }
    groups: dict[int | None, list[CreditEntry]] = {}
    for entry in entries:
        groups.setdefault(entry.institution_id, []).append(entry)
    table_ids = {e.grading_table_id for e in entries if e.grading_table_id is not None}
    tables = session.scalars(
        select(GradingTable)
        .where(GradingTable.id.in_(table_ids))
        .options(selectinload(GradingTable.rows))
        .order_by(GradingTable.id)
    )
    return {
        "institutions": [
            {
                "institution": institution_json(institutions.get(key) if key else None),
                "entries": [_entry_json(e) for e in group],
                "credits": _text(sum((e.credits for e in group), Decimal(0))),
            }
            for key, group in groups.items()
        ],
        "total_credits": _text(sum((e.credits for e in entries), Decimal(0))),
        "grading_tables": [_table_json(t) for t in tables],
    }


def transcript_content(session: Session, user_id: int) -> Json:
    """A Transcript of Records: every entry in force, each course or unit once."""
    return _records(session, in_force(session, [user_id])[user_id])


def _programme_course_ids(session: Session, programme: Programme) -> set[int]:
    return set(
        session.scalars(
            select(ProgrammeCourse.course_id).where(ProgrammeCourse.programme_id == programme.id)
        )
    )


def programme_json(programme: Programme) -> Json:
    return {
        "code": programme.code,
        "title": programme.title,
        "eqf_level": programme.eqf_level,
        "credits": _text(programme.ects),
        "outcomes": list(programme.outcomes or []),
    }


def supplement_content(session: Session, user_id: int, programme: Programme) -> Json:
    """A Diploma Supplement: the programme, the learner's standing toward it (credits earned
    and required, eligibility for the award, as computed by `progress`), and the entries in
    force for its courses or for units recognised or transferred from elsewhere."""
    course_ids = _programme_course_ids(session, programme)
    entries = [
        e
        for e in in_force(session, [user_id])[user_id]
        if e.course_id is None or e.course_id in course_ids
    ]
    standing = progress.compute(session, user_id, programme)
    return {
        "programme": programme_json(programme),
        "standing": {
            "earned": _text(standing.earned),
            "required": _text(standing.required),
            "eligible": standing.eligible,
        },
        **_records(session, entries),
    }


def completion_date(session: Session, user_id: int, course: Course) -> str | None:
    """When the learner completed the course (its completion, else a completed enrolment's
    end); None when they have not."""
    completed = session.scalar(
        select(CourseCompletion.completed_at)
        .where(CourseCompletion.user_id == user_id, CourseCompletion.course_id == course.id)
        .order_by(CourseCompletion.completed_at)
        .limit(1)
    )
    if completed is not None:
        return completed.date().isoformat()
    enrolment = session.scalar(
        select(Enrolment).where(
            Enrolment.user_id == user_id,
            Enrolment.course_id == course.id,
            Enrolment.status == EnrolmentStatus.COMPLETED,
        )
    )
    if enrolment is None:
        return None
    finished = enrolment.ends_on or course.ends_on or enrolment.created_at.date()
    return finished.isoformat()


def _outcomes(programmes: Iterable[Programme]) -> list[str]:
    seen: list[str] = []
    for programme in programmes:
        seen.extend(o for o in programme.outcomes or [] if o not in seen)
    return seen


def certificate_content(session: Session, user_id: int, course: Course, completed_on: str) -> Json:
    """A certificate of completion: the course, its workload and the hours attended in its
    webinars and seminars, its dates, and the outcomes of the programmes it belongs to."""
    programmes = session.scalars(
        select(Programme)
        .join(ProgrammeCourse, ProgrammeCourse.programme_id == Programme.id)
        .where(ProgrammeCourse.course_id == course.id)
        .order_by(Programme.code)
    ).all()
    attended = course_hours(session, course.id, [user_id])[user_id]
    return {
        "course": {
            "code": course.code,
            "title": course.title,
            "credits": _text(course.ects),
            "workload_hours": course.workload_hours,
            "starts_on": course.starts_on.isoformat() if course.starts_on else None,
            "ends_on": course.ends_on.isoformat() if course.ends_on else None,
        },
        "programmes": [{"code": p.code, "title": p.title} for p in programmes],
        "attended_hours": _text(attended),
        "completed_on": completed_on,
        "outcomes": _outcomes(programmes),
    }


def issuable_subjects(session: Session, user_id: int) -> tuple[list[Programme], list[Course]]:
    """What a learner may ask a document for: the programmes they follow (enrolled in it or
    in one of its courses), and their courses that award no credit. Two queries."""
    courses = select(Enrolment.course_id).where(Enrolment.user_id == user_id)
    programmes = session.scalars(
        select(Programme)
        .where(
            Programme.id.in_(
                select(ProgrammeEnrolment.programme_id).where(ProgrammeEnrolment.user_id == user_id)
            )
            | Programme.id.in_(
                select(ProgrammeCourse.programme_id).where(ProgrammeCourse.course_id.in_(courses))
            )
        )
        .order_by(Programme.code)
    ).all()
    free = session.scalars(
        select(Course).where(Course.id.in_(courses), Course.ects == 0).order_by(Course.code)
    ).all()
    return list(programmes), list(free)
