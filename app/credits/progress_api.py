"""Programme rules and learners' progress over the API: a programme's credit rules
(`credits:read`, replaced by its registrars with `credits:write`) and a learner's progress
toward each programme, computed from the ledger every time it is read."""

from typing import Annotated

from fastapi import APIRouter, Path

from app.accounts.deps import SignedInApiActor
from app.core.db import SessionDep
from app.core.inputs import Id
from app.core.routes import DeferredRoute
from app.credits.models import CreditEntry
from app.credits.progress_schemas import (
    CompensationUnitRead,
    CourseStandingRead,
    ElectiveGroupRead,
    ElectiveStandingRead,
    EntryRef,
    ProgressRead,
    RuleCourseRead,
    RulesRead,
    RulesWrite,
)
from app.credits.service import progress as progress_service
from app.credits.service import rules as rules_service
from app.credits.service.progress import Progress
from app.credits.service.rules import RuleSet

router = APIRouter(tags=["credits"], route_class=DeferredRoute)

ProgrammeCode = Annotated[str, Path(min_length=1, max_length=32)]


def rules_read(ruleset: RuleSet) -> RulesRead:
    """The JSON shape of a programme's rules."""
    group_of = ruleset.group_of
    code_of = {link.course_id: link.course.code for link in ruleset.courses}
    unit_of = {link.course_id: unit.code for unit in ruleset.units for link in unit.courses}
    programme = ruleset.programme
    return RulesRead(
        programme=programme.code,
        total_credits=programme.ects,
        contact_hours_required=programme.attendance_hours_required,
        semesters=ruleset.semesters,
        courses=[
            RuleCourseRead(
                code=link.course.code,
                title=link.course.title,
                semester=link.semester,
                credits=link.course.ects,
                mandatory=ruleset.is_mandatory(link),
                elective_group=group_of[link.course_id].code
                if link.course_id in group_of
                else None,
                compensation_unit=unit_of.get(link.course_id),
            )
            for link in ruleset.courses
        ],
        elective_groups=[
            ElectiveGroupRead(
                code=g.code,
                title=g.title,
                semester=g.semester,
                min_credits=g.min_credits,
                courses=[code_of[c.course_id] for c in g.courses if c.course_id in code_of],
            )
            for g in ruleset.groups
        ],
        compensation_units=[
            CompensationUnitRead(
                code=u.code,
                title=u.title,
                semester=u.semester,
                threshold_percent=u.threshold_percent,
                courses=[code_of[c.course_id] for c in u.courses if c.course_id in code_of],
            )
            for u in ruleset.units
        ],
    )


def _entry(entry: CreditEntry) -> EntryRef:
    return EntryRef(
        id=entry.id,
        unit_code=entry.unit_code,
        unit_title=entry.unit_title,
        credits=entry.credits,
        source=entry.source.value,
        institution_id=entry.institution_id,
        term=entry.term,
    )


def progress_read(found: Progress) -> ProgressRead:
    """The JSON shape of a learner's progress; `unmet` in English."""
    code_of = {s.course_id: s.code for s in found.courses}
    return ProgressRead(
        user_id=found.user_id,
        programme=found.programme.code,
        programme_title=found.programme.title,
        required=found.required,
        earned=found.earned,
        eligible=found.eligible,
        unmet=found.reasons(lambda msgid: msgid),
        hours_required=found.hours_required,
        hours_attended=found.hours_attended,
        courses=[
            CourseStandingRead(
                course_id=s.course_id,
                code=s.code,
                title=s.title,
                semester=s.semester,
                planned_semester=s.planned_semester,
                credits=s.credits,
                mandatory=s.mandatory,
                elective_group=s.elective_group,
                status=s.status,
                entry=_entry(s.entry) if s.entry else None,
            )
            for s in found.courses
        ],
        electives=[
            ElectiveStandingRead(
                code=e.code,
                title=e.title,
                min_credits=e.min_credits,
                earned=e.earned,
                chosen=[code_of[c] for c in e.chosen],
            )
            for e in found.electives
        ],
        other_entries=[_entry(e) for e in found.other_entries],
        to_take={
            semester: [s.code for s in courses] for semester, courses in found.to_take().items()
        },
    )


@router.get("/users/{user_id}/programmes/{code}/progress", response_model=ProgressRead)
def read_progress(
    user_id: Id, code: ProgrammeCode, session: SessionDep, actor: SignedInApiActor
) -> ProgressRead:
    """The learner's progress toward a programme, computed from the ledger: each course
    `earned`, `compensated` or `missing`, the elective groups, recognised or transferred
    units that count (`other_entries`), contact hours, the courses still `to_take` per
    semester, and whether every rule of the award is met (`eligible`, else `unmet`).
    Readable by the learner, registrars and partner systems (`credits:read`) who reach them;
    anyone else is told the learner does not exist (404)."""
    return progress_read(progress_service.for_learner(session, actor, user_id, code))


@router.get("/users/{user_id}/progress", response_model=list[ProgressRead])
def read_all_progress(
    user_id: Id, session: SessionDep, actor: SignedInApiActor
) -> list[ProgressRead]:
    """The learner's progress toward every programme they are enrolled in, by programme
    code. Same readers as one programme's progress."""
    found = progress_service.for_learner_programmes(session, actor, user_id)
    return [progress_read(p) for p in found]


@router.get("/programmes/{code}/rules", response_model=RulesRead)
def read_rules(code: ProgrammeCode, session: SessionDep, actor: SignedInApiActor) -> RulesRead:
    """A programme's credit rules: total credits, semesters, each course's semester, credits
    and whether it is mandatory (an awarding institution's transversal courses always are; a
    course in an elective group is elective), elective groups with their minimum credits,
    compensation units with their threshold, and the contact hours required (`credits:read`)."""
    return rules_read(rules_service.get_rules(session, actor, code))


@router.put("/programmes/{code}/rules", response_model=RulesRead)
def replace_rules(
    code: ProgrammeCode, data: RulesWrite, session: SessionDep, actor: SignedInApiActor
) -> RulesRead:
    """Replace a programme's semesters, elective groups and compensation units as a whole.
    A group's courses belong to the programme and are not an awarding institution's mandatory
    courses, its minimum credits do not exceed its courses' credits, and a course is in at
    most one group and one unit; otherwise 422 `programme_rule_invalid` and nothing changes.
    Registrars of one of the programme's awarding institutions (`credits:write`)."""
    return rules_read(rules_service.replace_rules(session, actor, code, data))
