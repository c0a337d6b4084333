"""Enrolments, participants, self-enrolment, bulk enrolment, cohorts, groups and learner
profiles over the API."""

from collections.abc import Sequence

from fastapi import APIRouter, Request, Response, status

from app.accounts.deps import SettingsDep, SignedInApiActor
from app.core.db import SessionDep
from app.core.inputs import Id
from app.core.routes import DeferredRoute
from app.core.web import request_locale
from app.enrolment import bulk, cohorts, intakes, programmes, service
from app.enrolment.models import EnrolmentChange
from app.enrolment.schemas import (
    BulkRequest,
    BulkRowRead,
    CohortCreate,
    CohortRead,
    CourseRef,
    EnrolmentChangeRead,
    EnrolmentCreate,
    EnrolmentOptionsUpdate,
    EnrolmentRead,
    EnrolmentStatusChange,
    GroupCreate,
    GroupingCreate,
    GroupingRead,
    GroupRead,
    LearnerProfileRead,
    LearnerProfileUpdate,
    MemberRef,
    ParticipantRead,
    ProgrammeEnrolmentCreate,
    ScholarshipHolderRead,
    SelfEnrolmentRequest,
)

router = APIRouter(tags=["enrolments"], route_class=DeferredRoute)
cohorts_router = APIRouter(prefix="/cohorts", tags=["cohorts"], route_class=DeferredRoute)
groups_router = APIRouter(tags=["groups"], route_class=DeferredRoute)


@router.get("/courses/{course_id}/participants", response_model=list[ParticipantRead])
def participants(
    course_id: Id, session: SessionDep, actor: SignedInApiActor
) -> list[ParticipantRead]:
    """Everyone enrolled in a course, with role, status and funding (staff of the course,
    managers, partner systems)."""
    return [
        ParticipantRead(
            **EnrolmentRead.model_validate(e).model_dump(),
            display_name=u.display_name,
            email=u.email,
        )
        for e, u in service.participants(session, actor, course_id)
    ]


@router.post("/courses/{course_id}/enrolments", response_model=EnrolmentRead, status_code=201)
def enrol(
    course_id: Id, body: EnrolmentCreate, session: SessionDep, actor: SignedInApiActor
) -> object:
    """Enrol a person with a role (teachers of the course, managers, partner systems)."""
    terms = service.EnrolmentTerms(
        body.role, body.funding, body.funder_name, body.starts_on, body.ends_on
    )
    return service.enrol(session, actor, course_id, body.user_id, body.role, terms)


@router.post("/courses/{course_id}/self-enrolment", response_model=EnrolmentRead, status_code=201)
def self_enrol(
    course_id: Id, body: SelfEnrolmentRequest, session: SessionDep, actor: SignedInApiActor
) -> object:
    """Enrol yourself where the course allows it (open, or with its key). Answers
    `course_full`, `enrolment_closed` or `wrong_enrolment_key` otherwise; with approval on,
    the enrolment is `pending` until a teacher approves it."""
    return service.self_enrol(session, actor, course_id, body.key)


@router.put("/courses/{course_id}/enrolment-options", status_code=204)
def set_options(
    course_id: Id, body: EnrolmentOptionsUpdate, session: SessionDep, actor: SignedInApiActor
) -> None:
    """Self-enrolment key, capacity, window and approval (teachers, managers)."""
    service.set_options(session, actor, course_id, **body.model_dump())


@router.get("/enrolments/{enrolment_id}", response_model=EnrolmentRead)
def read_enrolment(enrolment_id: Id, session: SessionDep, actor: SignedInApiActor) -> object:
    """One enrolment (the person, the course's staff, managers)."""
    return service.get_enrolment(session, actor, enrolment_id)


@router.patch("/enrolments/{enrolment_id}", response_model=EnrolmentRead)
def change_status(
    enrolment_id: Id, body: EnrolmentStatusChange, session: SessionDep, actor: SignedInApiActor
) -> object:
    """Approve, suspend, complete, withdraw or reactivate, with a reason kept in the history.
    Students may withdraw themselves."""
    return service.change_status(session, actor, enrolment_id, body.status, body.reason)


@router.get("/enrolments/{enrolment_id}/history", response_model=list[EnrolmentChangeRead])
def history(
    enrolment_id: Id, session: SessionDep, actor: SignedInApiActor
) -> Sequence[EnrolmentChange]:
    """Every change of the enrolment: who, when, from, to, why (the person, the course's
    staff, managers)."""
    return service.history(session, actor, enrolment_id)


@router.post("/courses/{course_id}/bulk-enrolments", response_model=list[BulkRowRead])
def bulk_enrol(
    request: Request,
    course_id: Id,
    body: BulkRequest,
    session: SessionDep,
    settings: SettingsDep,
    actor: SignedInApiActor,
) -> list[BulkRowRead]:
    """Enrol many people at once, matched by your institution's `external_id`. Rows:
    `external_id`, `email`, `display_name`, optional `role`, `funding`, `funder_name`, and
    for the accounts a row creates `language` (en, fr, ru, ar), `time_zone` (IANA),
    `country` (ISO 3166 alpha-2) and `institution` (a code you reach). Idempotent: sending
    the same rows again reports them `unchanged`. A bad row is `rejected` with its reason
    (`reason_code`, and `reason` in the request's language) and leaves nothing behind; the
    other rows still go in. Each person an account is made for receives an invitation
    e-mail, in their language, to choose a password. The report is kept for the portal."""
    intake = bulk.bulk_enrol(
        session, actor, course_id, body.rows, body.institution_code, settings=settings
    )
    locale = request_locale(request)
    return [
        BulkRowRead(
            row=r.row,
            external_id=r.external_id,
            outcome=r.outcome,
            reason=intakes.reason_text(locale, r.reason, r.field) or None,
            reason_code=r.reason,
            field=r.field,
            invited=r.new_account,
        )
        for r in intake.rows
    ]


@router.post("/programmes/{code}/enrolments", status_code=204)
def enrol_in_programme(
    code: str, body: ProgrammeEnrolmentCreate, session: SessionDep, actor: SignedInApiActor
) -> None:
    """Enrol a person in a programme: they are enrolled in each of its courses now, and in
    the runs added to it later (managers, partner systems)."""
    programmes.enrol_in_programme(
        session, actor, code, body.user_id, body.funding, body.funder_name
    )


@router.get("/scholarships", response_model=list[ScholarshipHolderRead])
def scholarships(
    session: SessionDep,
    actor: SignedInApiActor,
    programme: str | None = None,
    funder: str | None = None,
) -> list[ScholarshipHolderRead]:
    """Scholarship holders per programme and funder, for reports to funders (managers)."""
    holders = programmes.scholarship_holders(session, actor, programme, funder)
    return [ScholarshipHolderRead(**vars(holder)) for holder in holders]


@cohorts_router.get("", response_model=list[CohortRead])
def list_cohorts(session: SessionDep, actor: SignedInApiActor) -> object:
    """Cohorts (intakes), for managers."""
    return cohorts.list_cohorts(session, actor)


@cohorts_router.post("", response_model=CohortRead, status_code=201)
def create_cohort(body: CohortCreate, session: SessionDep, actor: SignedInApiActor) -> object:
    """Create a cohort (intake), e.g. "LMQS-KZ-LIC-2021" (managers)."""
    return cohorts.create_cohort(session, actor, body.code, body.name, body.institution_code)


@cohorts_router.post("/{cohort_id}/courses", status_code=204)
def link_course(
    cohort_id: Id, body: CourseRef, session: SessionDep, actor: SignedInApiActor
) -> None:
    """Link a course to the cohort; its members are enrolled (managers reaching both)."""
    cohorts.link_course(session, actor, cohort_id, body.course_id)


@cohorts_router.post("/{cohort_id}/members", status_code=204)
def add_member(
    cohort_id: Id, body: MemberRef, session: SessionDep, actor: SignedInApiActor
) -> None:
    """Add a person: they are enrolled in every linked course (managers)."""
    cohorts.add_member(session, actor, cohort_id, body.user_id)


@cohorts_router.delete("/{cohort_id}/members/{user_id}", status_code=204)
def remove_member(cohort_id: Id, user_id: Id, session: SessionDep, actor: SignedInApiActor) -> None:
    """Remove a person: the enrolments the cohort gave them are suspended (managers)."""
    cohorts.remove_member(session, actor, cohort_id, user_id)


@groups_router.get("/courses/{course_id}/groups", response_model=list[GroupRead])
def list_groups(course_id: Id, session: SessionDep, actor: SignedInApiActor) -> list[GroupRead]:
    """A course's groups (e.g. collective project teams) and their members (its staff and
    students, managers)."""
    return [
        GroupRead(id=g.id, course_id=g.course_id, name=g.name, member_ids=m)
        for g, m in cohorts.groups_of(session, actor, course_id)
    ]


@groups_router.post("/courses/{course_id}/groups", response_model=GroupRead, status_code=201)
def create_group(
    course_id: Id, body: GroupCreate, session: SessionDep, actor: SignedInApiActor
) -> GroupRead:
    """Create a group (teachers, tutors, managers)."""
    group = cohorts.create_group(session, actor, course_id, body.name)
    return GroupRead(id=group.id, course_id=group.course_id, name=group.name, member_ids=[])


@groups_router.get("/courses/{course_id}/groupings", response_model=list[GroupingRead])
def list_groupings(
    course_id: Id, session: SessionDep, actor: SignedInApiActor
) -> list[GroupingRead]:
    """A course's groupings and the groups in each (its staff and students, managers)."""
    return [
        GroupingRead(id=g.id, course_id=g.course_id, name=g.name, group_ids=ids)
        for g, ids in cohorts.groupings_of(session, actor, course_id)
    ]


@groups_router.post("/courses/{course_id}/groupings", response_model=GroupingRead, status_code=201)
def create_grouping(
    course_id: Id, body: GroupingCreate, session: SessionDep, actor: SignedInApiActor
) -> GroupingRead:
    """Gather groups of the course under a name (teachers, tutors, managers)."""
    grouping, ids = cohorts.create_grouping(session, actor, course_id, body.name, body.group_ids)
    return GroupingRead(
        id=grouping.id, course_id=grouping.course_id, name=grouping.name, group_ids=ids
    )


@groups_router.put("/groups/{group_id}/members/{user_id}", status_code=204)
def add_group_member(
    group_id: Id, user_id: Id, session: SessionDep, actor: SignedInApiActor
) -> None:
    """Put an enrolled person in a group (teachers, tutors, managers)."""
    cohorts.set_group_member(session, actor, group_id, user_id, member=True)


@groups_router.delete("/groups/{group_id}/members/{user_id}", status_code=204)
def remove_group_member(
    group_id: Id, user_id: Id, session: SessionDep, actor: SignedInApiActor
) -> None:
    """Take a person out of a group (teachers, tutors, managers)."""
    cohorts.set_group_member(session, actor, group_id, user_id, member=False)


@router.get(
    "/users/{user_id}/learner-profile",
    response_model=LearnerProfileRead,
    response_model_exclude_unset=True,
)
def read_profile(user_id: Id, session: SessionDep, actor: SignedInApiActor) -> LearnerProfileRead:
    """A learner's reporting profile. `nationality` and `refugee` appear only for managers
    holding that permission (or partner systems with `sensitive:read`); each read is audited."""
    return LearnerProfileRead(**cohorts.read_profile(session, actor, user_id))


@router.put("/users/{user_id}/learner-profile", status_code=204, response_class=Response)
def update_profile(
    user_id: Id, body: LearnerProfileUpdate, session: SessionDep, actor: SignedInApiActor
) -> Response:
    """Set professional status; the learner or a permitted manager also sets nationality and
    refugee status."""
    sensitive = {"nationality", "refugee"} & body.model_fields_set
    cohorts.update_profile(
        session,
        actor,
        user_id,
        body.professional_status,
        body.nationality,
        body.refugee,
        bool(sensitive),
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


routers = [router, cohorts_router, groups_router]
