"""Double-degree agreements over the API: registrars of a party institution record, change
and remove them; managers and partner systems of a party read them; and a learner's standing
toward each degree of the agreements they are in."""

from fastapi import APIRouter, Response, status

from app.accounts.deps import SignedInApiActor
from app.core.db import SessionDep
from app.core.inputs import Id
from app.core.routes import DeferredRoute
from app.credits.degree_models import DoubleDegree
from app.credits.degree_schemas import (
    DegreeStandingRead,
    DoubleDegreeCreate,
    DoubleDegreeRead,
    DoubleDegreeStandingRead,
    DoubleDegreeUpdate,
    PartyRead,
    SharedCourseRead,
)
from app.credits.service import degrees

router = APIRouter(tags=["credits"], route_class=DeferredRoute)
D = "/double-degrees"


def agreement_read(agreement: DoubleDegree) -> DoubleDegreeRead:
    """The wire form of an agreement, its parties in order and its shared courses."""
    return DoubleDegreeRead(
        id=agreement.id,
        code=agreement.code,
        title=agreement.title,
        parties=[
            PartyRead(
                institution_code=p.institution.code,
                institution_name=p.institution.name,
                programme_code=p.programme.code,
                degree_title=p.degree_title,
            )
            for p in agreement.parties
        ],
        shared_courses=[
            SharedCourseRead(course_code=s.course.code, title=s.course.title, credits=s.credits)
            for s in agreement.shared_courses
        ],
    )


@router.get(D, response_model=list[DoubleDegreeRead])
def list_agreements(session: SessionDep, actor: SignedInApiActor) -> list[DoubleDegreeRead]:
    """The double-degree agreements your institution is a party to (coordinators: all;
    managers and partner systems with `credits:read`)."""
    return [agreement_read(a) for a in degrees.list_agreements(session, actor)]


@router.post(D, response_model=DoubleDegreeRead, status_code=201)
def create_agreement(
    body: DoubleDegreeCreate, session: SessionDep, actor: SignedInApiActor
) -> DoubleDegreeRead:
    """Record an agreement (registrars of one of the parties): two or more institutions, each
    joining a programme it awards and naming the degree it awards, and the courses whose
    credits count for every party. 422 `programme_not_awarded`,
    `course_not_in_parties_programmes`, `shared_course_twice`; 409 `double_degree_code_taken`."""
    return agreement_read(degrees.create_agreement(session, actor, body))


@router.get(D + "/{agreement_id}", response_model=DoubleDegreeRead)
def read_agreement(
    agreement_id: Id, session: SessionDep, actor: SignedInApiActor
) -> DoubleDegreeRead:
    """One agreement (404 unless your institution is a party)."""
    return agreement_read(degrees.get_agreement(session, actor, agreement_id))


@router.patch(D + "/{agreement_id}", response_model=DoubleDegreeRead)
def update_agreement(
    agreement_id: Id, body: DoubleDegreeUpdate, session: SessionDep, actor: SignedInApiActor
) -> DoubleDegreeRead:
    """Change the title, or replace the list of shared courses (registrars of a party)."""
    return agreement_read(degrees.update_agreement(session, actor, agreement_id, body))


@router.delete(D + "/{agreement_id}", status_code=204)
def delete_agreement(agreement_id: Id, session: SessionDep, actor: SignedInApiActor) -> Response:
    """Remove an agreement (registrars of a party); learners' credits are untouched."""
    degrees.delete_agreement(session, actor, agreement_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/users/{user_id}/double-degrees", response_model=list[DoubleDegreeStandingRead])
def learner_standing(
    user_id: Id, session: SessionDep, actor: SignedInApiActor
) -> list[DoubleDegreeStandingRead]:
    """For each agreement joining a programme the learner is enrolled in, their standing
    toward every party's degree: credits required and earned (a shared course credited under
    any party's programme counts for every party, once), eligibility and what is unmet (the
    learner, registrars and partner systems within reach with `credits:read`)."""
    return [
        DoubleDegreeStandingRead(
            agreement_id=s.agreement.id,
            code=s.agreement.code,
            title=s.agreement.title,
            degrees=[
                DegreeStandingRead(
                    institution_code=d.party.institution.code,
                    degree_title=d.party.degree_title,
                    programme_code=d.party.programme.code,
                    required=d.progress.required,
                    earned=d.earned,
                    shared_credits=d.shared_credits,
                    eligible=d.eligible,
                    unmet=d.reasons(lambda msgid: msgid),
                )
                for d in s.degrees
            ],
        )
        for s in degrees.standings(session, actor, user_id)
    ]
