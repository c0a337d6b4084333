"""ELMO (EMREX) over the API: a learner's results as an ELMO v1.7.0 document, and a host
institution's ELMO document received as transfer results."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import BaseModel, Field

from app.accounts.deps import SettingsDep, SignedInApiActor
from app.core.db import SessionDep
from app.core.inputs import Id
from app.core.routes import DeferredRoute
from app.credits.service import elmo_export, elmo_import
from app.credits.service.elmo_xml import MAX_ELMO_BYTES, MEDIA_TYPE
from app.credits.transfer_models import TransferStatus, WaitingReason

router = APIRouter(tags=["credits"], route_class=DeferredRoute)

ELMO_BODY = {
    "requestBody": {
        "required": True,
        "description": "An ELMO v1.7.0 document (at most 512 KB).",
        "content": {MEDIA_TYPE: {"schema": {"type": "string", "maxLength": MAX_ELMO_BYTES}}},
    }
}


class ReceivedResult(BaseModel):
    """One transfer result the import stored (or found already stored)."""

    id: int
    host_course_code: str
    title: str
    credits: str = Field(description="ECTS credits, a decimal string")
    grade: str
    scale_code: str | None
    status: TransferStatus
    waiting_reason: WaitingReason | None
    created: bool = Field(description="false when this result had already been received")


class ElmoImportRead(BaseModel):
    results: list[ReceivedResult]


async def elmo_body(request: Request) -> bytes:
    """The document as sent, read on the event loop (the body size limit applies)."""
    return await request.body()


@router.get(
    "/users/{user_id}/elmo",
    response_class=Response,
    responses={200: {"description": "An ELMO v1.7.0 document.", "content": {MEDIA_TYPE: {}}}},
)
def export_elmo(
    user_id: Id, session: SessionDep, actor: SignedInApiActor, settings: SettingsDep
) -> Response:
    """The learner's credits in force as an EMREX ELMO v1.7.0 document, valid against the
    official XSD: one `report` per awarding institution, each result with its ECTS credits,
    EQF level, national grade and grading scheme, its position in the ECTS grading table and
    the table's distribution. The learner, registrars within reach and partner systems of the
    learner's institution (`credits:read`); 404 for anyone else."""
    document = elmo_export.export_learner(session, actor, user_id, base_url=settings.base_url)
    return Response(document, media_type=MEDIA_TYPE)


@router.post(
    "/transfer-results/elmo",
    response_model=ElmoImportRead,
    status_code=status.HTTP_201_CREATED,
    openapi_extra=ELMO_BODY,
    responses={200: {"description": "Every result had already been received."}},
)
def import_elmo(
    body: Annotated[bytes, Depends(elmo_body)],
    session: SessionDep,
    actor: SignedInApiActor,
    response: Response,
    learner_id: Annotated[Id | None, Query(description="our id of the learner")] = None,
    external_id: Annotated[
        str | None,
        Query(min_length=1, max_length=64, description="your own id of the learner"),
    ] = None,
) -> ElmoImportRead:
    """Results from the host institution as an ELMO document (`Content-Type:
    application/xml`): each passed learning opportunity becomes a transfer result for the
    learner named by `learner_id` or `external_id` (the document's learner block is not used
    to find them), recognised when it matches an approved learning agreement. The host's
    partner system (`credits:write`) sends only reports its own institution issued; the home
    registrar may send any. The document must be valid against the ELMO XSD (422 with the
    first error and its line); a DTD or entities are refused. All or nothing; receiving the
    same document again stores nothing new (200)."""
    received = elmo_import.import_results(
        session, actor, body, learner_id=learner_id, external_id=external_id
    )
    if not any(r.created for r in received):
        response.status_code = status.HTTP_200_OK
    return ElmoImportRead(
        results=[
            ReceivedResult(
                id=r.result.id,
                host_course_code=r.result.host_course_code,
                title=r.result.title,
                credits=str(r.result.credits),
                grade=r.result.grade,
                scale_code=r.result.scale_code,
                status=r.result.status,
                waiting_reason=r.result.waiting_reason,
                created=r.created,
            )
            for r in received
        ]
    )
