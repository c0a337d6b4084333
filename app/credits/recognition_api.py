"""Recognition of prior learning (VAE/RPL) over the API: a learner's applications and their
evidence (`credits:write` to change, `credits:read` to read), the lists of the jury's members
and registrars, the jury a registrar names, and the jury's decision. Partner systems read and
write none of it (403); an application hidden from the caller is a 404."""

from typing import Annotated

from fastapi import APIRouter, File, Query, Response, UploadFile, status
from fastapi.responses import StreamingResponse

from app.accounts.deps import SettingsDep, SignedInApiActor
from app.core.db import SessionDep
from app.core.downloads import stored_file_response
from app.core.inputs import Id
from app.core.routes import DeferredRoute
from app.core.storage import storage_for
from app.credits.recognition_models import ApplicationStatus
from app.credits.recognition_schemas import (
    ApplicationCreate,
    ApplicationPage,
    ApplicationRead,
    ApplicationUpdate,
    DecisionIn,
    EvidenceRead,
    JuryIn,
    application_read,
    summary_read,
)
from app.credits.service import (
    recognition,
    recognition_decision,
    recognition_evidence,
    recognition_jury,
    recognition_lists,
)
from app.credits.service.recognition_decision import ItemDecision
from app.credits.service.recognition_jury import Member
from app.credits.service.recognition_lists import Listing

router = APIRouter(tags=["credits"], route_class=DeferredRoute)
A = "/credits/recognition/applications"
One = A + "/{application_id}"


@router.get(A, response_model=ApplicationPage)
def list_applications(
    session: SessionDep,
    actor: SignedInApiActor,
    listing: Listing = Listing.MINE,
    status: ApplicationStatus | None = None,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> ApplicationPage:
    """Applications oldest first, 50 a page (follow `next_cursor`): `listing=mine` (default)
    your own; `jury` those you sit on; `registrar` the submitted ones you keep as a registrar
    (managers only, 403 otherwise). Filter by `status`."""
    rows, next_cursor = recognition_lists.applications(
        session, actor, listing, cursor, limit, status
    )
    return ApplicationPage(items=[summary_read(a) for a in rows], next_cursor=next_cursor)


@router.post(A, response_model=ApplicationRead, status_code=201)
def create_application(
    data: ApplicationCreate, session: SessionDep, actor: SignedInApiActor
) -> ApplicationRead:
    """File a draft for courses of a programme you are enrolled in (422 `invalid` otherwise).
    A course already credited to you answers 409 `already_credited`; one asked for in another
    open application, 409 `already_requested`."""
    view = recognition.create(
        session, actor, data.programme_id, data.course_ids, data.experience_markdown
    )
    return application_read(view)


@router.get(One, response_model=ApplicationRead)
def read_application(
    application_id: Id, session: SessionDep, actor: SignedInApiActor
) -> ApplicationRead:
    """An application with its courses, evidence, jury and decision: for its learner, and once
    submitted for its jury's members and registrars."""
    return application_read(recognition.application_view(session, actor, application_id))


@router.put(One, response_model=ApplicationRead)
def update_application(
    application_id: Id, data: ApplicationUpdate, session: SessionDep, actor: SignedInApiActor
) -> ApplicationRead:
    """Replace a draft's courses and experience; 409 `application_not_draft` once submitted."""
    view = recognition.update(
        session, actor, application_id, data.course_ids, data.experience_markdown
    )
    return application_read(view)


@router.delete(One, status_code=204)
def delete_application(
    application_id: Id, session: SessionDep, actor: SignedInApiActor
) -> Response:
    """Delete a draft (its learner only); a submitted application is withdrawn instead."""
    recognition.delete(session, actor, application_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(One + "/submit", response_model=ApplicationRead)
def submit_application(
    application_id: Id, session: SessionDep, actor: SignedInApiActor
) -> ApplicationRead:
    """Hand the draft in: it needs at least one course and a description of your experience."""
    return application_read(recognition.submit(session, actor, application_id))


@router.post(One + "/withdraw", response_model=ApplicationRead)
def withdraw_application(
    application_id: Id, session: SessionDep, actor: SignedInApiActor
) -> ApplicationRead:
    """Withdraw your application before the decision; 409 `application_closed` after."""
    return application_read(recognition.withdraw(session, actor, application_id))


@router.post(One + "/evidence", response_model=EvidenceRead, status_code=201)
def add_evidence(
    application_id: Id,
    session: SessionDep,
    actor: SignedInApiActor,
    settings: SettingsDep,
    file: Annotated[UploadFile, File()],
) -> EvidenceRead:
    """Add an evidence file to the draft (multipart; size-limited, its type read from its
    content; at most 20). A file of the same name is replaced."""
    found = recognition_evidence.add_evidence(
        session, actor, settings, application_id, file.file, file.filename or "file"
    )
    return EvidenceRead(
        id=found.id, name=found.name, size=found.content.size,
        media_type=found.content.media_type,
        url=f"/api/v1{A}/{application_id}/evidence/{found.id}",
    )  # fmt: skip


@router.get(One + "/evidence/{evidence_id}", response_class=StreamingResponse)
def evidence_file(
    application_id: Id, evidence_id: Id, session: SessionDep, actor: SignedInApiActor,
    settings: SettingsDep,
) -> StreamingResponse:  # fmt: skip
    """An evidence file, always as an attachment: for the learner, the jury and registrars."""
    found = recognition_evidence.evidence_file(session, actor, application_id, evidence_id)
    content = found.content
    return stored_file_response(
        storage_for(settings), content.sha256, found.name, content.media_type, content.size
    )


@router.delete(One + "/evidence/{evidence_id}", status_code=204)
def remove_evidence(
    application_id: Id, evidence_id: Id, session: SessionDep, actor: SignedInApiActor
) -> Response:
    """Remove an evidence file from the draft."""
    recognition_evidence.remove_evidence(session, actor, application_id, evidence_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put(One + "/jury", response_model=ApplicationRead)
def name_jury(
    application_id: Id, data: JuryIn, session: SessionDep, actor: SignedInApiActor
) -> ApplicationRead:
    """Name the jury (registrars): at least two members, exactly one `chair`, not the
    applicant. Puts a submitted application under review; may be named again until the
    decision (409 `application_not_in_review` otherwise)."""
    members = [Member(user_id=m.user_id, chair=m.chair) for m in data.members]
    return application_read(recognition_jury.name_jury(session, actor, application_id, members))


@router.post(One + "/decision", response_model=ApplicationRead, status_code=201)
def record_decision(
    application_id: Id, data: DecisionIn, session: SessionDep, actor: SignedInApiActor,
    settings: SettingsDep,
) -> ApplicationRead:  # fmt: skip
    """Record the jury's final decision (its chair, or a registrar): one item per requested
    course, `full`, `partial` (with `credits` and `remaining_outcomes`) or `refused`, each
    with a `reason`. Granted credits enter the ledger (source `recognition`); the learner is
    told by mail. A course credited meanwhile answers 409 `already_credited`."""
    items = [
        ItemDecision(
            course_id=i.course_id, outcome=i.outcome, reason=i.reason, credits=i.credits,
            remaining_outcomes=i.remaining_outcomes,
        )
        for i in data.items
    ]  # fmt: skip
    view = recognition_decision.decide(session, actor, settings, application_id, items)
    return application_read(view)
