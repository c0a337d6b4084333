"""Credit transfer over the API: learning agreements (written, proposed, approved by the home
registrar and by the host) and the results host institutions send, recognised at home by the
ECTS grading tables."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.accounts.deps import SignedInApiActor
from app.core.db import SessionDep
from app.core.inputs import Id
from app.core.pagination import Page
from app.core.routes import DeferredRoute
from app.credits.service import agreements, transfer, transfer_decisions, transfer_reads
from app.credits.transfer_models import AgreementStatus, TransferStatus
from app.credits.transfer_schemas import (
    AgreementCreate,
    AgreementRead,
    CancelCreate,
    DecisionCreate,
    LineCreate,
    ResultCreate,
    ResultRead,
)

router = APIRouter(tags=["credits"], route_class=DeferredRoute)
Cursor = Annotated[str | None, Query(max_length=40)]
Limit = Annotated[int, Query(ge=1, le=100)]


@router.post("/learning-agreements", response_model=AgreementRead, status_code=201)
def create_agreement(
    data: AgreementCreate, session: SessionDep, actor: SignedInApiActor
) -> AgreementRead:
    """A draft learning agreement for a mobility: the learner (their institution is home), the
    host institution, the home programme and the mobility period. Written by the learner or a
    home registrar; a learner out of reach is 404."""
    draft = agreements.AgreementDraft(**data.model_dump())
    return AgreementRead.model_validate(agreements.create(session, actor, draft))


@router.get("/learning-agreements", response_model=Page[AgreementRead])
def list_agreements(
    session: SessionDep,
    actor: SignedInApiActor,
    learner_id: Id | None = None,
    agreement_status: Annotated[AgreementStatus | None, Query(alias="status")] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[AgreementRead]:
    """The agreements you may read, oldest first, 50 a page; follow `next_cursor`. A learner
    sees theirs; registrars and partner systems those of the learners they reach, and as host
    those proposed to their institution."""
    found, next_cursor = transfer_reads.list_agreements(
        session, actor, cursor, limit, learner_id=learner_id, status=agreement_status
    )
    return Page[AgreementRead](
        items=[AgreementRead.model_validate(a) for a in found], next_cursor=next_cursor
    )


@router.get("/learning-agreements/{agreement_id}", response_model=AgreementRead)
def read_agreement(agreement_id: Id, session: SessionDep, actor: SignedInApiActor) -> AgreementRead:
    """One agreement with its lines and who approved it when."""
    return AgreementRead.model_validate(agreements.get_agreement(session, actor, agreement_id))


@router.post(
    "/learning-agreements/{agreement_id}/lines", response_model=AgreementRead, status_code=201
)
def add_line(
    agreement_id: Id, data: LineCreate, session: SessionDep, actor: SignedInApiActor
) -> AgreementRead:
    """Add a host course (code, title, ECTS, the host's scale code, reference group) and the
    course of the home programme it counts for. Drafts only (409 `agreement_not_editable`)."""
    agreements.add_line(session, actor, agreement_id, agreements.LineDraft(**data.model_dump()))
    return AgreementRead.model_validate(agreements.get_agreement(session, actor, agreement_id))


@router.delete("/learning-agreements/{agreement_id}/lines/{line_id}", status_code=204)
def remove_line(
    agreement_id: Id, line_id: Id, session: SessionDep, actor: SignedInApiActor
) -> Response:
    """Remove a line from a draft."""
    agreements.remove_line(session, actor, agreement_id, line_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/learning-agreements/{agreement_id}/proposal", response_model=AgreementRead)
def propose(agreement_id: Id, session: SessionDep, actor: SignedInApiActor) -> AgreementRead:
    """Propose a draft (at least one line) to both sides; the learner or a home registrar."""
    return AgreementRead.model_validate(agreements.propose(session, actor, agreement_id))


@router.post("/learning-agreements/{agreement_id}/home-approval", response_model=AgreementRead)
def approve_as_home(
    agreement_id: Id, session: SessionDep, actor: SignedInApiActor
) -> AgreementRead:
    """The home registrar approves a proposed agreement; it is approved once the host has
    approved too."""
    return AgreementRead.model_validate(agreements.approve_as_home(session, actor, agreement_id))


@router.post("/learning-agreements/{agreement_id}/host-approval", response_model=AgreementRead)
def approve_as_host(
    agreement_id: Id, session: SessionDep, actor: SignedInApiActor
) -> AgreementRead:
    """The host approves a proposed agreement: a registrar of the host institution or its
    partner system (`credits:write`)."""
    return AgreementRead.model_validate(agreements.approve_as_host(session, actor, agreement_id))


@router.post("/learning-agreements/{agreement_id}/cancellation", response_model=AgreementRead)
def cancel(
    agreement_id: Id, data: CancelCreate, session: SessionDep, actor: SignedInApiActor
) -> AgreementRead:
    """Cancel an agreement: the learner until it is approved, a home registrar at any time."""
    return AgreementRead.model_validate(
        agreements.cancel(session, actor, agreement_id, data.reason)
    )


@router.post(
    "/learning-agreements/{agreement_id}/revisions", response_model=AgreementRead, status_code=201
)
def revise(
    agreement_id: Id, data: CancelCreate, session: SessionDep, actor: SignedInApiActor
) -> AgreementRead:
    """Change a proposed or approved agreement: it is cancelled and a new draft with the next
    `revision` and the same lines is returned, to be proposed and approved again."""
    return AgreementRead.model_validate(
        agreements.revise(session, actor, agreement_id, data.reason)
    )


@router.post("/transfer-results", response_model=ResultRead, status_code=201)
def post_result(
    data: ResultCreate, response: Response, session: SessionDep, actor: SignedInApiActor
) -> ResultRead:
    """A result from the host institution's partner system (`credits:write`), the learner
    named by our `learner_id` or your `external_id`. Recognised at once when it matches a line
    of an approved learning agreement and its grade converts by the grading tables; otherwise
    stored `pending` with a `waiting_reason`. The same learner, course code and completion date
    sent again returns the stored result with 200 instead of 201."""
    learner_id, host_id = transfer.identify(
        session,
        actor,
        learner_id=data.learner_id,
        external_id=data.external_id,
        host_institution_id=data.host_institution_id,
    )
    result = transfer.HostResult(
        learner_id=learner_id,
        host_institution_id=host_id,
        host_course_code=data.host_course_code,
        title=data.title,
        credits=data.credits,
        grade=data.grade,
        scale_code=data.scale_code,
        isced_code=data.isced_code,
        eqf_level=data.eqf_level,
        completed_on=data.completed_on,
        via="api",
    )
    row, created = transfer.receive(session, actor, result)
    if not created:
        response.status_code = status.HTTP_200_OK
    return ResultRead.model_validate(row)


@router.get("/transfer-results", response_model=Page[ResultRead])
def list_results(
    session: SessionDep,
    actor: SignedInApiActor,
    learner_id: Id | None = None,
    result_status: Annotated[TransferStatus | None, Query(alias="status")] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[ResultRead]:
    """Transfer results you may read, oldest first, 50 a page (`status=pending` for those
    waiting for a decision). A host's partner system sees the results its institution sent."""
    found, next_cursor = transfer_reads.list_results(
        session, actor, cursor, limit, status=result_status, learner_id=learner_id
    )
    return Page[ResultRead](
        items=[ResultRead.model_validate(r) for r in found], next_cursor=next_cursor
    )


# `:int`, so that `/transfer-results/elmo` (the ELMO import) is never read as a result id.
@router.get("/transfer-results/{result_id:int}", response_model=ResultRead)
def read_result(result_id: Id, session: SessionDep, actor: SignedInApiActor) -> ResultRead:
    """One transfer result: as sent, its conversion (grade, overlapping grades, band, rule)
    and its ledger entry, or why it waits."""
    return ResultRead.model_validate(transfer_reads.get_result(session, actor, result_id))


@router.post("/transfer-results/{result_id}/decision", response_model=ResultRead)
def decide(
    result_id: Id, data: DecisionCreate, session: SessionDep, actor: SignedInApiActor
) -> ResultRead:
    """A home registrar's decision on a pending result: `convert` tries the agreement and the
    tables again (409 `transfer_still_waiting` if it still cannot), `record` writes it to the
    ledger without conversion (optionally for `home_course_id`) with a `reason`, `refuse`
    refuses it with a `reason`. A decided result answers 409 `transfer_decided`."""
    row = transfer_decisions.decide(
        session,
        actor,
        result_id,
        data.action,
        reason=data.reason,
        home_course_id=data.home_course_id,
    )
    return ResultRead.model_validate(row)
